package drift

import (
	"cmp"
	"slices"
	"sort"
)

// Sizes of the histograms kept for reports.
const (
	// HistogramBins is the number of equal-width bins of a numerical
	// column's histogram, over the range of both samples.
	HistogramBins = 20
	// MaxHistogramLabels is the number of categories kept by name in a
	// categorical column's histogram.
	MaxHistogramLabels = 20
)

// histogram summarises both samples of a pair for charts.
func histogram(p *pair) Histogram {
	if p.typ == Numerical {
		return numHistogram(p.ref, p.cur)
	}
	return catHistogram(p)
}

// numHistogram bins both samples on shared equal-width edges.
func numHistogram(ref, cur *numSample) Histogram {
	h := Histogram{ReferenceMissing: ref.missing, CurrentMissing: cur.missing}
	if ref.n() == 0 && cur.n() == 0 {
		return h
	}
	lo, hi := bounds(ref.sorted, cur.sorted)
	bins := HistogramBins
	if lo == hi {
		lo, hi, bins = lo-0.5, hi+0.5, 1
	}
	h.Edges = make([]float64, bins+1)
	step := hi/float64(bins) - lo/float64(bins) // no overflow for huge ranges
	for i := range h.Edges {
		h.Edges[i] = lo + float64(i)*step
	}
	h.Edges[bins] = hi
	h.Reference = binCounts(ref.sorted, h.Edges)
	h.Current = binCounts(cur.sorted, h.Edges)
	return h
}

// bounds returns the smallest and largest value of two sorted samples, not
// both empty.
func bounds(a, b []float64) (float64, float64) {
	switch {
	case len(a) == 0:
		return b[0], b[len(b)-1]
	case len(b) == 0:
		return a[0], a[len(a)-1]
	}
	return min(a[0], b[0]), max(a[len(a)-1], b[len(b)-1])
}

// binCounts counts sorted values per bin [e_i, e_i+1), the last bin
// closed, as np.histogram does.
func binCounts(sorted, edges []float64) []int {
	counts := make([]int, len(edges)-1)
	for i := range counts {
		lo := sort.SearchFloat64s(sorted, edges[i])
		var hi int
		if i == len(counts)-1 {
			hi = upperBound(sorted, edges[i+1])
		} else {
			hi = sort.SearchFloat64s(sorted, edges[i+1])
		}
		counts[i] = hi - lo
	}
	return counts
}

// upperBound returns the number of sorted values <= v.
func upperBound(sorted []float64, v float64) int {
	return sort.Search(len(sorted), func(i int) bool { return sorted[i] > v })
}

// catHistogram counts the categories of both samples, most frequent first.
func catHistogram(p *pair) Histogram {
	h := Histogram{ReferenceMissing: p.cref.missing, CurrentMissing: p.ccur.missing}
	d := p.discrete()
	order := make([]int, d.keys())
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(d.ref[b]+d.cur[b], d.ref[a]+d.cur[a]); c != 0 {
			return c
		}
		return cmp.Compare(d.labels[a], d.labels[b])
	})
	keep := min(len(order), MaxHistogramLabels)
	if len(order) > MaxHistogramLabels {
		keep = MaxHistogramLabels - 1
	}
	for _, k := range order[:keep] {
		h.Labels = append(h.Labels, d.labels[k])
		h.Reference = append(h.Reference, int(d.ref[k]))
		h.Current = append(h.Current, int(d.cur[k]))
	}
	if keep < len(order) {
		var r, c int
		for _, k := range order[keep:] {
			r += int(d.ref[k])
			c += int(d.cur[k])
		}
		h.Labels = append(h.Labels, "other")
		h.Reference = append(h.Reference, r)
		h.Current = append(h.Current, c)
		h.Other = true
	}
	return h
}
