package concept

import (
	"math"
	"math/bits"

	"github.com/modelwatch/modelwatch/internal/mt19937"
)

// Sampler draws the positions KSWIN compares with its newest values.
type Sampler interface {
	// Sample fills dst with len(dst) distinct integers from [0, n), in the
	// order drawn. KSWIN calls it with len(dst) = stat_size and
	// n = window_size − stat_size; positions count from the oldest value of
	// the window. KSWIN reduces a position outside [0, n) modulo n.
	Sample(dst []int, n int)
}

// pySampler is CPython's random.Random(seed).sample(range(n), k): a
// Mersenne Twister (MT19937) seeded by init_by_array with the seed's 32-bit
// words, _randbelow by rejection on getrandbits(n.bit_length()), and
// sample's two algorithms (a shrinking pool when n is small against k, a set
// of picks otherwise). It is what River's KSWIN draws with, so a KSWIN with
// this sampler and seed s reproduces River's KSWIN(seed=s).
type pySampler struct {
	seed uint64
	tw   mt19937.Twister

	pool   []int  // scratch for the pool algorithm
	picked []bool // scratch for the set algorithm
}

func newPySampler(seed uint64) *pySampler {
	s := &pySampler{seed: seed}
	s.reseed()
	return s
}

// reseed restarts the generator from the seed, as River's KSWIN does with
// random.Random(seed) on every reset.
func (s *pySampler) reseed() {
	key := [2]uint32{uint32(s.seed), uint32(s.seed >> 32)}
	n := 1 // CPython uses the significant words only, and one word for 0
	if key[1] != 0 {
		n = 2
	}
	s.tw.SeedByArray(key[:n])
}

// uint32 is genrand_uint32: the next tempered output of the twister.
func (s *pySampler) uint32() uint32 { return s.tw.Uint32() }

// getrandbits is random.getrandbits(k) for 1 ≤ k ≤ 64: whole 32-bit words,
// least significant first, the last one shifted down to its k bits.
func (s *pySampler) getrandbits(k int) uint64 {
	if k <= 32 {
		return uint64(s.uint32() >> (32 - k))
	}
	lo := uint64(s.uint32())
	hi := uint64(s.uint32() >> (64 - k))
	return hi<<32 | lo
}

// randbelow is random._randbelow_with_getrandbits(n) for n ≥ 1.
func (s *pySampler) randbelow(n int) int {
	k := bits.Len(uint(n))
	r := s.getrandbits(k)
	for r >= uint64(n) {
		r = s.getrandbits(k)
	}
	return int(r)
}

// Sample implements Sampler with random.Random.sample(range(n), len(dst)).
func (s *pySampler) Sample(dst []int, n int) {
	k := len(dst)
	if k == 0 || n <= 0 {
		clear(dst)
		return
	}
	if k > n { // CPython raises ValueError; KSWIN's config rules this out
		for i := range dst {
			dst[i] = i % n
		}
		return
	}
	setsize := 21
	if k > 5 {
		setsize += 1 << (2 * int(math.Ceil(math.Log(float64(k*3))/math.Log(4))))
	}
	if n <= setsize {
		if cap(s.pool) < n {
			s.pool = make([]int, n)
		}
		pool := s.pool[:n]
		for i := range pool {
			pool[i] = i
		}
		for i := range k {
			j := s.randbelow(n - i)
			dst[i] = pool[j]
			pool[j] = pool[n-i-1]
		}
		return
	}
	if len(s.picked) < n {
		s.picked = make([]bool, n)
	}
	for i := range k {
		j := s.randbelow(n)
		for s.picked[j] {
			j = s.randbelow(n)
		}
		s.picked[j] = true
		dst[i] = j
	}
	for _, j := range dst {
		s.picked[j] = false
	}
}
