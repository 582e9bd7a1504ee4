package drift

import (
	"errors"
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "g_test": the G-test (log-likelihood ratio) of the current counts
// against the reference counts.
//
// Score: the p-value of scipy.stats.power_divergence(f_obs, f_exp,
// lambda_="log-likelihood") with f_obs the current counts and f_exp the
// reference counts, not rescaled: G = 2 sum f_obs ln(f_obs/f_exp) with k-1
// degrees of freedom. Because Evidently does not rescale, SciPy (>= 1.9)
// rejects samples of different sizes; we report such columns as not
// computable. Matches Evidently's `g_test` stattest. Drift when
// p < threshold (default 0.1).
func runGTest(p *pair) (float64, error) {
	d := p.discrete()
	k := d.keys()
	if k < 2 {
		return 0, errors.New("g_test needs at least two distinct values (SciPy returns NaN)")
	}
	if err := checkSums(d.cur, d.ref); err != nil {
		return 0, fmt.Errorf("g_test compares raw counts, so it needs samples of equal size (reference %d, current %d)", d.nref, d.ncur)
	}
	terms := make([]float64, k)
	for i := range terms {
		terms[i] = 2.0 * xlogy(d.cur[i], d.cur[i]/d.ref[i])
	}
	return chi2SF(numpy.Sum(terms), float64(k-1)), nil
}

// xlogy is scipy.special.xlogy: x*log(y), and 0 when x is 0.
func xlogy(x, y float64) float64 {
	if x == 0 && !math.IsNaN(y) {
		return 0
	}
	return x * math.Log(y)
}
