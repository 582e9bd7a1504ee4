package estimate

// mt19937 is the part of NumPy's legacy numpy.random.RandomState that
// scikit-learn's StratifiedShuffleSplit and NannyML's bootstrap use: the
// Mersenne Twister MT19937 seeded with an integer (init_genrand), and the
// bounded integers drawn by masked rejection sampling
// (numpy/random/src/distributions/distributions.c: random_interval,
// buffered_bounded_masked_uint32). Reproducing it lets the calibration
// decision use the very train/test splits NannyML uses.
type mt19937 struct {
	state [624]uint32
	pos   int
}

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// newMT19937 returns a generator seeded as np.random.RandomState(seed).
func newMT19937(seed uint32) *mt19937 {
	r := &mt19937{}
	r.state[0] = seed
	for i := 1; i < mtN; i++ {
		prev := r.state[i-1]
		r.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	r.pos = mtN
	return r
}

func (r *mt19937) generate() {
	var y uint32
	s := &r.state
	i := 0
	for ; i < mtN-mtM; i++ {
		y = (s[i] & mtUpperMask) | (s[i+1] & mtLowerMask)
		s[i] = s[i+mtM] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	}
	for ; i < mtN-1; i++ {
		y = (s[i] & mtUpperMask) | (s[i+1] & mtLowerMask)
		s[i] = s[i+(mtM-mtN)] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	}
	y = (s[mtN-1] & mtUpperMask) | (s[0] & mtLowerMask)
	s[mtN-1] = s[mtM-1] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	r.pos = 0
}

// uint32 returns the next tempered 32-bit output.
func (r *mt19937) uint32() uint32 {
	if r.pos == mtN {
		r.generate()
	}
	y := r.state[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// interval returns a uniform integer in [0, bound] by masked rejection
// (random_interval); bound must be below 2³².
func (r *mt19937) interval(bound uint32) uint32 {
	if bound == 0 {
		return 0
	}
	mask := bound
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.uint32() & mask; v <= bound {
			return v
		}
	}
}

// shuffle permutes x in place as RandomState.shuffle does for a 1-D array
// (Fisher-Yates from the end).
func (r *mt19937) shuffle(x []int) {
	for i := len(x) - 1; i >= 1; i-- {
		j := r.interval(uint32(i))
		x[i], x[j] = x[j], x[i]
	}
}

// permutation returns RandomState.permutation(n).
func (r *mt19937) permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.shuffle(p)
	return p
}

// intn returns RandomState.randint(0, n) for 0 < n ≤ 2³², one draw of
// np.random.choice(n, replace=True).
func (r *mt19937) intn(n int) int {
	return int(r.interval(uint32(n - 1)))
}
