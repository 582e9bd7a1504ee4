package numpy

import "github.com/modelwatch/modelwatch/internal/mt19937"

// RandomState is NumPy's legacy numpy.random.RandomState seeded with an
// integer.
type RandomState struct {
	tw mt19937.Twister
}

// NewRandomState returns a generator seeded as np.random.RandomState(seed)
// (or np.random.seed(seed)).
func NewRandomState(seed uint32) *RandomState {
	r := &RandomState{}
	r.tw.Seed(seed)
	return r
}

// Uint32 returns the next 32-bit output.
func (r *RandomState) Uint32() uint32 { return r.tw.Uint32() }

// Interval returns a uniform integer in [0, limit] by masked rejection, as
// NumPy's random_interval does for limits below 2³².
func (r *RandomState) Interval(limit uint32) uint32 {
	if limit == 0 {
		return 0
	}
	mask := limit
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.tw.Uint32() & mask; v <= limit {
			return v
		}
	}
}

// Intn returns RandomState.randint(0, n) for 0 < n ≤ 2³²: one draw of
// np.random.choice(n, replace=True).
func (r *RandomState) Intn(n int) int { return int(r.Interval(uint32(n - 1))) }

// Shuffle permutes x in place as RandomState.shuffle does for a 1-D array:
// Fisher-Yates from the last position down.
func Shuffle[T any](r *RandomState, x []T) {
	for i := len(x) - 1; i > 0; i-- {
		j := r.Interval(uint32(i))
		x[i], x[j] = x[j], x[i]
	}
}

// Permutation returns RandomState.permutation(n).
func (r *RandomState) Permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	Shuffle(r, p)
	return p
}
