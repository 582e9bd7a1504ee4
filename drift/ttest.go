package drift

import (
	"errors"
	"math"
)

// Test "t_test": Student's two-sample t-test with pooled variance.
//
// Score: the two-sided p-value of scipy.stats.ttest_ind(ref, cur) with
// equal_var=True:
//
//	t = (mean_ref - mean_cur) / sqrt(s^2 (1/n1 + 1/n2)),
//	s^2 = ((n1-1) var_ref + (n2-1) var_cur) / (n1 + n2 - 2),
//
// with sample variances (ddof=1) and p = 2 P(T_{n1+n2-2} > |t|). Matches
// Evidently's `t_test` stattest. Drift when p < threshold (default 0.05).
func runTTest(p *pair) (float64, error) {
	a, b := p.ref.sorted, p.cur.sorted
	if len(a) < 2 || len(b) < 2 {
		return 0, errors.New("t_test needs at least two values in each sample (SciPy returns NaN)")
	}
	buf := p.s.floatBuf(max(len(a), len(b)))
	n1, n2 := float64(len(a)), float64(len(b))
	m1, m2 := mean(a), mean(b)
	v1 := populationVariance(a, buf) * (n1 / (n1 - 1))
	v2 := populationVariance(b, buf) * (n2 / (n2 - 1))
	df := n1 + n2 - 2.0
	svar := ((n1-1)*v1 + (n2-1)*v2) / df
	denom := math.Sqrt(svar * (1.0/n1 + 1.0/n2))
	t := (m1 - m2) / denom
	return studentTwoSidedP(t, df), nil
}
