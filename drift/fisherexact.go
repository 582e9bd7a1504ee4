package drift

import (
	"errors"
	"fmt"
	"math"
)

// Test "fisher_exact": Fisher's exact test on the 2 x 2 table of a binary
// column.
//
// Score: the two-sided p-value of scipy.stats.fisher_exact on
// [[ones_cur, zeros_cur], [ones_ref, zeros_ref]] (SciPy 1.10): the sum of
// the hypergeometric probabilities of all tables with the same margins that
// are no more likely than the observed one (with SciPy's relative
// tolerance 1e-14, located by binary search). Which value counts as "one"
// does not change the two-sided p-value. As in Evidently, both samples must
// have the same size and at most two distinct values; otherwise the column
// is not computable. Matches Evidently's `fisher_exact` stattest. Drift
// when p < threshold (default 0.1).
func runFisherExact(p *pair) (float64, error) {
	d := p.discrete()
	refDistinct, curDistinct := 0, 0
	for i := range d.keys() {
		if d.ref[i] > 0 {
			refDistinct++
		}
		if d.cur[i] > 0 {
			curDistinct++
		}
	}
	if refDistinct > 2 || curDistinct > 2 {
		return 0, errors.New("fisher_exact needs binary data, but a sample has more than two distinct values")
	}
	if d.nref != d.ncur {
		return 0, fmt.Errorf("fisher_exact needs samples of equal size (reference %d, current %d)", d.nref, d.ncur)
	}
	if d.keys() > 2 {
		// Each side is binary but together they have three or more
		// values: Evidently's mapping sends the third value to NaN and
		// the table then counts it as "one".
		return 0, errors.New("fisher_exact needs binary data, but the samples have more than two distinct values together")
	}
	var oneCur, oneRef float64
	if d.keys() == 2 {
		oneCur, oneRef = d.cur[1], d.ref[1]
	}
	table := [2][2]int{
		{int(oneCur), d.ncur - int(oneCur)},
		{int(oneRef), d.nref - int(oneRef)},
	}
	return fisherExact(table), nil
}

// fisherExact is the two-sided p-value of scipy.stats.fisher_exact(c).
func fisherExact(c [2][2]int) float64 {
	if c[0][0]+c[1][0] == 0 || c[0][1]+c[1][1] == 0 || c[0][0]+c[0][1] == 0 || c[1][0]+c[1][1] == 0 {
		return 1
	}
	n1 := c[0][0] + c[0][1]
	n2 := c[1][0] + c[1][1]
	n := c[0][0] + c[1][0]
	h := hypergeom{good: n1, bad: n2, draws: n}
	mode := int(float64(n+1) * float64(n1+1) / float64(n1+n2+2))
	pexact := h.pmf(c[0][0])
	pmode := h.pmf(mode)
	const epsilon = 1e-14
	gamma := 1 + epsilon
	if math.Abs(pexact-pmode)/math.Max(pexact, pmode) <= epsilon {
		return 1
	}
	var p float64
	if c[0][0] < mode {
		plower := h.cdf(c[0][0])
		if h.pmf(n) > pexact*gamma {
			return math.Min(plower, 1)
		}
		guess := binarySearch(func(x int) float64 { return -h.pmf(x) }, -pexact*gamma, mode, n)
		p = plower + h.sf(guess)
	} else {
		pupper := h.sf(c[0][0] - 1)
		if h.pmf(0) > pexact*gamma {
			return math.Min(pupper, 1)
		}
		guess := binarySearch(h.pmf, pexact*gamma, 0, mode)
		p = pupper + h.cdf(guess)
	}
	return math.Min(p, 1)
}

// binarySearch is SciPy's _binary_search_for_binom_tst: for a function a
// monotone on [lo, hi], the largest x with a(x) <= d.
func binarySearch(a func(int) float64, d float64, lo, hi int) int {
	for lo < hi {
		mid := lo + (hi-lo)/2
		v := a(mid)
		switch {
		case v < d:
			lo = mid + 1
		case v > d:
			hi = mid - 1
		default:
			return mid
		}
	}
	if a(lo) <= d {
		return lo
	}
	return lo - 1
}
