package drift

// mt19937 is the Mersenne Twister behind NumPy's legacy global random
// state. Evidently's permutation tests seed it with np.random.seed(0) and
// draw permutations from it; generating the same permutations lets our
// permutation p-values equal Evidently's instead of merely agreeing within
// sampling error.
type mt19937 struct {
	mt  [624]uint32
	idx int
}

// newMT19937 seeds the generator as np.random.seed(seed) does for an
// integer seed (Matsumoto and Nishimura's init_genrand).
func newMT19937(seed uint32) *mt19937 {
	r := &mt19937{idx: 624}
	r.mt[0] = seed
	for i := 1; i < 624; i++ {
		prev := r.mt[i-1]
		r.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return r
}

// uint32 returns the next 32-bit output.
func (r *mt19937) uint32() uint32 {
	if r.idx >= 624 {
		for k := range 624 {
			y := (r.mt[k] & 0x80000000) | (r.mt[(k+1)%624] & 0x7fffffff)
			v := r.mt[(k+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[k] = v
		}
		r.idx = 0
	}
	y := r.mt[r.idx]
	r.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// interval returns a uniform integer in [0, limit] by masked rejection,
// as NumPy's random_interval does for limits below 2^32.
func (r *mt19937) interval(limit uint32) uint32 {
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
		v := r.uint32() & mask
		if v <= limit {
			return v
		}
	}
}

// shuffleInt32 permutes a in place exactly as NumPy's legacy shuffle does:
// Fisher-Yates from the last position down.
func (r *mt19937) shuffleInt32(a []int32) {
	for i := len(a) - 1; i > 0; i-- {
		j := r.interval(uint32(i))
		a[i], a[j] = a[j], a[i]
	}
}
