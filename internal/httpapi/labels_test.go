package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch/internal/httpapi"
)

type gtResponse struct {
	Received, Joined, Relabelled, Unchanged, Pending int
}

func TestGroundTruthAndWindowGauges(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	// 150 predictions; labels for 120 of them, 30 of which arrive before
	// their prediction.
	var preds, early, late strings.Builder
	for i := range 150 {
		class := []string{"cat", "dog", "bird"}[i%3]
		fmt.Fprintf(&preds, `{"id":"p%d","model_name":"pets","model_version":"2","prediction":%q,"confidence":0.9}`+"\n", i, class)
		truth := class
		if i%5 == 0 {
			truth = "dog" // 20 % wrong (or right, for dogs)
		}
		switch {
		case i < 30:
			fmt.Fprintf(&early, `{"id":"p%d","ground_truth":%q}`+"\n", i, truth)
		case i < 120:
			fmt.Fprintf(&late, `{"id":"p%d","ground_truth":%q}`+"\n", i, truth)
		}
	}
	var gr gtResponse
	r := s.do("POST", "/api/v1/ground-truth", "application/x-ndjson", []byte(early.String()))
	r.decode(t, &gr)
	if r.status != 200 || gr.Pending != 30 || gr.Joined != 0 {
		t.Fatalf("labels before predictions: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(preds.String())); r.status != 200 {
		t.Fatalf("predictions: %d %s", r.status, r.body)
	}
	// 30 labelled: the count gauge exists, the performance gauges not yet.
	if got := gauge(t, s, "model_window_labelled_predictions"); got != 30 {
		t.Errorf("model_window_labelled_predictions = %v, want 30", got)
	}
	if n := seriesCount(t, s, "model_accuracy"); n != 0 {
		t.Errorf("model_accuracy published with 30 labels (%d series), want none before 100", n)
	}
	r = s.do("POST", "/api/v1/ground-truth", "application/x-ndjson", []byte(late.String()))
	r.decode(t, &gr)
	if r.status != 200 || gr.Joined != 90 || gr.Pending != 0 || gr.Received != 90 {
		t.Fatalf("labels after predictions: %d %s", r.status, r.body)
	}
	// 120 labels, 24 of them (i%5==0) say dog: wrong unless the prediction
	// was dog (i%3==1): i%15==10 → 8 of the 24 are right. Accuracy 104/120.
	if got := gauge(t, s, "model_accuracy"); abs(got-104.0/120) > 1e-12 {
		t.Errorf("model_accuracy = %v, want %v", got, 104.0/120)
	}
	for _, name := range []string{"model_precision", "model_recall", "model_f1_score"} {
		if v := gauge(t, s, name); v <= 0 || v > 1 {
			t.Errorf("%s = %v, want in (0, 1]", name, v)
		}
	}
	if got := gauge(t, s, "model_recall"); abs(got-104.0/120) > 1e-12 {
		t.Errorf("model_recall = %v, want accuracy (weighted recall equals accuracy)", got)
	}
	if got := gauge(t, s, "model_ground_truth_received_total"); got != 120 {
		t.Errorf("model_ground_truth_received_total = %v, want 120", got)
	}
	// A correction and a repeat.
	r = s.post("/api/v1/ground-truth", `[{"id":"p1","ground_truth":"cat"},{"id":"p2","ground_truth":"bird"},{"id":"unknown","ground_truth":1}]`)
	r.decode(t, &gr)
	if gr.Relabelled != 1 || gr.Unchanged != 1 || gr.Pending != 1 {
		t.Errorf("correction: %s", r.body)
	}
	if got := gauge(t, s, "model_accuracy"); abs(got-103.0/120) > 1e-12 {
		t.Errorf("model_accuracy after a correction = %v, want %v", got, 103.0/120)
	}
	st := s.stats("")
	if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != 0.8 {
		t.Errorf("ground_truth_coverage = %v, want 0.8", st.GroundTruthCoverage)
	}
	// Invalid labels: every row reported, nothing stored.
	r = s.post("/api/v1/ground-truth", `[{"id":"p121","ground_truth":"cat"},{"ground_truth":"x"},{"id":"p122"},{"id":"p123","ground_truth":{"a":1}}]`)
	var e errorResponse
	r.decode(t, &e)
	if r.status != 400 || len(e.Error.Details) != 3 {
		t.Errorf("invalid labels: %d %s", r.status, r.body)
	}
	if got := gauge(t, s, "model_window_labelled_predictions"); got != 120 {
		t.Errorf("after a rejected label batch the window holds %v, want 120", got)
	}
}

func TestErrorsEndpointAndCardinalityCap(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	var b strings.Builder
	for i := range 8 {
		fmt.Fprintf(&b, `{"model_name":"m","model_version":"1","error_type":"E%d"}`+"\n", i)
	}
	r := s.do("POST", "/api/v1/errors", "application/x-ndjson", []byte(b.String()))
	if r.status != 200 {
		t.Fatalf("errors: %d %s", r.status, r.body)
	}
	r = s.post("/api/v1/errors", `{"model_name":"m","model_version":"1"}`)
	if r.status != 400 {
		t.Errorf("error without error_type: %d %s", r.status, r.body)
	}
	// The stack caps user-supplied label values at 5 per model version.
	want := `
# HELP model_prediction_errors_total Total prediction errors: calls in which the model service failed to answer, by error type (capped like predicted_class).
# TYPE model_prediction_errors_total counter
model_prediction_errors_total{error_type="E0",model_name="m",model_version="1"} 1
model_prediction_errors_total{error_type="E1",model_name="m",model_version="1"} 1
model_prediction_errors_total{error_type="E2",model_name="m",model_version="1"} 1
model_prediction_errors_total{error_type="E3",model_name="m",model_version="1"} 1
model_prediction_errors_total{error_type="E4",model_name="m",model_version="1"} 1
model_prediction_errors_total{error_type="__other__",model_name="m",model_version="1"} 3
`
	if err := testutil.GatherAndCompare(s.reg, strings.NewReader(want), "model_prediction_errors_total"); err != nil {
		t.Error(err)
	}
	b.Reset()
	for i := range 7 {
		fmt.Fprintf(&b, `{"model_name":"m","model_version":"1","prediction":"c%d","latency":{"inference_ms":%d}}`+"\n", i, 30*i)
	}
	s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(b.String()))
	if n := seriesCount(t, s, "model_predictions_total"); n != 6 {
		t.Errorf("model_predictions_total has %d series, want 5 classes + __other__", n)
	}
	problems, err := testutil.GatherAndLint(s.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	wantHist := `
# HELP model_inference_duration_seconds Model inference latency in seconds.
# TYPE model_inference_duration_seconds histogram
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.01"} 1
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.025"} 1
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.05"} 2
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.075"} 3
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.1"} 4
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.25"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.5"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="0.75"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="1"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="2.5"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="5"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="7.5"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="10"} 7
model_inference_duration_seconds_bucket{model_name="m",model_version="1",le="+Inf"} 7
model_inference_duration_seconds_sum{model_name="m",model_version="1"} 0.6299999999999999
model_inference_duration_seconds_count{model_name="m",model_version="1"} 7
`
	if err := testutil.GatherAndCompare(s.reg, strings.NewReader(wantHist), "model_inference_duration_seconds"); err != nil {
		t.Error(err)
	}
}

// gauge returns the value of the only series of a metric.
func gauge(t *testing.T, s *stack, name string) float64 {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			if len(mf.GetMetric()) != 1 {
				t.Fatalf("%s has %d series, want 1", name, len(mf.GetMetric()))
			}
			m := mf.GetMetric()[0]
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func seriesCount(t *testing.T, s *stack, name string) int {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

// TestGroundTruthCounterStartsAtZero: the counter exists from a version's
// first prediction, so Prometheus's rate() sees its first labels.
func TestGroundTruthCounterStartsAtZero(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	if seriesCount(t, s, "model_ground_truth_received_total") != 0 {
		t.Fatal("counter exists before any prediction")
	}
	s.post("/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":1}`)
	if got := gauge(t, s, "model_ground_truth_received_total"); got != 0 {
		t.Errorf("model_ground_truth_received_total = %v after an unlabelled prediction, want a series at 0", got)
	}
}

// TestWindowGaugesBoundary checks the window gauges at their threshold,
// through /metrics and /api/v1/models: absent with 99 labelled
// predictions, present with 100.
func TestWindowGaugesBoundary(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	var preds, labels strings.Builder
	for i := range 100 {
		fmt.Fprintf(&preds, `{"id":"w%d","model_name":"w","model_version":"1","prediction":"a"}`+"\n", i)
		truth := "a"
		if i%4 == 0 {
			truth = "b"
		}
		fmt.Fprintf(&labels, `{"id":"w%d","ground_truth":%q}`+"\n", i, truth)
	}
	if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(preds.String())); r.status != 200 {
		t.Fatalf("predictions: %d %s", r.status, r.body)
	}
	lines := strings.SplitAfter(labels.String(), "\n")
	label := func(body string) {
		t.Helper()
		if r := s.do("POST", "/api/v1/ground-truth", "application/x-ndjson", []byte(body)); r.status != 200 {
			t.Fatalf("labels: %d %s", r.status, r.body)
		}
	}
	type versions struct {
		ModelVersions []struct {
			Window struct {
				LabelledPredictions int      `json:"labelled_predictions"`
				Accuracy            *float64 `json:"accuracy"`
			} `json:"window"`
		} `json:"model_versions"`
	}
	label(strings.Join(lines[:99], ""))
	exposition := string(s.get("/metrics").body)
	if !strings.Contains(exposition, `model_window_labelled_predictions{model_name="w",model_version="1"} 99`) {
		t.Errorf("/metrics with 99 labels lacks the count 99")
	}
	for _, name := range []string{"model_accuracy", "model_precision", "model_recall", "model_f1_score"} {
		if strings.Contains(exposition, name+`{model_name="w"`) {
			t.Errorf("/metrics with 99 labels has %s", name)
		}
	}
	var mv versions
	s.get("/api/v1/models").decode(t, &mv)
	if len(mv.ModelVersions) != 1 || mv.ModelVersions[0].Window.LabelledPredictions != 99 || mv.ModelVersions[0].Window.Accuracy != nil {
		t.Errorf("/api/v1/models with 99 labels = %+v, want 99 and no accuracy", mv)
	}

	label(lines[99])
	exposition = string(s.get("/metrics").body)
	for _, want := range []string{
		`model_window_labelled_predictions{model_name="w",model_version="1"} 100`,
		`model_accuracy{model_name="w",model_version="1"} 0.75`,
		`model_precision{model_name="w",model_version="1"}`,
		`model_recall{model_name="w",model_version="1"} 0.75`,
		`model_f1_score{model_name="w",model_version="1"}`,
	} {
		if !strings.Contains(exposition, want) {
			t.Errorf("/metrics with 100 labels lacks %s", want)
		}
	}
	s.get("/api/v1/models").decode(t, &mv)
	if w := mv.ModelVersions[0].Window; w.LabelledPredictions != 100 || w.Accuracy == nil || *w.Accuracy != 0.75 {
		t.Errorf("/api/v1/models with 100 labels = %+v, want accuracy 0.75", w)
	}
}
