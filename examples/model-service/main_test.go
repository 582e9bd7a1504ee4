package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// token is the one token the in-process modelwatch accepts.
const token = "mw_example-service-test-token"

// startModelwatch starts modelwatch in-process, wired as `modelwatch serve`
// wires it — authentication on — on a SQLite database in a temporary
// directory.
func startModelwatch(t *testing.T) string {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "modelwatch.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	windows := monitor.NewWindows(db, monitor.WindowsOptions{})
	if err := windows.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(metrics.NewWindowCollector(windows, 100))
	tokens, err := auth.New("", token)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(db, windows, m, httpapi.Options{
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Auth:    tokens,
	}))
	t.Cleanup(func() {
		srv.Close()
		_ = db.Close()
	})
	return srv.URL
}

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// get reads a JSON answer of modelwatch.
func get(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := authGet(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func authGet(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

// TestServiceReportsToModelwatch runs the service against an in-process
// modelwatch: predictions, feedback and bad requests, then a graceful
// shutdown, after which modelwatch must hold every prediction with its
// features, latencies and label, and count the failed calls.
func TestServiceReportsToModelwatch(t *testing.T) {
	mw := startModelwatch(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(t.Context())
	stopped := make(chan error, 1)
	go func() { stopped <- run(ctx, ln, mw, token) }()
	svc := "http://" + ln.Addr().String()

	const n, labelled = 120, 80
	contracts := []string{"month-to-month", "one-year", "two-year"}
	churned := 0
	for i := range n {
		status, body := post(t, svc+"/predict", fmt.Sprintf(
			`{"tenure_months":%d,"monthly_charges":%d,"support_calls":%d,"contract":%q}`,
			i%60, 20+i%90, i%6, contracts[i%3]))
		var p prediction
		if err := json.Unmarshal(body, &p); status != http.StatusOK || err != nil || p.PredictionID == "" {
			t.Fatalf("POST /predict: %d %s", status, body)
		}
		if i < labelled {
			if p.Churn {
				churned++
			}
			// Feedback: the model was right three times out of four.
			if status, body := post(t, svc+"/feedback", fmt.Sprintf(`{"prediction_id":%q,"churned":%v}`, p.PredictionID, p.Churn != (i%4 == 0))); status != http.StatusAccepted {
				t.Fatalf("POST /feedback: %d %s", status, body)
			}
		}
	}
	for _, bad := range []string{`{"contract":"weekly"}`, `not json`} {
		if status, body := post(t, svc+"/predict", bad); status != http.StatusBadRequest {
			t.Fatalf("POST /predict %s: %d %s, want 400", bad, status, body)
		}
	}
	if status, _ := post(t, svc+"/feedback", `{"prediction_id":"x"}`); status != http.StatusBadRequest {
		t.Errorf("POST /feedback without churned: %d, want 400", status)
	}

	shutdown() // as SIGTERM would
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the service did not stop")
	}

	// Everything logged before the shutdown reached modelwatch.
	var st modelwatch.PredictionStats
	get(t, mw+"/api/ml/predictions/stats?model_name=churn&model_version=v1", &st)
	if st.TotalPredictions != n {
		t.Errorf("modelwatch stores %d predictions, want %d", st.TotalPredictions, n)
	}
	if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != float64(labelled)/n {
		t.Errorf("ground_truth_coverage = %v, want %v", st.GroundTruthCoverage, float64(labelled)/n)
	}
	if st.AvgConfidence == nil || *st.AvgConfidence < 0.5 || st.AvgLatencyMs == nil {
		t.Errorf("avg_confidence %v, avg_latency_ms %v: want a confidence ≥ 0.5 and a latency", st.AvgConfidence, st.AvgLatencyMs)
	}
	if got := st.PredictionDistribution["churn"] + st.PredictionDistribution["stay"]; got != n || st.PredictionDistribution["churn"] == 0 {
		t.Errorf("prediction_distribution = %v, want both classes, %d in all", st.PredictionDistribution, n)
	}

	// The features travelled with the predictions.
	var low []struct {
		Features map[string]any `json:"features"`
	}
	get(t, mw+"/api/ml/predictions/low-confidence?threshold=1&model_name=churn", &low)
	if len(low) == 0 || low[0].Features["contract"] == nil || low[0].Features["tenure_months"] == nil {
		t.Errorf("low-confidence predictions = %+v, want their features", low)
	}

	// The two bad requests were counted as errors of the model.
	resp, err := authGet(mw + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	exposition, _ := io.ReadAll(resp.Body)
	if want := `model_prediction_errors_total{error_type="http_400",model_name="churn",model_version="v1"} 2`; !strings.Contains(string(exposition), want) {
		t.Errorf("/metrics lacks %s", want)
	}
	if want := `model_inference_duration_seconds_count{model_name="churn",model_version="v1"} 120`; !strings.Contains(string(exposition), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

// TestModel checks the classifier's direction and the decision rule.
func TestModel(t *testing.T) {
	m := &churnModel{name: "churn", version: "v1"}
	risky := customer{TenureMonths: 2, MonthlyCharges: 95, SupportCalls: 5, Contract: "month-to-month"}
	loyal := customer{TenureMonths: 60, MonthlyCharges: 30, SupportCalls: 0, Contract: "two-year"}
	if p := m.predict(&risky); p < 0.9 {
		t.Errorf("P(churn) of a new, unhappy monthly customer = %v, want > 0.9", p)
	}
	if p := m.predict(&loyal); p > 0.05 {
		t.Errorf("P(churn) of a loyal two-year customer = %v, want < 0.05", p)
	}
	for _, tc := range []struct {
		p     float64
		class string
		conf  float64
	}{{0.9, "churn", 0.9}, {0.5, "churn", 0.5}, {0.2, "stay", 0.8}} {
		class, probs, conf := classify(tc.p)
		if class != tc.class || conf != tc.conf || probs["churn"]+probs["stay"] != 1 {
			t.Errorf("classify(%v) = %s, %v, %v; want %s with confidence %v", tc.p, class, probs, conf, tc.class, tc.conf)
		}
	}
	for _, bad := range []customer{{TenureMonths: -1, Contract: "one-year"}, {Contract: "weekly"}, {SupportCalls: -2, Contract: "two-year"}} {
		if bad.validate() == nil {
			t.Errorf("validate(%+v) = nil, want an error", bad)
		}
	}
}
