package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

func (s *server) do(method, path, contentType, body string) (int, string) {
	s.t.Helper()
	resp, err := s.request(method, path, contentType, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDriftChecksEndToEnd runs the real binary with a real Alertmanager:
// upload a reference, ingest a week of drifted traffic with timestamps and
// labels, run the checks, and see the stored runs, the HTML report, the
// gauges and the Alertmanager notifications.
func TestDriftChecksEndToEnd(t *testing.T) {
	hook := testenv.NewWebhook(t)
	am := testenv.StartAlertmanager(t, hook.URL)
	s := startServer(t, "--data-dir", t.TempDir(), "--alertmanager-url", am, "--external-url", "http://modelwatch.test")

	const base = "/api/v1/models/fraud/versions/v9"
	rng := rand.New(rand.NewPCG(9, 9))
	var ref strings.Builder
	ref.WriteString("amount,country,is_new\n")
	for range 2000 {
		fmt.Fprintf(&ref, "%.3f,%s,%v\n", rng.ExpFloat64()*50, []string{"NL", "DE", "FR"}[rng.IntN(3)], rng.IntN(2) == 1)
	}
	// Upload it with the command line.
	refFile := filepath.Join(t.TempDir(), "training.csv")
	if err := os.WriteFile(refFile, []byte(ref.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"reference", "upload", "--server", s.url, "--token", s.token, "--model", "fraud", "--version", "v9", refFile}, &out, &errOut); err != nil {
		t.Fatalf("modelwatch reference upload: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "2000 rows, 3 columns (amount, country, is_new)") {
		t.Errorf("reference upload printed %q", out.String())
	}
	bad := filepath.Join(t.TempDir(), "broken.csv")
	_ = os.WriteFile(bad, []byte("a,b\n1,2,3\n"), 0o600)
	err := run(t.Context(), []string{"reference", "upload", "--server", s.url, "--token", s.token, "--model", "fraud", "--version", "v9", bad}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "upload refused (400 Bad Request)") {
		t.Errorf("uploading a broken CSV: %v", err)
	}
	if code, body := s.do("PUT", base+"/settings", "application/json", `{"baseline_accuracy": 0.9}`); code != 200 {
		t.Fatalf("settings: %d %s", code, body)
	}
	// A week of traffic: amounts twice as large, a new country, 70 % right.
	now := time.Now().UTC()
	var preds, labels strings.Builder
	for i := range 3000 {
		ts := now.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour))))
		pred := rng.IntN(2)
		fmt.Fprintf(&preds, `{"id":"w%d","model_name":"fraud","model_version":"v9","timestamp":%q,"prediction":%d,"confidence":0.8,`+
			`"features":{"amount":%.3f,"country":%q,"is_new":%v}}`+"\n",
			i, ts.Format(time.RFC3339Nano), pred, rng.ExpFloat64()*100, []string{"NL", "DE", "FR", "BE"}[rng.IntN(4)], rng.IntN(2) == 1)
		truth := pred
		if rng.Float64() > 0.7 {
			truth = 1 - pred
		}
		fmt.Fprintf(&labels, `{"id":"w%d","ground_truth":%d}`+"\n", i, truth)
	}
	s.post("/api/v1/predictions", "application/x-ndjson", preds.String())
	s.post("/api/v1/ground-truth", "application/x-ndjson", labels.String())

	code, body := s.do("POST", base+"/drift-runs", "application/json", `{"kind":"data"}`)
	if code != 201 || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"drift_detected":true`) {
		t.Fatalf("data drift run: %d %s", code, body)
	}
	code, body = s.do("POST", base+"/drift-runs", "application/json", `{"kind":"concept"}`)
	if code != 201 || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"drift_detected":true`) {
		t.Fatalf("concept drift run: %d %s", code, body)
	}
	var list struct {
		Runs []struct {
			ID        int64  `json:"id"`
			Kind      string `json:"kind"`
			HasReport bool   `json:"has_report"`
		} `json:"drift_runs"`
	}
	s.getJSON(base+"/drift-runs", &list)
	if len(list.Runs) != 2 || list.Runs[1].Kind != "data" || !list.Runs[1].HasReport {
		t.Fatalf("stored runs = %+v", list.Runs)
	}
	code, html := s.do("GET", fmt.Sprintf("%s/drift-runs/%d/report", base, list.Runs[1].ID), "", "")
	if code != 200 || !strings.Contains(html, "training.csv") || !strings.Contains(html, "<svg") {
		t.Errorf("report: %d, %d bytes", code, len(html))
	}

	m := s.metrics()
	mv := []string{"model_name", "fraud", "model_version", "v9"}
	if got := value(t, m, "model_data_drift_detected", mv...); got != 1 {
		t.Errorf("model_data_drift_detected = %v, want 1", got)
	}
	if got := value(t, m, "model_drifted_columns_ratio", mv...); got < 0.5 {
		t.Errorf("model_drifted_columns_ratio = %v, want ≥ 0.5", got)
	}
	if got := value(t, m, "model_feature_drift_score", append(mv, "feature", "amount", "stattest", "wasserstein")...); got < 0.1 {
		t.Errorf("amount's Wasserstein distance = %v, want ≥ 0.1 (drift)", got)
	}
	if got := value(t, m, "model_concept_drift_detected", mv...); got != 1 {
		t.Errorf("model_concept_drift_detected = %v, want 1", got)
	}
	if got := value(t, m, "model_accuracy_drop_percent", mv...); got < 15 || got > 30 {
		t.Errorf("model_accuracy_drop_percent = %v, want about (0.9-0.7)/0.9 = 22", got)
	}
	if got := value(t, m, "model_drift_check_last_run_timestamp_seconds", append(mv, "kind", "data")...); got < float64(now.Unix()-60) {
		t.Errorf("last data run timestamp = %v", got)
	}

	for _, alert := range []struct{ name, severity, mention string }{
		{"DataDriftDetected", "warning", "http://modelwatch.test/api/v1/models/fraud/versions/v9/drift-runs/1/report"},
		{"ConceptDriftDetected", "high", "baseline: 0.9000"},
	} {
		msg := hook.Wait(t, "firing", 30*time.Second, func(n testenv.Notification) bool {
			return n.Alerts[0].Labels["alertname"] == alert.name
		})
		a := msg.Alerts[0]
		if a.Labels["severity"] != alert.severity || a.Labels["model_name"] != "fraud" || a.Labels["model_version"] != "v9" ||
			a.Labels["component"] != "ml_model" || a.Labels["source"] != "modelwatch" || !strings.Contains(a.Annotations["description"], alert.mention) {
			t.Errorf("%s notification = %+v", alert.name, a)
		}
	}
	// Clean checks resolve the alerts: compare only an undrifted column, and
	// lower the baseline to what the model achieves.
	if code, body := s.do("PUT", base+"/settings", "application/json", `{"baseline_accuracy": 0.7, "columns": ["is_new"]}`); code != 200 {
		t.Fatalf("settings: %d %s", code, body)
	}
	for _, kind := range []string{"data", "concept"} {
		if code, body := s.do("POST", base+"/drift-runs", "application/json", `{"kind":"`+kind+`"}`); code != 201 || !strings.Contains(body, `"drift_detected":false`) {
			t.Fatalf("clean %s run: %d %s", kind, code, body)
		}
	}
	for _, name := range []string{"DataDriftDetected", "ConceptDriftDetected"} {
		hook.Wait(t, "resolved", 30*time.Second, func(n testenv.Notification) bool {
			return n.Alerts[0].Labels["alertname"] == name
		})
	}
	if got := value(t, s.metrics(), "model_data_drift_detected", mv...); got != 0 {
		t.Errorf("model_data_drift_detected after a clean run = %v", got)
	}
	s.stop()
}
