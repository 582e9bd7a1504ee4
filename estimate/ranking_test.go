package estimate

import (
	"math"
	"testing"
)

func TestRankingMetricsMatchScikitLearn(t *testing.T) {
	for _, c := range readGolden(t).BinaryClf {
		pos := make([]bool, len(c.Y))
		for i, y := range c.Y {
			pos[i] = y == 1
		}
		if got := rocAUC(pos, c.Score); !near(got, c.ROCAUC, 1e-15) {
			t.Errorf("%s: rocAUC = %v, want roc_auc_score %v", c.Name, got, c.ROCAUC)
		}
		if got := averagePrecision(pos, c.Score); !near(got, c.AveragePrecision, 1e-15) {
			t.Errorf("%s: averagePrecision = %v, want average_precision_score %v", c.Name, got, c.AveragePrecision)
		}
	}
}

func TestRankingSpecialCases(t *testing.T) {
	if got := rocAUC([]bool{true, true}, []float64{0.2, 0.4}); !math.IsNaN(got) {
		t.Errorf("rocAUC one class = %v, want NaN", got)
	}
	if got := averagePrecision([]bool{false, false}, []float64{0.2, 0.4}); got != 0 {
		t.Errorf("averagePrecision no positive = %v, want 0 as scikit-learn", got)
	}
	// Calibrated probabilities that are all 0 or all 1 leave one rate
	// undefined.
	if got := estimatedROCAUC([]float64{0, 0}, []float64{0.1, 0.2}); !math.IsNaN(got) {
		t.Errorf("estimatedROCAUC all zero = %v, want NaN", got)
	}
	if got := estimatedROCAUC([]float64{1, 1}, []float64{0.1, 0.2}); !math.IsNaN(got) {
		t.Errorf("estimatedROCAUC all one = %v, want NaN", got)
	}
	if got := estimatedAP(nil, nil); !math.IsNaN(got) {
		t.Errorf("estimatedAP empty = %v, want NaN", got)
	}
	// A perfectly separating, perfectly confident model.
	if got := estimatedROCAUC([]float64{0, 1, 0, 1}, []float64{0.1, 0.9, 0.2, 0.8}); got != 1 {
		t.Errorf("estimatedROCAUC separable = %v, want 1", got)
	}
	if got := estimatedAP([]float64{0, 1, 0, 1}, []float64{0.1, 0.9, 0.2, 0.8}); got != 1 {
		t.Errorf("estimatedAP separable = %v, want 1", got)
	}
}
