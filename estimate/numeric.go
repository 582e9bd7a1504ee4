package estimate

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// This file holds the reductions NumPy performs, written so that they round
// the way NumPy does: np.sum and np.mean add contiguous float64 arrays with a
// pairwise summation (numpy/_core/src/umath/loops_utils.h.src), np.std and
// np.var are population statistics (ddof=0), and np.round(x, 5) multiplies,
// rounds half to even and divides. Matching the rounding keeps our results
// within a few ulps of NannyML's and scikit-learn's.

// mean returns np.mean(x): NaN for an empty slice.
func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return numpy.Sum(x) / float64(len(x))
}

// variance returns np.var(x) (ddof=0): NaN for an empty slice. It uses buf,
// which must be at least as long as x, as scratch space when it is not nil.
func variance(x, buf []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := mean(x)
	if len(buf) < len(x) {
		buf = make([]float64, len(x))
	}
	d := buf[:len(x)]
	for i, v := range x {
		e := v - m
		d[i] = e * e
	}
	return numpy.Sum(d) / float64(len(x))
}

// std returns np.std(x) (ddof=0): NaN for an empty slice.
func std(x []float64) float64 { return math.Sqrt(variance(x, nil)) }

// nanMeanStd returns np.nanmean(x) and np.nanstd(x) (ddof=0): NaN values
// are left out; both are NaN when every value is NaN.
func nanMeanStd(x []float64) (m, s float64) {
	z := make([]float64, len(x))
	cnt := 0
	for i, v := range x {
		if !math.IsNaN(v) {
			z[i] = v
			cnt++
		}
	}
	if cnt == 0 {
		return math.NaN(), math.NaN()
	}
	m = numpy.Sum(z) / float64(cnt)
	for i, v := range x {
		if math.IsNaN(v) {
			z[i] = 0
			continue
		}
		e := v - m
		z[i] = e * e
	}
	return m, math.Sqrt(numpy.Sum(z) / float64(cnt))
}

// round5 returns np.round(x, 5).
func round5(x float64) float64 { return math.RoundToEven(x*1e5) / 1e5 }

// trapezoid returns np.trapz(y, x) as scikit-learn's auc uses it: the
// area under the piecewise-linear curve through (x[i], y[i]). x must be
// monotonic; auc reports NaN (scikit-learn raises) when it is not.
func trapezoid(x, y []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	dir := 1.0
	inc, dec := false, false
	for i := 1; i < len(x); i++ {
		switch d := x[i] - x[i-1]; {
		case d < 0:
			dec = true
		case d > 0:
			inc = true
		}
	}
	if dec {
		if inc {
			return math.NaN()
		}
		dir = -1
	}
	t := make([]float64, len(x)-1)
	for i := range t {
		t[i] = (x[i+1] - x[i]) * (y[i+1] + y[i]) / 2.0
	}
	return dir * numpy.Sum(t)
}

// argsort returns the indices that order x increasingly, equal values in
// increasing index order: np.argsort(x, kind="stable"). It reuses idx's
// storage. x must not hold NaN; −0 and +0 are equal.
//
// It is a least-significant-digit radix sort on the order-preserving bit
// pattern of each float, a byte at a time, skipping bytes that all keys
// share: stable by construction, and linear in len(x).
func argsort(x []float64, idx []int) []int {
	idx = idx[:0]
	for i := range x {
		idx = append(idx, i)
	}
	return reorder(x, idx)
}

// reorder sorts the indices in order by x[order[i]], stably: rows with
// equal x keep their relative order. It may reuse order's storage.
func reorder(x []float64, order []int) []int {
	n := len(order)
	idx := order
	if n < 2 {
		return idx
	}
	keys := make([]uint64, n)
	for j, i := range order {
		v := x[i]
		if v == 0 {
			v = 0 // −0 sorts as +0
		}
		b := math.Float64bits(v)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys[j] = b
	}
	tmpK := make([]uint64, n)
	tmpI := make([]int, n)
	for shift := 0; shift < 64; shift += 8 {
		var count [256]int
		for _, k := range keys {
			count[(k>>shift)&0xff]++
		}
		if count[(keys[0]>>shift)&0xff] == n {
			continue
		}
		pos := 0
		for b, c := range count {
			count[b] = pos
			pos += c
		}
		for j, k := range keys {
			b := (k >> shift) & 0xff
			tmpK[count[b]] = k
			tmpI[count[b]] = idx[j]
			count[b]++
		}
		keys, tmpK = tmpK, keys
		idx, tmpI = tmpI, idx
	}
	return idx
}
