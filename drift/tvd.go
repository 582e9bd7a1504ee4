package drift

import (
	"errors"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "TVD": a permutation test on the total variation distance.
//
// Statistic: TVD = 0.5 * sum_k |r_k/n_ref - c_k/n_cur| over the union of
// categories. Score: the share of 1000 permutations of the pooled sample
// (reference then current, in input order) whose TVD is at least the
// observed one. The permutations are NumPy's: np.random.seed(0), then
// np.random.choice(pooled, n_ref, replace=False) per round, which we
// reproduce with the same Mersenne Twister, so the p-value is Evidently's
// own. The score is the p-value, not the TVD. Like Evidently we compare the
// floating-point TVDs exactly. Matches
// Evidently's `TVD` stattest ("Total-Variation-Distance"). Drift when
// p < threshold (default 0.1).
//
// The cost is 1000 shuffles of the pooled sample, O(1000 (n_ref+n_cur)).
func runTVD(p *pair) (float64, error) {
	d := p.discrete()
	ref, cur := p.cref.seq, p.ccur.seq
	if ref == nil || cur == nil {
		return 0, errors.New("TVD needs the values in input order")
	}
	pooled := make([]int32, 0, len(ref)+len(cur))
	pooled = append(pooled, ref...)
	for _, c := range cur {
		pooled = append(pooled, d.curIndex[c])
	}
	k := d.keys()
	total := make([]float64, k)
	for i := range total {
		total[i] = d.ref[i] + d.cur[i]
	}
	observed := tvdStatistic(d.ref, d.cur, d.nref, d.ncur)
	rng := numpy.NewRandomState(0)
	work := make([]int32, len(pooled))
	rc := make([]float64, k)
	cc := make([]float64, k)
	const rounds = 1000
	hits := 0
	for range rounds {
		copy(work, pooled)
		numpy.Shuffle(rng, work)
		clear(rc)
		for _, c := range work[:len(ref)] {
			rc[c]++
		}
		for i := range cc {
			cc[i] = total[i] - rc[i]
		}
		t := tvdStatistic(rc, cc, d.nref, d.ncur)
		if observed <= t {
			hits++
		}
	}
	return float64(hits) / rounds, nil
}

// tvdStatistic is the total variation distance of two count vectors.
func tvdStatistic(r, c []float64, nr, nc int) float64 {
	terms := make([]float64, len(r))
	for i := range r {
		terms[i] = math.Abs(r[i]/float64(nr) - c[i]/float64(nc))
	}
	return 0.5 * numpy.Sum(terms)
}
