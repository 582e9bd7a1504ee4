package drift

import (
	"errors"
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "chisquare": Pearson's chi-square goodness of fit of the current
// counts to the reference frequencies.
//
// Score: the p-value of scipy.stats.chisquare(f_obs, f_exp) over the union
// of observed values, with f_obs the current counts and
// f_exp = reference counts * n_cur/n_ref: the statistic
// sum (f_obs - f_exp)^2 / f_exp has k-1 degrees of freedom for k values.
// It is a goodness-of-fit test against the rescaled reference, not a 2 x k
// contingency test. A value seen only in current has f_exp = 0, an
// infinite statistic and p = 0. Matches Evidently's `chisquare` stattest.
// Drift when p < threshold (default 0.05).
func runChiSquare(p *pair) (float64, error) {
	d := p.discrete()
	k := d.keys()
	if k < 2 {
		return 0, errors.New("chisquare needs at least two distinct values (SciPy returns NaN)")
	}
	norm := float64(d.ncur) / float64(d.nref)
	exp := make([]float64, k)
	for i := range exp {
		exp[i] = d.ref[i] * norm
	}
	if err := checkSums(d.cur, exp); err != nil {
		return 0, err
	}
	terms := make([]float64, k)
	for i := range terms {
		diff := d.cur[i] - exp[i]
		terms[i] = diff * diff / exp[i]
	}
	return chi2SF(numpy.Sum(terms), float64(k-1)), nil
}

// checkSums applies SciPy's power_divergence check that the observed and
// expected frequencies have the same total (relative tolerance 1e-8).
func checkSums(obs, exp []float64) error {
	so, se := numpy.Sum(obs), numpy.Sum(exp)
	if math.Abs(so-se)/math.Min(so, se) > 1e-8 {
		return fmt.Errorf("the observed and expected totals differ (%g vs %g) and SciPy's power_divergence requires them equal", so, se)
	}
	return nil
}
