package estimate

import (
	"slices"
	"testing"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

func TestMT19937MatchesNumPyRandomState(t *testing.T) {
	for _, c := range readGolden(t).Numpy.Draws {
		r := numpy.NewRandomState(c.Seed)
		for i, want := range c.Uint32 {
			if got := r.Uint32(); got != want {
				t.Errorf("RandomState(%d) draw %d = %d, want %d", c.Seed, i, got, want)
			}
		}
		if got := numpy.NewRandomState(c.Seed).Permutation(23); !slices.Equal(got, c.Perm23) {
			t.Errorf("RandomState(%d).Permutation(23) = %v, want %v", c.Seed, got, c.Perm23)
		}
		r = numpy.NewRandomState(c.Seed)
		got := make([]int, len(c.Choice1000))
		for i := range got {
			got[i] = r.Intn(1000)
		}
		if !slices.Equal(got, c.Choice1000) {
			t.Errorf("seed(%d); choice(1000, 7) = %v, want %v", c.Seed, got, c.Choice1000)
		}
	}
}
