package drift

import "math"

// pairwiseSum adds a the way NumPy's np.sum does for a contiguous float64
// array: blocks of up to 128 values are summed with eight interleaved
// accumulators and the blocks are combined pairwise. Reproducing NumPy's
// order keeps our results bit-for-bit close to SciPy's, well inside the
// 1e-9 relative tolerance we promise.
func pairwiseSum(a []float64) float64 {
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
		return pairwiseSum(a[:half]) + pairwiseSum(a[half:])
	}
}

// kahan is a Neumaier compensated accumulator. It is used where SciPy sums
// an array we never materialise (the CDF integrals of Wasserstein and
// energy distance); its result is within one rounding of the exact sum, so
// it differs from NumPy's pairwise sum by less than NumPy's own error.
type kahan struct {
	sum, c float64
}

// add accumulates v.
func (k *kahan) add(v float64) {
	t := k.sum + v
	if math.Abs(k.sum) >= math.Abs(v) {
		k.c += (k.sum - t) + v
	} else {
		k.c += (v - t) + k.sum
	}
	k.sum = t
}

// value returns the compensated total.
func (k *kahan) value() float64 { return k.sum + k.c }

// mean returns np.mean(a): the pairwise sum divided by the length.
func mean(a []float64) float64 {
	return pairwiseSum(a) / float64(len(a))
}

// populationVariance returns np.var(a) (ddof=0): the mean of the squared
// deviations from the mean, both computed with pairwise sums. buf is
// scratch space of at least len(a) values (it may be nil).
func populationVariance(a []float64, buf []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	m := mean(a)
	if cap(buf) < len(a) {
		buf = make([]float64, len(a))
	}
	buf = buf[:len(a)]
	for i, v := range a {
		d := v - m
		buf[i] = d * d
	}
	return pairwiseSum(buf) / float64(len(a))
}
