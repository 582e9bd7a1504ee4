package httpapi_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
)

func TestSettings(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	const path = "/api/v1/models/churn/versions/v1/settings"
	var got struct {
		Settings  modelwatch.ModelSettings `json:"settings"`
		Effective modelwatch.ModelSettings `json:"effective"`
	}
	r := s.get(path)
	r.decode(t, &got)
	if r.status != 200 || got.Effective.DataDrift.Schedule != "0 2 * * MON" || got.Effective.ConceptDrift.Schedule != "0 3 * * *" ||
		got.Effective.DataDrift.MinRows != 100 || got.Effective.DataDrift.MaxRows != 1_000_000 || got.Effective.ConceptDrift.MaxRows != 0 ||
		len(got.Effective.Detectors) != 2 {
		t.Fatalf("default settings: %d %s", r.status, r.body)
	}
	r = s.do("PUT", path, "application/json", []byte(`{"baseline_accuracy":0.87,"data_drift":{"schedule":"@daily","window":"48h"},
		"num_stattest":"psi","per_column_stattest":{"plan":"jensenshannon"},"detectors":[{"name":"adwin","params":{"delta":"0.01"}}]}`))
	r.decode(t, &got)
	if r.status != 200 || *got.Settings.BaselineAccuracy != 0.87 || got.Effective.DataDrift.MinRows != 100 || got.Effective.ConceptDrift.Schedule != "0 3 * * *" {
		t.Fatalf("PUT settings: %d %s", r.status, r.body)
	}
	r = s.get(path)
	r.decode(t, &got)
	if got.Settings.NumStattest != "psi" || got.Settings.DataDrift.Schedule != "@daily" {
		t.Errorf("settings not stored: %s", r.body)
	}
	r = s.do("PUT", path, "application/json", []byte(`{"baseline_accuracy":1.5,"data_drift":{"schedule":"every monday","max_rows":-1},"concept_drift":{"max_rows":5000},
		"num_stattest":"nope","drift_share":0,"detectors":[{"name":"adwin","params":{"nonsense":"1"}},{"name":"adwin"},{"name":"ddm","role":"loud"}],
		"estimation":{"calibration":"sometimes","metrics":["accuracy","vibes"],"reference":"training"}}`))
	var e errorResponse
	r.decode(t, &e)
	fields := map[string]bool{}
	for _, d := range e.Error.Details {
		fields[d.Field] = true
	}
	for _, f := range []string{
		"baseline_accuracy", "data_drift.schedule", "data_drift.max_rows", "concept_drift.max_rows", "num_stattest", "drift_share", "detectors.0", "detectors.1.name", "detectors.2.role",
		"estimation.calibration", "estimation.metrics", "estimation.reference",
	} {
		if !fields[f] {
			t.Errorf("invalid settings: no error for %s in %s", f, r.body)
		}
	}
	if r.status != 400 {
		t.Errorf("invalid settings: status %d", r.status)
	}
	if r = s.do("PUT", path, "application/json", []byte(`{"baseline_acuracy":0.9}`)); r.status != 400 || !strings.Contains(string(r.body), "baseline_acuracy") { //nolint:misspell // a misspelled field on purpose
		t.Errorf("a misspelled field: %d %s", r.status, r.body)
	}
}

func referenceCSV(n int, shift float64) string {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("amount,plan\n")
	for range n {
		fmt.Fprintf(&b, "%v,%s\n", rng.NormFloat64()+shift, []string{"basic", "gold"}[rng.IntN(2)])
	}
	return b.String()
}

