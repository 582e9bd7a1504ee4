package drift

import (
	"math"
	"slices"
)

// radixThreshold is the length below which sortFloats uses the standard
// library's pdqsort; above it a four-pass LSD radix sort on the IEEE-754
// bit patterns is several times faster.
const radixThreshold = 4096

// sortFloats sorts a (finite values only, no NaN) ascending in place, using
// s for scratch space.
//
// Radix sorting orders -0 before +0; both compare equal everywhere we use
// the result, so the order between them does not matter.
func sortFloats(a []float64, s *scratch) {
	if len(a) < radixThreshold {
		slices.Sort(a)
		return
	}
	n := len(a)
	if cap(s.keys) < 2*n {
		s.keys = make([]uint64, 2*n)
	}
	keys, tmp := s.keys[:n], s.keys[n:2*n]
	if s.counts == nil {
		s.counts = new([4][1 << 16]uint32)
	}
	counts := s.counts
	*counts = [4][1 << 16]uint32{}
	for i, v := range a {
		k := math.Float64bits(v)
		if k>>63 != 0 {
			k = ^k
		} else {
			k |= 1 << 63
		}
		keys[i] = k
		counts[0][k&0xffff]++
		counts[1][(k>>16)&0xffff]++
		counts[2][(k>>32)&0xffff]++
		counts[3][k>>48]++
	}
	src, dst := keys, tmp
	for pass := range 4 {
		c := &counts[pass]
		shift := uint(16 * pass)
		if c[(src[0]>>shift)&0xffff] == uint32(n) {
			continue // every key has the same digit: nothing to move
		}
		var sum uint32
		for i := range c {
			cnt := c[i]
			c[i] = sum
			sum += cnt
		}
		for _, k := range src {
			d := (k >> shift) & 0xffff
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	for i, k := range src {
		if k>>63 != 0 {
			k &^= 1 << 63
		} else {
			k = ^k
		}
		a[i] = math.Float64frombits(k)
	}
}

// scratch holds reusable buffers of one worker goroutine.
type scratch struct {
	keys   []uint64
	counts *[4][1 << 16]uint32
	floats []float64
	refBuf []float64 // cleaned reference values (one-shot comparisons)
	curBuf []float64 // cleaned current values
}

// floatBuf returns a float64 buffer of length n, reusing s.floats.
func (s *scratch) floatBuf(n int) []float64 {
	if cap(s.floats) < n {
		s.floats = make([]float64, n)
	}
	return s.floats[:n]
}
