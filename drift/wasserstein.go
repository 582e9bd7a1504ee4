package drift

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "wasserstein": the first Wasserstein distance, normed.
//
// Score: scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001),
// where W1 = integral |F_ref(x) - F_cur(x)| dx over the empirical CDFs and
// np.std is the population standard deviation (ddof=0) of the reference.
// Matches Evidently's `wasserstein` stattest ("Wasserstein distance
// (normed)"). Drift when W >= threshold (default 0.1).
func runWasserstein(p *pair) (float64, error) {
	w := cdfDistance(p.ref.sorted, p.cur.sorted, 1)
	return w / math.Max(p.ref.std, 0.001), nil
}

// cdfDistance is SciPy's _cdf_distance for sorted samples u and v:
// (sum over consecutive pooled values of |F_u - F_v|^power * gap)^(1/power)
// for power 1 or 2. Repeated values contribute zero-width gaps, which we
// skip.
func cdfDistance(u, v []float64, power int) float64 {
	nu, nv := float64(len(u)), float64(len(v))
	var acc blockSum
	i, j := 0, 0
	for i < len(u) || j < len(v) {
		var x float64
		if j >= len(v) || (i < len(u) && u[i] <= v[j]) {
			x = u[i]
		} else {
			x = v[j]
		}
		for i < len(u) && u[i] <= x {
			i++
		}
		for j < len(v) && v[j] <= x {
			j++
		}
		if i == len(u) && j == len(v) {
			break // the last pooled value closes the integral
		}
		var next float64
		if j >= len(v) || (i < len(u) && u[i] <= v[j]) {
			next = u[i]
		} else {
			next = v[j]
		}
		diff := math.Abs(float64(i)/nu - float64(j)/nv)
		if power == 2 {
			diff *= diff
		}
		acc.add(diff * (next - x))
	}
	if power == 2 {
		return math.Sqrt(acc.value())
	}
	return acc.value()
}

// blockSum adds a stream of terms pairwise, as np.sum adds an array: terms
// are summed in blocks of 128 and the block sums pairwise, without keeping
// the whole stream.
type blockSum struct {
	buf    [128]float64
	n      int
	blocks []float64
}

// add appends a term.
func (b *blockSum) add(v float64) {
	b.buf[b.n] = v
	b.n++
	if b.n == len(b.buf) {
		b.blocks = append(b.blocks, numpy.Sum(b.buf[:]))
		b.n = 0
	}
}

// value returns the sum of the terms.
func (b *blockSum) value() float64 {
	if b.n > 0 {
		b.blocks = append(b.blocks, numpy.Sum(b.buf[:b.n]))
		b.n = 0
	}
	return numpy.Sum(b.blocks)
}
