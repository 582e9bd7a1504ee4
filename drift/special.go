package drift

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// ndtr is the standard normal CDF, computed as Cephes (and so SciPy's
// special.ndtr) does: from erf near zero and from erfc in the tails.
func ndtr(a float64) float64 {
	if math.IsNaN(a) {
		return math.NaN()
	}
	x := a * math.Sqrt2 / 2
	z := math.Abs(x)
	if z < math.Sqrt2/2 {
		return 0.5 + 0.5*math.Erf(x)
	}
	y := 0.5 * math.Erfc(z)
	if x > 0 {
		y = 1 - y
	}
	return y
}

// normSF is the standard normal survival function, scipy.stats.norm.sf,
// which SciPy evaluates as ndtr(-x).
func normSF(x float64) float64 { return ndtr(-x) }

// chi2SF is the chi-square survival function with df degrees of freedom,
// scipy.stats.chi2.sf: the regularised upper incomplete gamma function
// Q(df/2, x/2) (Cephes igamc, which gonum ports). As in SciPy it is 1 at
// x <= 0, 0 at +Inf and NaN for df <= 0 or NaN input.
func chi2SF(x, df float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsNaN(df) || df <= 0 || math.IsInf(df, 0):
		return math.NaN()
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	}
	return mathext.GammaIncRegComp(df/2, x/2)
}

// besselKScaled returns exp(x)*K_nu(x), the exponentially scaled modified
// Bessel function of the second kind (scipy.special.kve), for x > 0.
//
// It integrates K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt with the
// trapezoidal rule. The integrand is entire and decays double
// exponentially, so the rule converges geometrically; with step 1/32 the
// result agrees with SciPy's AMOS routine to about 1e-15 relative.
func besselKScaled(nu, x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		if x == 0 {
			return math.Inf(1)
		}
		if math.IsInf(x, 1) {
			return 0
		}
		return math.NaN()
	}
	const h = 1.0 / 32
	// Integrate exp(-x (cosh t - 1)) cosh(nu t) until the integrand is
	// below 1e-300 of the value at t = 0.
	sum := 0.5 // half weight at t = 0, where the integrand is 1
	for k := 1; ; k++ {
		t := float64(k) * h
		sh := math.Sinh(t / 2)
		c := 2 * sh * sh // cosh(t) - 1 without cancellation
		if -x*c+math.Abs(nu)*t < -700 {
			break
		}
		sum += math.Exp(-x*c) * math.Cosh(nu*t)
		if k > 1<<20 {
			break
		}
	}
	return sum * h
}

// besselK returns K_nu(x), scipy.special.kv for real order and x > 0.
func besselK(nu, x float64) float64 {
	return math.Exp(-x) * besselKScaled(nu, x)
}

// lgamma is log|Gamma(x)|, scipy.special.gammaln.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
