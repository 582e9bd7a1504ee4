package drift

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	gens := map[string]func(i int) float64{
		"normal":     func(int) float64 { return r.NormFloat64() },
		"integers":   func(int) float64 { return float64(r.IntN(50)) },
		"low bits":   func(i int) float64 { return math.Float64frombits(math.Float64bits(1.5) + uint64(r.IntN(1<<16))) },
		"descending": func(i int) float64 { return -float64(i) },
		"signed":     func(int) float64 { return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)) },
		"constant":   func(int) float64 { return 3 },
	}
	var s scratch
	for name, gen := range gens {
		for _, n := range []int{10, radixThreshold + 1, 100000} {
			a := make([]float64, n)
			for i := range a {
				a[i] = gen(i)
			}
			want := slices.Clone(a)
			slices.Sort(want)
			sortFloats(a, &s)
			if !slices.Equal(a, want) {
				t.Errorf("%s, n=%d: not sorted like slices.Sort", name, n)
			}
		}
	}
}

func BenchmarkSortFloats(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	src := make([]float64, 1_000_000)
	for i := range src {
		src[i] = math.Exp(r.NormFloat64())
	}
	a := make([]float64, len(src))
	var s scratch
	b.SetBytes(int64(8 * len(src)))
	for b.Loop() {
		copy(a, src)
		sortFloats(a, &s)
	}
}
