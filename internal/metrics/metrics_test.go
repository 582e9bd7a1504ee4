package metrics_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/metrics"
)

// lint fails the test when the registry's exposition has problems.
func lint(t *testing.T, reg *prometheus.Registry) {
	t.Helper()
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// series returns the label values of every series of a metric, as
// "a,b,c" strings in label name order, sorted.
func series(t *testing.T, reg *prometheus.Registry, name string) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var vs []string
			for _, lp := range m.GetLabel() {
				vs = append(vs, lp.GetValue())
			}
			out = append(out, strings.Join(vs, ","))
		}
	}
	slices.Sort(out)
	return out
}

func prediction(name, version, class string) *modelwatch.Prediction {
	ms := 12.0
	return &modelwatch.Prediction{ModelName: name, ModelVersion: version, Prediction: modelwatch.Label(class), Latency: modelwatch.Latency{InferenceMs: &ms}}
}

// TestModelVersionCap checks that past MaxModelVersions the counters and
// histograms of new versions go to model_version __other__ (and model_name
// __other__ for new models), that the overflow is counted and warned about
// once, and that admitted versions keep their own series.
func TestModelVersionCap(t *testing.T) {
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	m, err := metrics.New(reg, metrics.Options{MaxModelVersions: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{{"churn", "1"}, {"churn", "2"}, {"churn", "3"}, {"churn", "4"}, {"fraud", "1"}, {"churn", "1"}} {
		m.ObservePrediction(prediction(k[0], k[1], "yes"))
	}
	m.ObserveError(&modelwatch.PredictionError{ModelName: "churn", ModelVersion: "9", ErrorType: "timeout"})
	m.ObserveError(&modelwatch.PredictionError{ModelName: "churn", ModelVersion: "2", ErrorType: "timeout"})
	m.ObserveGroundTruth(modelwatch.ModelKey{Name: "spam", Version: "7"}, 3)

	if got, want := series(t, reg, "model_predictions_total"), []string{"__other__,__other__,yes", "churn,1,yes", "churn,2,yes", "churn,__other__,yes"}; !slices.Equal(got, want) {
		t.Errorf("model_predictions_total series = %q, want %q", got, want)
	}
	if got, want := series(t, reg, "model_inference_duration_seconds"), []string{"__other__,__other__", "churn,1", "churn,2", "churn,__other__"}; !slices.Equal(got, want) {
		t.Errorf("model_inference_duration_seconds series = %q, want %q", got, want)
	}
	if got, want := series(t, reg, "model_prediction_errors_total"), []string{"timeout,churn,2", "timeout,churn,__other__"}; !slices.Equal(got, want) {
		t.Errorf("model_prediction_errors_total series = %q, want %q", got, want)
	}
	if got, want := series(t, reg, "model_ground_truth_received_total"), []string{"__other__,__other__", "churn,1", "churn,2", "churn,__other__"}; !slices.Equal(got, want) {
		t.Errorf("model_ground_truth_received_total series = %q, want %q", got, want)
	}
	// Overflowing uses: churn/3, churn/4 and fraud/1 (each counted once per
	// prediction), churn/9 and spam/7.
	want := `
# HELP modelwatch_metric_series_overflow_total Updates recorded under the label value __other__ because the label's cap was reached, by label (model_version: --max-model-versions; predicted_class, error_type: --max-label-values per model version).
# TYPE modelwatch_metric_series_overflow_total counter
modelwatch_metric_series_overflow_total{label="error_type"} 0
modelwatch_metric_series_overflow_total{label="model_version"} 5
modelwatch_metric_series_overflow_total{label="predicted_class"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "modelwatch_metric_series_overflow_total"); err != nil {
		t.Error(err)
	}
	if n := strings.Count(logs.String(), "cap reached"); n != 1 || !strings.Contains(logs.String(), "label=model_version limit=2") {
		t.Errorf("warnings = %d, want 1 naming the label and limit:\n%s", n, logs.String())
	}
	lint(t, reg)
}

// TestLabelValueCap checks the per-version cap on predicted classes and
// error types, and that it counts its overflow.
func TestLabelValueCap(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{MaxLabelValues: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range []string{"a", "b", "c", "d", "a"} {
		m.ObservePrediction(prediction("m", "1", class))
	}
	m.ObservePrediction(prediction("m", "2", "c")) // another version has its own classes
	for _, et := range []string{"x", "y", "z"} {
		m.ObserveError(&modelwatch.PredictionError{ModelName: "m", ModelVersion: "1", ErrorType: et})
	}
	if got, want := series(t, reg, "model_predictions_total"), []string{"m,1,__other__", "m,1,a", "m,1,b", "m,2,c"}; !slices.Equal(got, want) {
		t.Errorf("model_predictions_total series = %q, want %q", got, want)
	}
	if got, want := series(t, reg, "model_prediction_errors_total"), []string{"__other__,m,1", "x,m,1", "y,m,1"}; !slices.Equal(got, want) {
		t.Errorf("model_prediction_errors_total series = %q, want %q", got, want)
	}
	want := `
# HELP modelwatch_metric_series_overflow_total Updates recorded under the label value __other__ because the label's cap was reached, by label (model_version: --max-model-versions; predicted_class, error_type: --max-label-values per model version).
# TYPE modelwatch_metric_series_overflow_total counter
modelwatch_metric_series_overflow_total{label="error_type"} 1
modelwatch_metric_series_overflow_total{label="model_version"} 0
modelwatch_metric_series_overflow_total{label="predicted_class"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "modelwatch_metric_series_overflow_total"); err != nil {
		t.Error(err)
	}
	lint(t, reg)
}

// TestDefaultModelVersionCap checks the default cap: 1000 versions.
func TestDefaultModelVersionCap(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range metrics.DefaultMaxModelVersions + 50 {
		m.ObserveError(&modelwatch.PredictionError{ModelName: "m", ModelVersion: fmt.Sprint(i), ErrorType: "timeout"})
	}
	if n := len(series(t, reg, "model_prediction_errors_total")); n != metrics.DefaultMaxModelVersions+1 {
		t.Errorf("%d series of model_prediction_errors_total for %d versions, want %d", n, metrics.DefaultMaxModelVersions+50, metrics.DefaultMaxModelVersions+1)
	}
}
