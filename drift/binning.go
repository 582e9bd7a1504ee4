package drift

import (
	"errors"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// This file reproduces NumPy's binning as Evidently uses it
// (stattests/utils.py::get_binned_data) for psi, kl_div and jensenshannon.

// sturgesEdges returns np.histogram_bin_edges(a, bins="sturges") (NumPy
// 1.24) for an array a of size n whose smallest and largest values are lo
// and hi: np.linspace(first, last, k+1) with k = ceil((last-first)/width)
// and width = (hi-lo)/(log2(n)+1), the range widened by 0.5 on each side
// when lo == hi.
func sturgesEdges(n int, lo, hi float64) ([]float64, error) {
	if math.IsInf(hi-lo, 0) {
		// NumPy fails converting ceil(inf/inf) to an integer.
		return nil, errors.New("the range of the values overflows float64, so NumPy cannot bin them")
	}
	first, last := lo, hi
	if first == last {
		first -= 0.5
		last += 0.5
	}
	width := (hi - lo) / (math.Log2(float64(n)) + 1)
	k := 1
	if width != 0 {
		k = int(math.Ceil((last - first) / width))
	}
	return linspace(first, last, k+1), nil
}

// linspace is np.linspace(start, stop, num) with endpoint=True.
func linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	div := float64(num - 1)
	delta := stop - start
	step := delta / div
	for i := range out {
		if step == 0 {
			out[i] = float64(i)/div*delta + start
		} else {
			out[i] = float64(i)*step + start
		}
	}
	out[num-1] = stop
	return out
}

// binnedShares returns the reference and current shares per bin or per
// category, Evidently's get_binned_data. A numerical column whose reference
// has more than 20 distinct values is cut into Sturges bins over both
// samples together; anything else is counted per distinct value. With
// zeroFill, empty bins get a small share (min/1e6 if the smallest
// non-empty share is <= 1e-4, else 1e-4), separately on each side, as
// Evidently does for psi and kl_div.
func binnedShares(p *pair, zeroFill bool) (ref, cur []float64, err error) {
	if p.typ == Numerical && p.ref.distinct > 20 {
		a, b := p.ref.sorted, p.cur.sorted
		lo, hi := bounds(a, b)
		edges, err := sturgesEdges(len(a)+len(b), lo, hi)
		if err != nil {
			return nil, nil, err
		}
		ref = shares(binCounts(a, edges), len(a))
		cur = shares(binCounts(b, edges), len(b))
	} else {
		d := p.discrete()
		ref = make([]float64, d.keys())
		cur = make([]float64, d.keys())
		for i := range ref {
			ref[i] = d.ref[i] / float64(d.nref)
			cur[i] = d.cur[i] / float64(d.ncur)
		}
	}
	if zeroFill {
		fillZeros(ref)
		fillZeros(cur)
	}
	return ref, cur, nil
}

// shares divides counts by n.
func shares(counts []int, n int) []float64 {
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = float64(c) / float64(n)
	}
	return out
}

// fillZeros replaces zero shares as Evidently's feel_zeroes does.
func fillZeros(a []float64) {
	m := math.Inf(1)
	for _, v := range a {
		if v != 0 && v < m {
			m = v
		}
	}
	if math.IsInf(m, 1) {
		return
	}
	fill := 0.0001
	if m <= 0.0001 {
		fill = m / 1e6
	}
	for i, v := range a {
		if v == 0 {
			a[i] = fill
		}
	}
}

// relEntr is scipy.special.rel_entr: x*log(x/y), 0 when x is 0, +Inf when
// y is 0 and x is not.
func relEntr(x, y float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	case x == 0 && y >= 0:
		return 0
	}
	return math.Inf(1)
}

// normalized returns a divided by its (pairwise) sum.
func normalized(a []float64) []float64 {
	s := numpy.Sum(a)
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = v / s
	}
	return out
}
