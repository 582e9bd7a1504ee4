package drift

import "math"

// studentTwoSidedP is the two-sided p-value of Student's t statistic t
// with df degrees of freedom, 2*scipy.special.stdtr(df, -|t|). SciPy 1.10
// evaluates stdtr with CDFLIB, whose incomplete beta takes x and 1-x
// separately; so do we: with r = t^2/df the p-value is
// I_x(df/2, 1/2) at x = 1/(1+r), 1-x = r/(1+r), both formed without
// cancellation. Computing 1-x by subtraction instead would lose up to
// eight digits at the millions of degrees of freedom of a large t-test; the
// continued fraction still loses about eps*df/4 there (7e-11 relative at
// df = 2e6), well inside our 1e-9.
func studentTwoSidedP(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) || df <= 0 {
		return math.NaN()
	}
	r := t * t / df
	switch {
	case math.IsInf(r, 1):
		return 0
	case r == 0:
		return 1
	}
	x, y := 1/(1+r), r/(1+r)
	lnx := -math.Log1p(r)
	lny := math.Log(r) - math.Log1p(r)
	return regIncBeta(df/2, 0.5, x, y, lnx, lny)
}

// regIncBeta is the regularised incomplete beta function I_x(a, b), given
// x, y = 1-x and their logarithms. It uses the continued fraction of
// Numerical Recipes (modified Lentz) on whichever side of the mean
// converges, with an accurate log-beta prefactor.
func regIncBeta(a, b, x, y, lnx, lny float64) float64 {
	switch {
	case x <= 0:
		return 0
	case y <= 0:
		return 1
	}
	lb := lbeta(a, b)
	if x < (a+1)/(a+b+2) {
		return math.Exp(a*lnx+b*lny-lb) / a * betaCF(a, b, x)
	}
	return 1 - math.Exp(b*lny+a*lnx-lb)/b*betaCF(b, a, y)
}

// betaCF evaluates the continued fraction of I_x(a, b).
func betaCF(a, b, x float64) float64 {
	const (
		tiny   = 1e-300
		eps    = 1e-15
		maxIts = 1 << 20
	)
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= maxIts; m++ {
		mf := float64(m)
		m2 := 2 * mf
		aa := mf * (b - mf) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + mf) * (qab + mf) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// lbeta is log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a+b), with the
// difference of the two large log-gammas taken from Stirling's series so
// that it keeps its relative accuracy when a is large.
func lbeta(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if a < 15 {
		return lgamma(a) + lgamma(b) - lgamma(a+b)
	}
	// lgamma(a) - lgamma(a+b) = -(a-1/2) log1p(b/a) - b log(a+b) + b
	//                           + corr(a) - corr(a+b)
	diff := -(a-0.5)*math.Log1p(b/a) - b*math.Log(a+b) + b + stirlingCorr(a) - stirlingCorr(a+b)
	return lgamma(b) + diff
}

// stirlingCorr is lgamma(z) - ((z-1/2) log z - z + log(2 pi)/2) for
// z >= 15, from the Bernoulli-number series.
func stirlingCorr(z float64) float64 {
	c := [...]float64{
		1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
		-691.0 / 360360, 1.0 / 156, -3617.0 / 122400,
	}
	z2 := 1 / (z * z)
	s := 0.0
	for i := len(c) - 1; i >= 0; i-- {
		s = s*z2 + c[i]
	}
	return s / z
}
