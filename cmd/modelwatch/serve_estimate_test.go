package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// calibratedTraffic writes n predictions of a binary model as NDJSON and
// their ground truth, drawn with the predicted probability of class 1 (the
// probabilities are calibrated). confident models are sure (p near 0.05
// or 0.95); the shifted population sits near 0.5, where the model is often
// wrong.
func calibratedTraffic(rng *rand.Rand, version, prefix string, n int, confident bool, start time.Time) (preds, labels string) {
	var pb, lb strings.Builder
	for i := range n {
		p := 0.35 + rng.Float64()*0.3
		if confident {
			p = 0.05 + 0.9*float64(rng.IntN(2)) + (rng.Float64()-0.5)*0.1
		}
		pred, truth := 0, 0
		if p >= 0.5 {
			pred = 1
		}
		if rng.Float64() < p {
			truth = 1
		}
		id := fmt.Sprintf("%s-%d", prefix, i)
		fmt.Fprintf(&pb, `{"id":%q,"model_name":"churn","model_version":%q,"timestamp":%q,"prediction":%d,"confidence":%v,"probabilities":{"0":%v,"1":%v},"features":{"tenure":%d}}`+"\n",
			id, version, start.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), pred, math.Max(p, 1-p), 1-p, p, rng.IntN(60))
		fmt.Fprintf(&lb, `{"id":%q,"ground_truth":%d}`+"\n", id, truth)
	}
	return pb.String(), lb.String()
}

// sample returns a sample of /metrics with the given labels, if any.
func sample(m map[string][]*model.Sample, name string, labels ...string) (float64, bool) {
	for _, s := range m[name] {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			ok = ok && string(s.Metric[model.LabelName(labels[i])]) == labels[i+1]
		}
		if ok {
			return float64(s.Value), true
		}
	}
	return 0, false
}

