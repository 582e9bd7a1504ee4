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
	// Sort by the top 48 bits first (passes 1 to 3). Keys that share those
	// bits differ by less than 2^-36 relative, so for most data the keys are
	// then already in order or nearly so: a bounded insertion sort finishes
	// the job, and only if it gives up does the lowest digit get its pass.
	src, dst := keys, tmp
	src, dst = radixPasses(src, dst, counts, 1, 4)
	if !insertionFinish(src, n/16) {
		src, dst = radixPasses(src, dst, counts, 0, 1)
		src, dst = radixPasses(src, dst, counts, 1, 4)
	}
	_ = dst
	for i, k := range src {
		if k>>63 != 0 {
			k &^= 1 << 63
		} else {
			k = ^k
		}
		a[i] = math.Float64frombits(k)
	}
}

// radixPasses runs the LSD passes for digits [from, to) of 16 bits,
// moving keys between src and dst; it returns the buffer holding the
// result and the other one. counts holds each digit's histogram and is
// consumed.
func radixPasses(src, dst []uint64, counts *[4][1 << 16]uint32, from, to int) ([]uint64, []uint64) {
	n := len(src)
	for pass := from; pass < to; pass++ {
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
		// Restore the histogram (start offsets became end offsets) so
		// that a later rerun of the pass works.
		prev := uint32(0)
		for i := range c {
			end := c[i]
			c[i] = end - prev
			prev = end
		}
		src, dst = dst, src
	}
	return src, dst
}

// insertionFinish sorts keys that are nearly sorted by insertion, giving
// up (and reporting false, with keys a permutation of the input) once more
// than budget elements had to move.
func insertionFinish(keys []uint64, budget int) bool {
	moves := 0
	for i := 1; i < len(keys); i++ {
		k := keys[i]
		if keys[i-1] <= k {
			continue
		}
		moves++
		if moves > budget {
			return false
		}
		j := i - 1
		for j >= 0 && keys[j] > k {
			keys[j+1] = keys[j]
			j--
		}
		keys[j+1] = k
	}
	return true
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
