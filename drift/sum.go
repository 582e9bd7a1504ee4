package drift

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

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
	return numpy.Sum(a) / float64(len(a))
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
	return numpy.Sum(buf) / float64(len(a))
}
