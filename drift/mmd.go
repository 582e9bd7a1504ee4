package drift

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// mmdMaxValues bounds n_ref + n_cur for empirical_mmd, whose kernel matrix
// is quadratic in the sample size (Evidently holds several N x N matrices;
// we hold one triangle, 64 MiB at this bound).
const mmdMaxValues = 4096

// Test "empirical_mmd": a permutation test on the maximum mean
// discrepancy with a Gaussian (RBF) kernel.
//
// Statistic: with k(a,b) = exp(-gamma (a-b)^2), gamma = 1/(2 sigma^2) and
// sigma = sqrt(median/2) of the squared reference-reference distances
// (np.percentile method "nearest"; sqrt(1/2) if that is 0),
//
//	MMD = sum_{i!=j} k(x_i,x_j)/(n(n-1)) + sum_{i!=j} k(y_i,y_j)/(m(m-1)) - 2 mean k(x_i,y_j).
//
// Score: the share of 100 random permutations of the pooled sample
// (reference then current, in input order) whose MMD is at least the
// observed one. Evidently draws them from NumPy's unseeded global
// generator; we draw NumPy's permutations after np.random.seed(0), so
// results are reproducible (and equal Evidently's under that seed). The
// test is O(N^2) in time and memory, so columns with more than 4096 values
// in total are reported as not computable. Matches Evidently's
// `empirical_mmd` stattest within sampling error. Drift when
// p < threshold (default 0.1).
func runMMD(p *pair) (float64, error) {
	x, y := p.ref.seq, p.cur.seq
	nx, ny := len(x), len(y)
	N := nx + ny
	if nx < 2 || ny < 2 {
		return 0, fmt.Errorf("empirical_mmd needs at least two values in each sample")
	}
	if N > mmdMaxValues {
		return 0, fmt.Errorf("empirical_mmd is O(n^2) and limited to %d values in total, this column has %d", mmdMaxValues, N)
	}
	for _, v := range append(x[:len(x):len(x)], y...) {
		if math.Abs(v) > 1e150 {
			return 0, fmt.Errorf("empirical_mmd squares the values, and %g overflows float64", v)
		}
	}
	sigma := math.Sqrt(0.5 * mmdMedianSqDist(x))
	if sigma == 0 {
		sigma = math.Sqrt(0.5 * 1)
	}
	gamma := 1.0 / (2.0 * sigma * sigma)
	z := make([]float64, 0, N)
	z = append(z, x...)
	z = append(z, y...)
	// Upper triangle of the kernel matrix (zero diagonal) and row sums.
	tri := make([]float64, N*(N-1)/2)
	rows := make([]float64, N)
	at := func(i, j int) int { return i*N - i*(i+1)/2 + (j - i - 1) }
	for i := range N {
		for j := i + 1; j < N; j++ {
			d := (z[j]*z[j] - 2*(z[i]*z[j])) + z[i]*z[i]
			k := math.Exp(-gamma * d)
			tri[at(i, j)] = k
			rows[i] += k
			rows[j] += k
		}
	}
	total := numpy.Sum(rows)
	A := 1 / (float64(nx) * float64(nx-1))
	B := 1 / (float64(ny) * float64(ny-1))
	member := make([]int32, N)
	// mmd for the grouping where positions idx[:nx] form the reference.
	mmdOf := func(idx []int32) float64 {
		small, inX := idx[:nx], true
		if ny < nx {
			small, inX = idx[nx:], false
		}
		for i := range member {
			member[i] = 0
		}
		for _, v := range small {
			member[v] = 1
		}
		within := 0.0
		for _, a := range small {
			ai := int(a)
			for b := ai + 1; b < N; b++ {
				if member[b] == 1 {
					within += tri[at(ai, b)]
				}
			}
		}
		within *= 2
		rs := 0.0
		for _, a := range small {
			rs += rows[a]
		}
		cross := rs - within
		var kxx, kyy float64
		if inX {
			kxx = within
			kyy = (total - rs) - cross
		} else {
			kyy = within
			kxx = (total - rs) - cross
		}
		return A*kxx + B*kyy - 2.0*cross/(float64(nx)*float64(ny))
	}
	idx := make([]int32, N)
	for i := range idx {
		idx[i] = int32(i)
	}
	observed := mmdOf(idx)
	rng := numpy.NewRandomState(0)
	const rounds = 100
	hits := 0
	for range rounds {
		for i := range idx {
			idx[i] = int32(i)
		}
		numpy.Shuffle(rng, idx)
		if observed <= mmdOf(idx) {
			hits++
		}
	}
	return float64(hits) / rounds, nil
}

// mmdMedianSqDist is np.percentile(D.flatten(), 50, method="nearest") of
// the n x n matrix D[i][j] = (x_j^2 - 2 x_i x_j) + x_i^2 as Evidently
// computes it. It selects the order statistic by radix on the ordered bit
// patterns, in four passes over D without storing it.
func mmdMedianSqDist(x []float64) float64 {
	n := len(x)
	count := n * n
	rank := int(math.RoundToEven(float64(count-1) * 0.5))
	key := func(i, j int) uint64 {
		d := (x[j]*x[j] - 2*(x[i]*x[j])) + x[i]*x[i]
		k := math.Float64bits(d)
		if k>>63 != 0 {
			return ^k
		}
		return k | 1<<63
	}
	var prefix uint64
	hist := make([]int, 1<<16)
	for pass := range 4 {
		shift := uint(48 - 16*pass)
		clear(hist)
		for i := range n {
			for j := range n {
				k := key(i, j)
				if pass > 0 && k>>(shift+16) != prefix {
					continue
				}
				hist[(k>>shift)&0xffff]++
			}
		}
		for d, c := range hist {
			if rank < c {
				prefix = prefix<<16 | uint64(d)
				break
			}
			rank -= c
		}
	}
	if prefix>>63 != 0 {
		prefix &^= 1 << 63
	} else {
		prefix = ^prefix
	}
	return math.Float64frombits(prefix)
}
