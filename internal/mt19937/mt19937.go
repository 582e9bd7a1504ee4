package mt19937

const (
	n         = 624
	m         = 397
	matrixA   = 0x9908b0df
	upperMask = 0x80000000
	lowerMask = 0x7fffffff
)

// Twister is an MT19937 generator. The zero value must be seeded before use.
type Twister struct {
	mt [n]uint32
	i  int
}

// Seed seeds the generator with one 32-bit word (init_genrand), as
// np.random.seed(seed) does for an integer seed.
func (t *Twister) Seed(seed uint32) {
	t.mt[0] = seed
	for i := 1; i < n; i++ {
		t.mt[i] = 1812433253*(t.mt[i-1]^(t.mt[i-1]>>30)) + uint32(i)
	}
	t.i = n
}

// SeedByArray seeds the generator with a key of 32-bit words
// (init_by_array), as CPython's random.seed does with an integer's words.
func (t *Twister) SeedByArray(key []uint32) {
	t.Seed(19650218)
	i, j := 1, 0
	for k := max(n, len(key)); k > 0; k-- {
		t.mt[i] = (t.mt[i] ^ ((t.mt[i-1] ^ (t.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= n {
			t.mt[0] = t.mt[n-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := n - 1; k > 0; k-- {
		t.mt[i] = (t.mt[i] ^ ((t.mt[i-1] ^ (t.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= n {
			t.mt[0] = t.mt[n-1]
			i = 1
		}
	}
	t.mt[0] = 0x80000000
}

// Uint32 returns the next tempered 32-bit output (genrand_uint32).
func (t *Twister) Uint32() uint32 {
	if t.i >= n {
		for k := range n {
			y := t.mt[k]&upperMask | t.mt[(k+1)%n]&lowerMask
			next := t.mt[(k+m)%n] ^ y>>1
			if y&1 != 0 {
				next ^= matrixA
			}
			t.mt[k] = next
		}
		t.i = 0
	}
	y := t.mt[t.i]
	t.i++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}
