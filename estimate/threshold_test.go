package estimate

import (
	"math"
	"testing"
)

func TestStandardDeviationThreshold(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	lo, hi := DefaultThreshold().Bounds(x)
	// NannyML's docstring: -4.116843969807043 13.116843969807043.
	if lo != -4.116843969807043 || hi != 13.116843969807043 {
		t.Errorf("Bounds(0..9) = %v, %v", lo, hi)
	}
	lo, hi = StandardDeviationThreshold{LowerMultiplier: math.NaN(), UpperMultiplier: 1}.Bounds(x)
	if !math.IsNaN(lo) || !near(hi, 4.5+2.8722813232690143, 1e-15) {
		t.Errorf("one-sided Bounds = %v, %v", lo, hi)
	}
	lo, hi = DefaultThreshold().Bounds([]float64{math.NaN(), math.NaN()})
	if !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Bounds(all NaN) = %v, %v, want NaN", lo, hi)
	}
}

func TestClipBounds(t *testing.T) {
	for _, c := range []struct{ lo, hi, wantLo, wantHi float64 }{
		{-0.2, 1.3, 0, 1},
		{0, 1, 0, 1},
		{0.2, 0.9, 0.2, 0.9},
		{math.NaN(), 0.9, math.NaN(), 0.9},
	} {
		lo, hi := clipBounds(c.lo, c.hi, 0, 1)
		if !near(lo, c.wantLo, 0) || !near(hi, c.wantHi, 0) {
			t.Errorf("clipBounds(%v, %v) = %v, %v, want %v, %v", c.lo, c.hi, lo, hi, c.wantLo, c.wantHi)
		}
	}
	if _, hi := clipBounds(0, 1e9, 0, math.Inf(1)); hi != 1e9 {
		t.Errorf("open upper limit clipped %v", hi)
	}
}

func TestThresholdOptions(t *testing.T) {
	d := Data{Scores: [][]float64{{0.1, 0.9, 0.8, 0.3, 0.6, 0.4, 0.7, 0.2, 0.95, 0.05}}, Pred: []int{0, 1, 1, 0, 1, 0, 1, 0, 1, 0}, Label: []int{0, 1, 1, 1, 0, 0, 1, 0, 1, 0}}
	e, err := Fit(d, Options{
		Metrics:    []Metric{Accuracy, F1},
		Chunker:    SizeChunker{Size: 5},
		Thresholds: map[Metric]Threshold{Accuracy: ConstantThreshold{Lower: 0.9, Upper: math.NaN()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, ok := e.Thresholds("accuracy")
	if !ok || lo != 0.9 || !math.IsNaN(hi) {
		t.Errorf("accuracy thresholds %v, %v, %v, want 0.9, NaN", lo, hi, ok)
	}
	if len(e.Warnings()) == 0 {
		t.Error("2 reference chunks: no warning")
	}
	for name, th := range map[string]Threshold{
		"negative multiplier": StandardDeviationThreshold{LowerMultiplier: -1, UpperMultiplier: 3},
		"inverted constant":   ConstantThreshold{Lower: 0.9, Upper: 0.1},
	} {
		if _, err := Fit(d, Options{Chunker: SizeChunker{Size: 5}, Threshold: th}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
