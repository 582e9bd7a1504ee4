package drift

import "github.com/modelwatch/modelwatch/internal/numpy"

// Test "kl_div": the Kullback-Leibler divergence of current from reference.
//
// Score: scipy.stats.entropy(r, c) = sum_i p_i ln(p_i/q_i) with p = r/sum(r)
// and q = c/sum(c), over Evidently's binned shares with zero fill (see
// binnedShares). Matches Evidently's `kl_div` stattest. Drift when
// KL >= threshold (default 0.1).
func runKLDiv(p *pair) (float64, error) {
	r, c, err := binnedShares(p, true)
	if err != nil {
		return 0, err
	}
	pk, qk := normalized(r), normalized(c)
	terms := make([]float64, len(pk))
	for i := range pk {
		terms[i] = relEntr(pk[i], qk[i])
	}
	return numpy.Sum(terms), nil
}
