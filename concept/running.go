package concept

import "math"

// mean is River's stats.Mean with unit weights: n counts the values and
// mean moves by (1/n)·(x − mean), in that order of operations.
type mean struct {
	n    float64
	mean float64
}

func (m *mean) update(x float64) {
	m.n++
	m.mean += float64((1 / m.n) * (x - m.mean))
}

// variance is River's stats.Var (Welford's algorithm, ddof = 1).
type variance struct {
	m mean
	s float64 // sum of squared deviations
}

func (v *variance) update(x float64) {
	old := v.m.mean
	v.m.update(x)
	v.s += float64((x - old) * (x - v.m.mean))
}

// get is the sample variance, 0 until there are two values.
func (v *variance) get() float64 {
	if v.m.n > 1 {
		return v.s / (v.m.n - 1)
	}
	return 0
}

// ewMean is River's stats.EWMean (its Rust implementation): the first value
// sets the mean, each later one moves it to α·x + (1−α)·mean.
type ewMean struct {
	alpha, oneMinusAlpha float64
	mean                 float64
	init                 bool
}

func newEWMean(alpha float64) ewMean {
	return ewMean{alpha: alpha, oneMinusAlpha: 1 - alpha}
}

func (e *ewMean) update(x float64) {
	if !e.init {
		e.mean = x
		e.init = true
		return
	}
	e.mean = float64(e.alpha*x) + float64(e.oneMinusAlpha*e.mean)
}

// notNaN reports whether none of xs is NaN; detectors use ±Inf as sentinels
// (an unset minimum), so only NaN marks a broken state.
func notNaN(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) {
			return false
		}
	}
	return true
}