func TestReferenceAndRuns(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	const base = "/api/v1/models/churn/versions/v1"
	r := s.do("PUT", base+"/reference?filename=train.csv", "text/csv", []byte(referenceCSV(400, 0)))
	var ref modelwatch.Reference
	r.decode(t, &ref)
	if r.status != 200 || ref.Rows != 400 || fmt.Sprint(ref.Columns) != "[amount plan]" || ref.Format != "csv" || ref.Filename != "train.csv" {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if r := s.do("GET", base+"/reference?download=1", "", nil); r.status != 200 || string(r.body) != referenceCSV(400, 0) || r.header.Get("Content-Type") != "text/csv" {
		t.Errorf("download: %d %q", r.status, r.header.Get("Content-Type"))
	}
	for _, bad := range []struct{ ct, body, want string }{
		{"text/plain", "a\n1\n", "Content-Type"},
		{"text/csv", "", "header"},
		{"application/x-ndjson", "{not json\n", "ndjson"},
	} {
		if r := s.do("PUT", base+"/reference", bad.ct, []byte(bad.body)); r.status != 400 || !strings.Contains(string(r.body), bad.want) {
			t.Errorf("upload %q as %s: %d %s, want 400 mentioning %q", bad.body, bad.ct, r.status, r.body, bad.want)
		}
	}
	// Production traffic, drifted.
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, `{"id":"p%d","model_name":"churn","model_version":"v1","prediction":1,"features":{"amount":%v,"plan":"gold"}}`+"\n", i, rng.NormFloat64()+2)
	}
	s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(b.String()))
	var run modelwatch.DriftRun
	r = s.post(base+"/drift-runs", `{"kind":"data"}`)
	r.decode(t, &run)
	if r.status != 201 || run.Status != "ok" || !run.DriftDetected || run.Rows != 300 || !run.HasReport || len(run.Result) == 0 {
		t.Fatalf("manual run: %d %s", r.status, r.body)
	}
	r = s.do("GET", fmt.Sprintf("%s/drift-runs/%d/report", base, run.ID), "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(string(r.body), "train.csv") {
		t.Errorf("report: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = s.post(base+"/drift-runs", `{"kind":"concept"}`)
	r.decode(t, &run)
	if r.status != 201 || run.Status != modelwatch.RunNotEnoughData {
		t.Errorf("concept run without labels: %d %s", r.status, r.body)
	}
	var list struct {
		Runs []modelwatch.DriftRun `json:"drift_runs"`
	}
	s.get(base+"/drift-runs?kind=data").decode(t, &list)
	if len(list.Runs) != 1 || list.Runs[0].Kind != "data" || list.Runs[0].Result != nil {
		t.Errorf("list of data runs = %+v", list.Runs)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", base + "/drift-runs/999", "", 404},
		{"GET", base + "/drift-runs/abc", "", 404},
		{"GET", fmt.Sprintf("%s/drift-runs/%d/report", base, run.ID), "", 404}, // a concept run has no report
		{"POST", base + "/drift-runs", `{"kind":"other"}`, 400},
		{"POST", base + "/drift-runs", `{"kind":"data","from":"2026-11-27T00:00:00Z","to":"2026-11-26T00:00:00Z"}`, 400},
		{"POST", "/api/v1/models/nope/versions/1/drift-runs", `{}`, 404},
		{"GET", base + "/drift-runs?kind=weekly", "", 400},
		{"DELETE", base + "/drift-runs", "", 405},
	} {
		if r := s.do(c.method, c.path, "application/json", []byte(c.body)); r.status != c.status {
			t.Errorf("%s %s %s = %d %s, want %d", c.method, c.path, c.body, r.status, r.body, c.status)
		}
	}
	var detail map[string]any
	s.get(base).decode(t, &detail)
	if detail["reference"] == nil || detail["last_runs"].(map[string]any)["data"] == nil {
		t.Errorf("model detail = %v", detail)
	}
	var evs map[string][]modelwatch.ConceptEvent
	if r := s.get(base + "/concept-events"); r.status != 200 {
		t.Errorf("concept events: %d %s", r.status, r.body)
	} else {
		r.decode(t, &evs)
	}
}

// TestEstimates follows label-free performance estimation through the API:
// the model detail says what the estimator waits for, then shows the
// latest estimate, which GET .../estimates lists and /metrics exports.
func TestEstimates(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	mv := "/api/v1/models/churn/versions/3"
	rng := rand.New(rand.NewPCG(4, 2))
	batch := func(n int, labelled bool, at time.Time) string {
		var b strings.Builder
		for i := range n {
			p := rng.Float64()
			pred, truth := 0, 0
			if p >= 0.5 {
				pred = 1
			}
			if rng.Float64() < p {
				truth = 1
			}
			fmt.Fprintf(&b, `{"model_name":"churn","model_version":"3","timestamp":%q,"prediction":%d,"probabilities":{"0":%v,"1":%v}`,
				at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), pred, 1-p, p)
			if labelled {
				fmt.Fprintf(&b, `,"ground_truth":%d`, truth)
			}
			b.WriteString("}\n")
		}
		return b.String()
	}
	ingest := func(body string) {
		t.Helper()
		if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(body)); r.status != http.StatusOK {
			t.Fatalf("ingest: %d %s", r.status, r.body)
		}
	}
	type detail struct {
		Estimation struct {
			Status  string               `json:"status"`
			Message string               `json:"message"`
			Latest  *modelwatch.Estimate `json:"latest"`
		} `json:"estimation"`
	}
	getDetail := func() detail {
		t.Helper()
		var d detail
		r := s.get(mv)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", mv, r.status, r.body)
		}
		r.decode(t, &d)
		return d
	}

	ingest(batch(1000, true, t0.Add(-10*time.Hour)))
	if _, err := s.mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if d := getDetail(); d.Estimation.Status != "waiting" || !strings.Contains(d.Estimation.Message, "(1000 so far)") || d.Estimation.Latest != nil {
		t.Fatalf("estimation with 1000 reference rows = %+v, want waiting, 1000 so far", d.Estimation)
	}
	ingest(batch(2000, true, t0.Add(-8*time.Hour)))
	ingest(batch(500, false, t0.Add(-time.Hour)))
	if n, err := s.mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll = %d, %v; want 1", n, err)
	}
	d := getDetail()
	if d.Estimation.Status != "fitted" || d.Estimation.Latest == nil || d.Estimation.Latest.Rows != 500 || d.Estimation.Latest.Labelled != 0 {
		t.Fatalf("estimation once fitted = %+v", d.Estimation)
	}
	var list struct {
		Estimates []struct {
			Rows   int `json:"rows"`
			Result struct {
				Accuracy struct {
					Value float64 `json:"value"`
				} `json:"accuracy"`
			} `json:"result"`
		} `json:"estimates"`
	}
	s.get(mv+"/estimates").decode(t, &list)
	if len(list.Estimates) != 1 || list.Estimates[0].Rows != 500 {
		t.Fatalf("GET .../estimates = %+v", list)
	}
	// Calibrated probabilities: accuracy is E[max(p, 1-p)] = 0.75.
	acc := list.Estimates[0].Result.Accuracy.Value
	if math.Abs(acc-0.75) > 0.05 {
		t.Errorf("estimated accuracy = %v, want about 0.75", acc)
	}
	metricsBody := string(s.get("/metrics").body)
	want := fmt.Sprintf(`model_estimated_accuracy{model_name="churn",model_version="3"} %v`, acc)
	if !strings.Contains(metricsBody, want) {
		t.Errorf("/metrics lacks %s", want)
	}

	// Switched off: the detail says so.
	if r := s.do("PUT", mv+"/settings", "application/json", []byte(`{"estimation":{"off":true}}`)); r.status != http.StatusOK {
		t.Fatalf("PUT settings: %d %s", r.status, r.body)
	}
	if d := getDetail(); d.Estimation.Status != "off" || d.Estimation.Latest == nil {
		t.Errorf("estimation switched off = %+v, want off with the last estimate", d.Estimation)
	}
}
