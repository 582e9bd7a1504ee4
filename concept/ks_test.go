package concept

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// TestKSTwoSampleScipy checks the statistic and p-value against
// scipy.stats.ks_2samp(method="auto") on the cases of
// testdata/scipy/ks_2samp.json (made by gen_ks_2samp.py beside it).
func TestKSTwoSampleScipy(t *testing.T) {
	b, err := os.ReadFile("testdata/scipy/ks_2samp.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Name   string    `json:"name"`
			A      []float64 `json:"a"`
			B      []float64 `json:"b"`
			Stat   float64   `json:"stat"`
			PValue float64   `json:"p_value"`
		} `json:"cases"`
		ByNH [][3]float64 `json:"by_n_h"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.Cases {
		a, b := slices.Clone(c.A), slices.Clone(c.B)
		stat, p := ksTwoSample(a, b)
		if stat != c.Stat || math.Abs(p-c.PValue) > 1e-12 {
			t.Errorf("%s: KS(a, b) = %v, p %v, want %v, p %v (±1e-12; off by %.3g)", c.Name, stat, p, c.Stat, c.PValue, p-c.PValue)
		}
	}
	worst := 0.0
	for _, c := range golden.ByNH {
		n, h, want := int(c[0]), int(c[1]), c[2]
		p := ksProbOutsideSquare(n, h)
		if math.Abs(p-want) > 1e-12 {
			t.Errorf("P(D_{%d,%d} >= %d/%d) = %v, want %v (±1e-12)", n, n, h, n, p, want)
		}
		worst = max(worst, math.Abs(p-want))
	}
	t.Logf("largest difference from scipy over %d (n, h) pairs: %.3g", len(golden.ByNH), worst)
}

func TestKSTwoSampleProperties(t *testing.T) {
	tests := []struct {
		name    string
		a, b    []float64
		stat, p float64
	}{
		{"identical", []float64{3, 1, 2}, []float64{2, 3, 1}, 0, 1},
		{"empty", nil, nil, 0, 1},
		{"different sizes", []float64{1}, []float64{1, 2}, 0, 1},
		// P(D ≥ 1) for n = 2: 2·C(4, 0)/C(4, 2) = 1/3.
		{"disjoint n=2", []float64{0, 1}, []float64{5, 6}, 1, 1.0 / 3},
	}
	for _, tt := range tests {
		stat, p := ksTwoSample(tt.a, tt.b)
		if stat != tt.stat || math.Abs(p-tt.p) > 1e-15 {
			t.Errorf("%s: KS = %v, p %v, want %v, p %v", tt.name, stat, p, tt.stat, tt.p)
		}
	}
}

func TestKSProbOutsideSquareRange(t *testing.T) {
	for n := 1; n <= 120; n++ {
		prev := 1.0
		for h := 0; h <= n; h++ {
			p := ksProbOutsideSquare(n, h)
			if !(p >= 0 && p <= 1) || p > prev+1e-15 {
				t.Fatalf("P(D_{%d,%d} >= %d/%d) = %v, want in [0, %v]", n, n, h, n, p, prev)
			}
			prev = p
		}
	}
}
