package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/estimate"
)

// TestEstimateMetrics publishes the newest chunk's estimates and, apart
// from them, the estimation error of a labelled chunk.
func TestEstimateMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e, err := NewEstimateMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	k := modelwatch.ModelKey{Name: "churn", Version: "v2"}
	newest := estimate.ChunkResult{Metrics: []estimate.MetricResult{
		{Name: "accuracy", Value: 0.6, LowerThreshold: 0.8, UpperThreshold: 1},
		{Name: "true_positive", Value: 12}, // confusion-matrix cells are not exported
	}}
	labelled := estimate.ChunkResult{Metrics: []estimate.MetricResult{
		{Name: "accuracy", Value: 0.75, Realized: 0.5, HasRealized: true},
		{Name: "f1", Value: 0.7, Realized: math.NaN(), HasRealized: true},
		{Name: "roc_auc", Value: 0.9},
	}}
	e.Estimated(k, newest)
	e.EstimationError(k, labelled)
	want := `
# HELP model_estimated_accuracy CBPE estimate of accuracy over the latest chunk of predictions, from their probabilities alone (assumes calibrated probabilities and no concept drift).
# TYPE model_estimated_accuracy gauge
model_estimated_accuracy{model_name="churn",model_version="v2"} 0.6
# HELP model_estimated_accuracy_lower_threshold Lower alert threshold of the accuracy estimate: mean minus 3 standard deviations over the reference chunks.
# TYPE model_estimated_accuracy_lower_threshold gauge
model_estimated_accuracy_lower_threshold{model_name="churn",model_version="v2"} 0.8
# HELP model_estimation_error Estimated minus realised metric on the newest recently estimated chunk (the last 20 within 7 days) that is at least half labelled; absent until such a chunk exists.
# TYPE model_estimation_error gauge
model_estimation_error{metric="accuracy",model_name="churn",model_version="v2"} 0.25
`
	names := []string{"model_estimated_accuracy", "model_estimated_accuracy_lower_threshold", "model_estimation_error"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// A newer chunk's estimates leave the error alone; a version without a
	// labelled chunk has none.
	e.Estimated(k, labelled)
	if n := testutil.CollectAndCount(e.errors); n != 1 {
		t.Errorf("%d estimation-error gauges after a new estimate, want 1", n)
	}
	e.EstimationError(k, estimate.ChunkResult{})
	if n := testutil.CollectAndCount(e.errors); n != 0 {
		t.Errorf("%d estimation-error gauges without a labelled chunk, want 0", n)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
