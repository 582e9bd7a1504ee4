package concept

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestPySamplerCPython checks the default KSWIN sampler against CPython's
// random.Random(seed).sample(range(n), k), recorded by
// testdata/cpython/gen_sample.py.
func TestPySamplerCPython(t *testing.T) {
	b, err := os.ReadFile("testdata/cpython/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Seed    uint64  `json:"seed"`
			N       int     `json:"n"`
			K       int     `json:"k"`
			Samples [][]int `json:"samples"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.Cases {
		s := newPySampler(c.Seed)
		for j, want := range c.Samples {
			got := make([]int, c.K)
			s.Sample(got, c.N)
			if !slices.Equal(got, want) {
				t.Errorf("Random(%d).sample(range(%d), %d) #%d = %v, want %v", c.Seed, c.N, c.K, j, got, want)
				break
			}
		}
	}
}

func TestPySamplerReseed(t *testing.T) {
	s := newPySampler(42)
	first := make([]int, 30)
	s.Sample(first, 70)
	s.Sample(make([]int, 30), 70)
	s.reseed()
	again := make([]int, 30)
	s.Sample(again, 70)
	if !slices.Equal(first, again) {
		t.Errorf("after reseed sample = %v, want %v", again, first)
	}
}

func TestPySamplerEdges(t *testing.T) {
	s := newPySampler(1)
	dst := []int{7, 7, 7}
	s.Sample(dst, 0)
	if !slices.Equal(dst, []int{0, 0, 0}) {
		t.Errorf("Sample(3 of 0) = %v, want zeros", dst)
	}
	s.Sample(dst, 2) // more than the population: cycles, never panics
	for _, j := range dst {
		if j < 0 || j >= 2 {
			t.Errorf("Sample(3 of 2) = %v, want values in [0, 2)", dst)
		}
	}
}
