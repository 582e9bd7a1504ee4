package estimate

import (
	"math"
	"slices"
	"testing"
)

func TestIsotonicMatchesScikitLearn(t *testing.T) {
	for _, c := range readGolden(t).Isotonic {
		t.Run(c.Name, func(t *testing.T) {
			iso, err := FitIsotonic(c.X, c.Y, c.W)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(iso.X, c.XThresholds) {
				t.Errorf("X thresholds = %v, want %v", iso.X, c.XThresholds)
			}
			if len(iso.Y) != len(c.YThresholds) {
				t.Fatalf("%d y thresholds, want %d", len(iso.Y), len(c.YThresholds))
			}
			for i := range iso.Y {
				if !near(iso.Y[i], c.YThresholds[i], 1e-15) {
					t.Errorf("y threshold %d = %v, want %v (±1e-15)", i, iso.Y[i], c.YThresholds[i])
				}
			}
			for i, q := range c.Query {
				if got := iso.Predict(q); !near(got, c.Predict[i], 1e-15) {
					t.Errorf("Predict(%v) = %v, want %v (±1e-15)", q, got, c.Predict[i])
				}
			}
			for i, got := range iso.Transform(nil, c.Query) {
				if want := iso.Predict(c.Query[i]); got != want {
					t.Fatalf("Transform(%v) = %v, Predict = %v", c.Query[i], got, want)
				}
			}
		})
	}
}

func TestIsotonicInvariants(t *testing.T) {
	x := []float64{0.9, 0.1, 0.5, 0.3, 0.7, 0.5}
	y := []float64{1, 0, 1, 0, 0, 1}
	xc, yc := slices.Clone(x), slices.Clone(y)
	iso, err := FitIsotonic(x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, xc) || !slices.Equal(y, yc) {
		t.Error("FitIsotonic changed its inputs")
	}
	prev := math.Inf(-1)
	for q := -1.0; q <= 2; q += 0.01 {
		v := iso.Predict(q)
		if v < prev {
			t.Fatalf("Predict(%v) = %v < %v: not non-decreasing", q, v, prev)
		}
		if v < 0 || v > 1 {
			t.Fatalf("Predict(%v) = %v outside the range of y", q, v)
		}
		prev = v
	}
	if got := iso.Predict(math.NaN()); !math.IsNaN(got) {
		t.Errorf("Predict(NaN) = %v, want NaN", got)
	}
	if got := iso.Transform(nil, []float64{-5, 5}); got[0] != iso.Y[0] || got[1] != iso.Y[len(iso.Y)-1] {
		t.Errorf("Transform out of bounds = %v, want the end values (clip)", got)
	}
}

func TestFitIsotonicErrors(t *testing.T) {
	for name, c := range map[string]struct{ x, y, w []float64 }{
		"length mismatch": {[]float64{1, 2}, []float64{1}, nil},
		"weight mismatch": {[]float64{1, 2}, []float64{1, 2}, []float64{1}},
		"no points":       {nil, nil, nil},
		"all zero weight": {[]float64{1, 2}, []float64{1, 2}, []float64{0, 0}},
		"NaN x":           {[]float64{1, math.NaN()}, []float64{1, 2}, nil},
		"infinite y":      {[]float64{1, 2}, []float64{1, math.Inf(1)}, nil},
		"NaN weight":      {[]float64{1, 2}, []float64{1, 2}, []float64{1, math.NaN()}},
	} {
		if _, err := FitIsotonic(c.x, c.y, c.w); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
