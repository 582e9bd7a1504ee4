package concept

import (
	"math"
	"slices"
)

// ksTwoSample is the two-sided two-sample Kolmogorov–Smirnov test of two
// samples of the same size n, as River's KSWIN calls it:
// scipy.stats.ks_2samp(a, b, method="auto"). It sorts a and b in place.
//
// The statistic is D = max over x of |F_a(x) − F_b(x)|, the largest
// difference of the empirical distribution functions (right-continuous, so
// ties count on both sides at once), returned as h/n with h = n·D the
// integer largest difference of counts. The p-value is scipy's exact
// P(D ≥ h/n) for equal sizes, _compute_prob_outside_square:
//
//	P = 2·Σ_{k≥1} (−1)^(k+1) C(2n, n−k·h) / C(2n, n)
//
// evaluated in the same Horner-like order as scipy (each ratio of binomials
// as a product of h simple factors); 1 when h = 0. Where rounding takes that
// sum out of [0, 1] (only when the p-value is 1 or within about 1e-16 of it)
// scipy falls back to the asymptotic kstwo.sf(D, round(n/2)), and so do we
// (kstwoSF). scipy's "auto" also switches to kstwo.sf for n > 10000; we keep
// the exact form there, which differs from it by the asymptotic error.
func ksTwoSample(a, b []float64) (stat, p float64) {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0, 1
	}
	slices.Sort(a)
	slices.Sort(b)
	h := 0
	i, j := 0, 0
	for i < n && j < n {
		v := min(a[i], b[j])
		for i < n && a[i] <= v {
			i++
		}
		for j < n && b[j] <= v {
			j++
		}
		h = max(h, i-j, j-i)
	}
	return float64(h) / float64(n), ksProbOutsideSquare(n, h)
}

// ksProbOutsideSquare is scipy's _compute_prob_outside_square(n, h): the
// probability that D_{n,n} ≥ h/n, with scipy's fallback to kstwo.sf when
// the series leaves [0, 1].
func ksProbOutsideSquare(n, h int) float64 {
	if h <= 0 {
		return 1
	}
	p := 0.0
	for k := n / h; k >= 0; k-- {
		p1 := 1.0
		for j := 0; j < h; j++ {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	p *= 2
	if p >= 0 && p <= 1 {
		return p
	}
	return kstwoSF(int(math.RoundToEven(float64(n)/2)), float64(h)/float64(n))
}
