package numpy

// Sum adds a the way np.sum does for a contiguous float64 array: blocks of
// up to 128 values are summed with eight interleaved accumulators and the
// blocks are combined pairwise (numpy/_core/src/umath/loops_utils.h.src).
// Reproducing NumPy's order keeps results bit-for-bit close to SciPy's and
// NannyML's.
func Sum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range a {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i+8 <= n; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	default:
		half := n / 2
		half -= half % 8
		return Sum(a[:half]) + Sum(a[half:])
	}
}
