package estimate

import (
	"slices"
	"testing"
)

func TestCalibrationDecisionMatchesScikitLearnSplits(t *testing.T) {
	g := readGolden(t)
	for _, c := range g.Calibration.Cases {
		pos := make([]bool, len(c.Y))
		for i, y := range c.Y {
			pos[i] = y == 1
		}
		before, after, ok := calibrationErrors(pos, c.P)
		if ok != (c.ECEBefore != nil) {
			t.Errorf("%s: ECE computed = %v, want %v", c.Name, ok, c.ECEBefore != nil)
		}
		if ok && (!near(before, *c.ECEBefore, 1e-15) || !near(after, *c.ECEAfter, 1e-15)) {
			t.Errorf("%s: ECE before, after = %v, %v, want %v, %v", c.Name, before, after, *c.ECEBefore, *c.ECEAfter)
		}
		if got := NeedsCalibration(pos, c.P); got != c.NeedsCalibration {
			t.Errorf("%s: NeedsCalibration = %v, want %v", c.Name, got, c.NeedsCalibration)
		}
	}
	for _, c := range g.Calibration.BinEdges {
		edges, ok := binEdges(c.N, c.Bins)
		if ok != (c.Edges != nil) || !slices.Equal(edges, c.Edges) {
			t.Errorf("binEdges(%d, %d) = %v, %v, want %v", c.N, c.Bins, edges, ok, c.Edges)
		}
	}
}

func TestNeedsCalibrationDegenerate(t *testing.T) {
	for name, c := range map[string]struct {
		pos    []bool
		scores []float64
	}{
		"empty":        {nil, nil},
		"single class": {[]bool{true, true, true}, []float64{0.1, 0.5, 0.9}},
		"too few rows": {[]bool{true, false, true, false}, []float64{0.6, 0.5, 0.4, 0.7}},
		"mismatch":     {[]bool{true}, []float64{0.1, 0.2}},
	} {
		if NeedsCalibration(c.pos, c.scores) {
			t.Errorf("%s: NeedsCalibration = true, want false", name)
		}
	}
}

func TestParseCalibration(t *testing.T) {
	for _, c := range []Calibration{CalibrateAuto, CalibrateAlways, CalibrateNever} {
		got, err := ParseCalibration(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCalibration(%q) = %v, %v", c.String(), got, err)
		}
	}
	if _, err := ParseCalibration("isotonic"); err == nil {
		t.Error("ParseCalibration(isotonic): no error")
	}
}