// poll calls cond until it returns true, failing after timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeEstimationEndToEnd runs the real binary: a model version's
// first 3000 labelled predictions, with calibrated probabilities, are the
// reference; a covariate shift then lowers the estimated accuracy below its
// lower threshold before any label of the shifted traffic arrives; the
// labels arrive, without new predictions, and model_estimation_error
// appears. The UI states CBPE's assumptions next to the estimate. Another
// version is fitted on an uploaded reference with the columns of
// modelwatch estimate and no label at all.
func TestServeEstimationEndToEnd(t *testing.T) {
	s := startServer(t, "--data-dir", t.TempDir(), "--check-interval", "200ms")
	rng := rand.New(rand.NewPCG(10, 10))
	now := time.Now().UTC()
	mv := []string{"model_name", "churn", "model_version", "v1"}

	preds, labels := calibratedTraffic(rng, "v1", "ref", 3000, true, now.Add(-2*time.Hour))
	s.post("/api/v1/predictions", "application/x-ndjson", preds)
	if got := s.post("/api/v1/ground-truth", "application/x-ndjson", labels); got["joined"] != 3000.0 {
		t.Fatalf("reference labels: %v", got)
	}
	shifted, shiftedLabels := calibratedTraffic(rng, "v1", "shift", 500, false, now.Add(-time.Hour))
	s.post("/api/v1/predictions", "application/x-ndjson", shifted)

	var est, lower float64
	poll(t, 20*time.Second, "model_estimated_accuracy below its lower threshold", func() bool {
		m := s.metrics()
		var ok1, ok2 bool
		est, ok1 = sample(m, "model_estimated_accuracy", mv...)
		lower, ok2 = sample(m, "model_estimated_accuracy_lower_threshold", mv...)
		return ok1 && ok2 && est < lower
	})
	if est > 0.7 || lower < 0.85 {
		t.Errorf("estimated accuracy %v, lower threshold %v; want about 0.58 below about 0.93", est, lower)
	}
	var detail struct {
		Estimation struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"estimation"`
	}
	s.getJSON("/api/v1/models/churn/versions/v1", &detail)
	if detail.Estimation.Status != "fitted" || !strings.Contains(detail.Estimation.Message, "fitted on the first 3000 labelled predictions") {
		t.Errorf("estimation status %+v", detail.Estimation)
	}
	if !strings.Contains(s.stderr.String(), `source="the first 3000 labelled predictions"`) {
		t.Errorf("no log line says what the estimator was fitted on:\n%s", s.stderr)
	}

	// The UI draws the estimate with CBPE's assumptions.
	resp, err := s.request("GET", "/ui/models/churn/versions/v1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"estimated accuracy (CBPE)", "calibrated probabilities", "covariate shift only", "no concept drift"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), want) {
			t.Errorf("the version page (%d) does not say %q", resp.StatusCode, want)
		}
	}

	// The labels of the shifted chunk arrive; no prediction does.
	var before struct {
		Estimates []json.RawMessage `json:"estimates"`
	}
	s.getJSON("/api/v1/models/churn/versions/v1/estimates", &before)
	if got := s.post("/api/v1/ground-truth", "application/x-ndjson", shiftedLabels); got["joined"] != 500.0 {
		t.Fatalf("labels of the shifted traffic: %v", got)
	}
	// (Before them, the error may come from an older chunk of reference
	// traffic, if one was estimated; after, from the shifted chunk.)
	type stored struct {
		Rows     int `json:"rows"`
		Labelled int `json:"labelled"`
		Result   struct {
			Accuracy struct {
				Value    float64  `json:"value"`
				Realized *float64 `json:"realized"`
			} `json:"accuracy"`
		} `json:"result"`
	}
	var after struct {
		Estimates []stored `json:"estimates"`
	}
	var gauge float64
	poll(t, 20*time.Second, "model_estimation_error{metric=accuracy} = estimate − realised of the shifted chunk", func() bool {
		var ok bool
		gauge, ok = sample(s.metrics(), "model_estimation_error", append(mv, "metric", "accuracy")...)
		s.getJSON("/api/v1/models/churn/versions/v1/estimates", &after)
		if !ok || len(after.Estimates) == 0 || after.Estimates[0].Labelled != 500 || after.Estimates[0].Result.Accuracy.Realized == nil {
			return false
		}
		acc := after.Estimates[0].Result.Accuracy
		return math.Abs(gauge-(acc.Value-*acc.Realized)) < 1e-12
	})
	if len(after.Estimates) != len(before.Estimates) || after.Estimates[0].Rows != 500 {
		t.Errorf("estimates after the labels: %+v (%d before); want the same chunks, the latest of 500 rows", after.Estimates, len(before.Estimates))
	}
	if math.Abs(gauge) > 0.1 {
		t.Errorf("model_estimation_error{metric=accuracy} = %v: the calibrated model's estimate should be close", gauge)
	}

	// A version with an uploaded reference: no label needed to fit.
	var ref strings.Builder
	ref.WriteString("tenure,y_pred_proba,y_pred,y_true\n")
	for range 3000 {
		p := math.Round((0.05+0.9*float64(rng.IntN(2))+(rng.Float64()-0.5)*0.1)*1e4) / 1e4
		pred, truth := 0, 0
		if p >= 0.5 {
			pred = 1
		}
		if rng.Float64() < p {
			truth = 1
		}
		fmt.Fprintf(&ref, "%d,%v,%d,%d\n", rng.IntN(60), p, pred, truth)
	}
	if code, body := s.do("PUT", "/api/v1/models/churn/versions/v2/reference", "text/csv", ref.String()); code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("reference upload: %d %s", code, body)
	}
	live, _ := calibratedTraffic(rng, "v2", "live", 500, false, now.Add(-time.Hour))
	s.post("/api/v1/predictions", "application/x-ndjson", live)
	poll(t, 20*time.Second, "model_estimated_accuracy of v2", func() bool {
		_, ok := sample(s.metrics(), "model_estimated_accuracy", "model_name", "churn", "model_version", "v2")
		return ok
	})
	s.getJSON("/api/v1/models/churn/versions/v2", &detail)
	if detail.Estimation.Status != "fitted" || !strings.Contains(detail.Estimation.Message, "fitted on the uploaded reference") {
		t.Errorf("v2 estimation status %+v, want fitted on the uploaded reference", detail.Estimation)
	}
	s.stop()
}
