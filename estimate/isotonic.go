package estimate

import (
	"errors"
	"fmt"
	"math"
)

// Isotonic is a fitted non-decreasing step-linear function, the same model
// as scikit-learn's IsotonicRegression(increasing=True, out_of_bounds="clip")
// (sklearn/isotonic.py and sklearn/_isotonic.pyx, 1.2.1):
//
//   - fitting sorts the points by x (then y), merges x values closer than
//     1e-15 (np.finfo(float64).resolution) into one point whose target is
//     their weighted mean, and solves the isotonic least-squares problem
//     with pool-adjacent-violators, pooling equal neighbours as well as
//     decreasing ones;
//   - points whose fitted value equals both neighbours' are dropped, keeping
//     the first and last (X_thresholds_, y_thresholds_);
//   - prediction clips x to the fitted range and interpolates linearly
//     between thresholds as numpy.interp does.
//
// The zero value is not usable; build one with FitIsotonic. An Isotonic is
// immutable and safe for concurrent use.
type Isotonic struct {
	// X holds the increasing x thresholds and Y the fitted values at them.
	X, Y []float64
}

// FitIsotonic fits an isotonic regression of y on x. w holds optional
// sample weights (nil means 1 for every point); points with a weight ≤ 0 are
// ignored, as scikit-learn does. Every value must be finite, and y and w
// within ±1e100 so that the pooled sums cannot overflow.
func FitIsotonic(x, y, w []float64) (*Isotonic, error) {
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return nil, fmt.Errorf("fit isotonic regression: %d x values, %d y values and %d weights", len(x), len(y), len(w))
	}
	idx := make([]int, 0, len(x))
	for i := range x {
		if !isFinite(x[i]) || !isFinite(y[i]) || math.Abs(y[i]) > maxIsotonicValue {
			return nil, fmt.Errorf("fit isotonic regression: point %d: x %v, y %v: want finite numbers, |y| ≤ 1e100", i, x[i], y[i])
		}
		if w != nil {
			if !isFinite(w[i]) || w[i] > maxIsotonicValue {
				return nil, fmt.Errorf("fit isotonic regression: point %d: weight %v: want a finite number ≤ 1e100", i, w[i])
			}
			if w[i] <= 0 {
				continue
			}
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return nil, errors.New("fit isotonic regression: no point with a positive weight")
	}
	// np.lexsort((y, X)): by x, then by y.
	return fitOrdered(x, y, w, reorder(x, reorder(y, idx))), nil
}

// fitOrdered fits the points idx of (x, y, w), which idx lists in
// increasing (x, y) order; w may be nil.
func fitOrdered(x, y, w []float64, idx []int) *Isotonic {
	weight := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}

	// _make_unique: merge runs of x closer than eps to the run's first x.
	const eps = 1e-15
	ux := make([]float64, 0, len(idx))
	uy := make([]float64, 0, len(idx))
	uw := make([]float64, 0, len(idx))
	curX, curY, curW := x[idx[0]], 0.0, 0.0
	for _, i := range idx {
		if x[i]-curX >= eps {
			ux = append(ux, curX)
			uw = append(uw, curW)
			uy = append(uy, curY/curW)
			curX, curW, curY = x[i], weight(i), y[i]*weight(i)
			continue
		}
		curW += weight(i)
		curY += y[i] * weight(i)
	}
	ux = append(ux, curX)
	uw = append(uw, curW)
	uy = append(uy, curY/curW)

	pava(uy, uw)

	// Keep the first and last points and every point whose value differs
	// from one of its neighbours.
	iso := &Isotonic{X: make([]float64, 0, len(ux)), Y: make([]float64, 0, len(uy))}
	for i := range ux {
		if i > 0 && i < len(ux)-1 && uy[i] == uy[i-1] && uy[i] == uy[i+1] {
			continue
		}
		iso.X = append(iso.X, ux[i])
		iso.Y = append(iso.Y, uy[i])
	}
	return iso
}

// maxIsotonicValue bounds |y| and w so that Σ w·y cannot overflow.
const maxIsotonicValue = 1e100

// pava solves the isotonic regression of y with weights w in place, as
// scikit-learn's _inplace_contiguous_isotonic_regression: blocks are pooled
// while the next block's value is not strictly greater, and the algorithm
// backtracks to the previous block after each pooling.
func pava(y, w []float64) {
	n := len(y)
	// target[i] is the last index of the block starting at i and
	// target[j] the first index of the block ending at j.
	target := make([]int, n)
	for i := range target {
		target[i] = i
	}
	i := 0
	for i < n {
		k := target[i] + 1
		if k == n {
			break
		}
		if y[i] < y[k] {
			i = k
			continue
		}
		sumWY := w[i] * y[i]
		sumW := w[i]
		for {
			prevY := y[k]
			sumWY += w[k] * y[k]
			sumW += w[k]
			k = target[k] + 1
			if k == n || prevY < y[k] {
				y[i] = sumWY / sumW
				w[i] = sumW
				target[i] = k - 1
				target[k-1] = i
				if i > 0 {
					i = target[i-1]
				}
				break
			}
		}
	}
	for i := 0; i < n; {
		k := target[i] + 1
		for j := i + 1; j < k; j++ {
			y[j] = y[i]
		}
		i = k
	}
}

// Predict returns the fitted value at x: x is clipped to [X[0], X[len-1]]
// and interpolated linearly between thresholds (numpy.interp). A NaN x
// gives NaN. Unlike numpy.interp, the result is kept between the two
// thresholds' values, so rounding (or an overflowing slope between nearly
// equal thresholds) cannot make the function decrease.
func (r *Isotonic) Predict(x float64) float64 {
	xs, ys := r.X, r.Y
	n := len(xs)
	if n == 1 {
		return ys[0]
	}
	if math.IsNaN(x) {
		return math.NaN()
	}
	if x <= xs[0] {
		return ys[0]
	}
	if x >= xs[n-1] {
		return ys[n-1]
	}
	// Binary search for xs[j] ≤ x < xs[j+1]; xs[0] < x < xs[n-1] here.
	lo, hi := 0, n-1
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if xs[mid] <= x {
			lo = mid
		} else {
			hi = mid
		}
	}
	return r.between(lo, x)
}

// between interpolates at x, where X[j] ≤ x < X[j+1].
func (r *Isotonic) between(j int, x float64) float64 {
	xs, ys := r.X, r.Y
	if xs[j] == x {
		return ys[j]
	}
	slope := (ys[j+1] - ys[j]) / (xs[j+1] - xs[j])
	v := slope*(x-xs[j]) + ys[j]
	if math.IsNaN(v) {
		v = slope*(x-xs[j+1]) + ys[j+1]
		if math.IsNaN(v) && ys[j] == ys[j+1] {
			v = ys[j]
		}
	}
	return max(ys[j], min(v, ys[j+1]))
}

// Transform writes Predict(src[i]) to dst[i] and returns dst, allocating it
// when it is too short.
func (r *Isotonic) Transform(dst, src []float64) []float64 {
	if len(dst) < len(src) {
		dst = make([]float64, len(src))
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = r.Predict(v)
	}
	return dst
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
