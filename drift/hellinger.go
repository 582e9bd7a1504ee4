package drift

import "math"

// Test "hellinger": the Hellinger distance.
//
// Score, categorical: H = sqrt(1 - clip(sum_k sqrt(p_ref(k) p_cur(k)), 0, 1))
// with p(k) the share of category k on each side.
//
// Score, numerical: Evidently bins both samples on
// np.histogram_bin_edges(U, "sturges") where U is the set of distinct
// values of both samples (edges from the distinct values, not the data),
// takes density histograms h_ref, h_cur and uses
// H = sqrt(1 - clip(sum_i sqrt(h_ref,i h_cur,i) * w, 0, 1)) with
// w = (max edge - min edge)/bins.
//
// Matches Evidently's `hellinger` stattest. Drift when H >= threshold
// (default 0.1).
func runHellinger(p *pair) (float64, error) {
	sum := 0.0
	if p.typ == Categorical {
		d := p.discrete()
		for k := range d.keys() {
			p1 := d.ref[k] / float64(d.nref)
			p2 := d.cur[k] / float64(d.ncur)
			sum += math.Sqrt(p1 * p2)
		}
	} else {
		a, b := p.ref.sorted, p.cur.sorted
		lo, hi := bounds(a, b)
		edges, err := sturgesEdges(p.distinctUnion(), lo, hi)
		if err != nil {
			return 0, err
		}
		h1 := density(binCounts(a, edges), edges)
		h2 := density(binCounts(b, edges), edges)
		width := (edges[len(edges)-1] - edges[0]) / float64(len(edges)-1)
		for i := range h1 {
			sum += math.Sqrt(h1[i]*h2[i]) * width
		}
	}
	sum = math.Max(0, math.Min(sum, 1))
	return math.Sqrt(1 - sum), nil
}

// density is np.histogram(..., density=True): counts / bin width / total.
func density(counts []int, edges []float64) []float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = float64(c) / (edges[i+1] - edges[i]) / float64(total)
	}
	return out
}
