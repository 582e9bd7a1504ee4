package drift_test

import "math"

// draw regenerates a uniformSpec sample exactly as generate.py does with
// NumPy: RandomState(seed).random_sample(n) (53-bit doubles from the
// Mersenne Twister), raised to a power by repeated multiplication, scaled,
// shifted and optionally floored to a step. Explicit float64 conversions
// stop the compiler from fusing multiply-adds, so each operation rounds as
// NumPy's does.
func (s uniformSpec) draw() []float64 {
	mt := newTestMT(s.Seed)
	out := make([]float64, s.N)
	for i := range out {
		a, b := mt.next()>>5, mt.next()>>6
		u := (float64(a)*67108864.0 + float64(b)) / 9007199254740992.0
		x := u
		for k := 1; k < s.Power; k++ {
			x = float64(x * u)
		}
		x = float64(x*s.Scale) + s.Shift
		if s.Step > 0 {
			x = float64(math.Floor(x/s.Step) * s.Step)
		}
		out[i] = x
	}
	return out
}

// testMT is MT19937 for the tests (the package's own is unexported).
type testMT struct {
	mt  [624]uint32
	idx int
}

func newTestMT(seed uint32) *testMT {
	r := &testMT{idx: 624}
	r.mt[0] = seed
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	return r
}

func (r *testMT) next() uint32 {
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
