package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// stack is a test server wired like modelwatch serve, on a real SQLite
// database.
type stack struct {
	t     *testing.T
	srv   *httptest.Server
	reg   *prometheus.Registry
	db    *sqlite.DB
	clock *storetest.Clock
	mon   *monitor.Monitor
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newStack(t *testing.T, opts httpapi.Options) *stack {
	t.Helper()
	clock := storetest.NewClock(t0)
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "mw.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{MaxLabelValues: 5})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := metrics.NewDriftMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	mon := monitor.New(db, dm, monitor.Options{Now: clock.Now, Render: func(info monitor.ReportInfo, _ drift.Report) ([]byte, error) {
		return []byte("<!doctype html><title>" + info.ReferenceName + "</title>"), nil
	}})
	wins := monitor.NewWindows(db, monitor.WindowsOptions{OnEvent: mon.OnLabel})
	if err := wins.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(metrics.NewWindowCollector(wins, 100))
	opts.Now = clock.Now
	if opts.Checks == nil {
		opts.Checks = mon
	}
	opts.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	srv := httptest.NewServer(httpapi.New(db, wins, m, opts))
	t.Cleanup(srv.Close)
	return &stack{t: t, srv: srv, reg: reg, db: db, clock: clock, mon: mon}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (s *stack) do(method, path, contentType string, body []byte, header ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); path != "/metrics" && !strings.HasSuffix(path, "/report") && !strings.Contains(path, "download=") && ct != "application/json" {
		s.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (s *stack) post(path, body string) response {
	return s.do("POST", path, "application/json", []byte(body))
}

func (s *stack) get(path string) response { return s.do("GET", path, "", nil) }

type errorResponse struct {
	Error struct {
		Code    string                  `json:"code"`
		Message string                  `json:"message"`
		Details []modelwatch.FieldError `json:"details"`
	} `json:"error"`
}

type ingestResponse struct {
	Accepted   int      `json:"accepted"`
	Duplicates int      `json:"duplicates"`
	IDs        []string `json:"ids"`
}

func (s *stack) stats(query string) modelwatch.PredictionStats {
	s.t.Helper()
	r := s.get("/api/ml/predictions/stats" + query)
	if r.status != 200 {
		s.t.Fatalf("stats: %d %s", r.status, r.body)
	}
	var st modelwatch.PredictionStats
	r.decode(s.t, &st)
	return st
}

func TestIngestFormats(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	one := `{"id":"a","model_name":"churn","model_version":"v1","prediction":1,"confidence":0.9,"features":{"age": 42, "plan":"gold"},
		"latency":{"preprocessing_ms":1,"inference_ms":20,"postprocessing_ms":0.5},"timestamp":"2026-11-26T11:00:00Z"}`
	arr := `[{"id":"b","model_name":"churn","model_version":"v1","prediction":"1","confidence":0.8},
		{"id":"c","model_name":"churn","model_version":"v1","prediction":1.0,"confidence":0.7},
		{"model_name":"churn","model_version":"v1","prediction":true,"probabilities":{"true":0.6,"false":0.4}}]`
	nd := "{\"id\":\"d\",\"model_name\":\"churn\",\"model_version\":\"v1\",\"prediction\":0,\"confidence\":0.1}\n\n" +
		"{\"id\":\"e\",\"model_name\":\"churn\",\"model_version\":\"v1\",\"prediction\":\"0\",\"confidence\":0.2,\"timestamp\":1795000000.5}\n"

	var got ingestResponse
	r := s.post("/api/v1/predictions", one)
	if r.status != 200 {
		t.Fatalf("one object: %d %s", r.status, r.body)
	}
	r.decode(t, &got)
	if got.Accepted != 1 || got.Duplicates != 0 || len(got.IDs) != 1 || got.IDs[0] != "a" {
		t.Errorf("one object: %+v", got)
	}
	r = s.post("/api/v1/predictions", arr)
	r.decode(t, &got)
	if r.status != 200 || got.Accepted != 3 || len(got.IDs) != 3 || got.IDs[0] != "b" || len(got.IDs[2]) != 36 {
		t.Errorf("array: %d %+v, want 3 accepted with a server-assigned UUID last", r.status, got)
	}
	r = s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(nd))
	r.decode(t, &got)
	if r.status != 200 || got.Accepted != 2 {
		t.Errorf("NDJSON: %d %s", r.status, r.body)
	}
	// gzip-compressed NDJSON.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	fmt.Fprintln(zw, `{"id":"f","model_name":"churn","model_version":"v1","prediction":2,"confidence":0.3}`)
	zw.Close()
	r = s.do("POST", "/api/v1/predictions", "application/x-ndjson; charset=utf-8", zb.Bytes(), "Content-Encoding", "gzip")
	if r.status != 200 {
		t.Errorf("gzip NDJSON: %d %s", r.status, r.body)
	}

	st := s.stats("?days=30")
	want := map[string]int64{"1": 3, "true": 1, "0": 2, "2": 1}
	if st.TotalPredictions != 7 || fmt.Sprint(st.PredictionDistribution) != fmt.Sprint(want) {
		t.Errorf("stats = total %d, distribution %v; want 7 and %v (1, \"1\" and 1.0 are one class)", st.TotalPredictions, st.PredictionDistribution, want)
	}
	if st.AvgConfidence == nil || abs(*st.AvgConfidence-(0.9+0.8+0.7+0.6+0.1+0.2+0.3)/7) > 1e-12 {
		t.Errorf("avg_confidence = %v, want the mean with 0.6 taken from the probabilities", st.AvgConfidence)
	}

	low := s.get("/api/ml/predictions/low-confidence?threshold=0.75&days=30")
	var items []map[string]any
	low.decode(t, &items)
	if len(items) != 5 || items[0]["id"] != "d" || items[0]["confidence"] != 0.1 {
		t.Fatalf("low-confidence = %s", low.body)
	}
	for _, k := range []string{"id", "model_name", "model_version", "prediction", "confidence", "features", "created_at"} {
		if _, ok := items[0][k]; !ok {
			t.Errorf("low-confidence item lacks %q: %v", k, items[0])
		}
	}
	r = s.get("/api/ml/predictions/low-confidence?threshold=1&days=30&model_name=churn&model_version=v1")
	r.decode(t, &items)
	for _, it := range items {
		if it["id"] == "a" {
			if f, _ := json.Marshal(it["features"]); string(f) != `{"age":42,"plan":"gold"}` {
				t.Errorf("features of a = %s, want them as sent, compacted", f)
			}
			if it["created_at"] != "2026-11-26T11:00:00Z" {
				t.Errorf("created_at of a = %v, want the prediction's timestamp", it["created_at"])
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestIngestInvalidBatchStoresNothing(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	if r := s.post("/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":"x","confidence":0.5}`); r.status != 200 {
		t.Fatalf("valid row: %d %s", r.status, r.body)
	}
	batch := `[
		{"model_name":"m","model_version":"1","prediction":"ok","confidence":0.5},
		{"model_version":"1","prediction":"x","confidence":0.5},
		{"model_name":"m","model_version":"1","prediction":"x","confidence":1.5},
		{"model_name":"m","model_version":"1","prediction":"x","confidence":"high"},
		{"model_name":"m","model_version":"1","prediction":"x","latency":{"inference_ms":-1}},
		{"model_name":"m","model_version":"1","prediction":"x","features":[1,2]},
		{"model_name":"m","model_version":"1","prediction":"x","features":{"a":{"nested":1}}},
		{"model_name":"m","model_version":"1"},
		{"model_name":"m","model_version":"1","prediction":1.5},
		{"model_name":"m","model_version":"1","prediction":"x","timestamp":"yesterday"},
		{"model_name":"m","model_version":"1","prediction":"x","latency_ms":-3}
	]`
	r := s.post("/api/v1/predictions", batch)
	if r.status != 400 {
		t.Fatalf("invalid batch: status %d, want 400: %s", r.status, r.body)
	}
	var e errorResponse
	r.decode(t, &e)
	want := map[int]string{
		1: "model_name", 2: "confidence", 3: "confidence", 4: "latency.inference_ms", 5: "features",
		6: "features.a", 7: "prediction", 8: "prediction", 9: "timestamp", 10: "latency_ms",
	}
	got := map[int]string{}
	for _, d := range e.Error.Details {
		if d.Message == "" {
			t.Errorf("row %d field %s has no message", d.Index, d.Field)
		}
		got[d.Index] = d.Field
	}
	if e.Error.Code != "invalid" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("invalid rows = %v (code %s), want %v\n%s", got, e.Error.Code, want, r.body)
	}
	if st := s.stats(""); st.TotalPredictions != 1 {
		t.Errorf("after a rejected batch %d predictions are stored, want 1", st.TotalPredictions)
	}
}

func TestIngestMalformed(t *testing.T) {
	s := newStack(t, httpapi.Options{MaxBodyBytes: 4096})
	cases := []struct {
		name, ct, body string
		status         int
		rows           string // "index:line" of the reported rows
	}{
		{"truncated array", "application/json", `[{"model_name":"m","model_version":"1","prediction":"x"}, {"model_name":`, 400, "[1:0]"},
		{"not an object", "application/json", `"hello"`, 400, "[0:0]"},
		{"two objects without NDJSON", "application/json", `{"model_name":"m","model_version":"1","prediction":"x"} {"a":1}`, 400, "[0:0]"},
		{"empty body", "application/json", ``, 400, "[0:0]"},
		{"NDJSON bad lines", "application/x-ndjson", "{\"model_name\":\"m\",\"model_version\":\"1\",\"prediction\":\"x\"}\n{oops\n\n[1]\n{\"model_name\":\"m\"}\n", 400, "[1:2 2:4 3:5]"},
		{"unknown content type", "text/csv", "a,b\n1,2\n", 400, "[]"},
		{"too large", "application/json", `[` + strings.Repeat(`{"model_name":"m","model_version":"1","prediction":"x"},`, 100) + `{}]`, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/predictions", c.ct, []byte(c.body))
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			var e errorResponse
			r.decode(t, &e)
			var rows []string
			for _, d := range e.Error.Details {
				if row := fmt.Sprintf("%d:%d", d.Index, d.Line); len(rows) == 0 || rows[len(rows)-1] != row {
					rows = append(rows, row)
				}
			}
			if c.rows != "" && fmt.Sprint(rows) != c.rows {
				t.Errorf("rows = %v, want %s: %s", rows, c.rows, r.body)
			}
			if e.Error.Message == "" {
				t.Errorf("no error message: %s", r.body)
			}
		})
	}
	if st := s.stats(""); st.TotalPredictions != 0 {
		t.Errorf("malformed requests stored %d predictions", st.TotalPredictions)
	}
}

func TestIdempotentRetry(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	batch := `[{"id":"x1","model_name":"m","model_version":"1","prediction":"a","confidence":0.5},
		{"id":"x2","model_name":"m","model_version":"1","prediction":"b","confidence":0.5}]`
	var first, second ingestResponse
	s.post("/api/v1/predictions", batch).decode(t, &first)
	s.post("/api/v1/predictions", batch).decode(t, &second)
	if first.Accepted != 2 || second.Accepted != 0 || second.Duplicates != 2 {
		t.Errorf("first %+v, retry %+v; want 2 accepted then 2 duplicates", first, second)
	}
	if got := testutil.ToFloat64(counter(t, s.reg, "model_predictions_total", "a")); got != 1 {
		t.Errorf("model_predictions_total{predicted_class=a} = %v after a retry, want 1", got)
	}
}

func TestErrorsRoutes(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	cases := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/predictions", 405, "method_not_allowed", "POST"},
		{"DELETE", "/api/ml/predictions/stats", 405, "method_not_allowed", "GET, HEAD"},
		{"GET", "/api/v2/nothing", 404, "not_found", ""},
		{"GET", "/api/ml/predictions/stats?days=0", 400, "invalid", ""},
		{"GET", "/api/ml/predictions/stats?days=abc", 400, "invalid", ""},
		{"GET", "/api/ml/predictions/low-confidence?threshold=1.5", 400, "invalid", ""},
		{"GET", "/api/ml/predictions/low-confidence?limit=0", 400, "invalid", ""},
	}
	for _, c := range cases {
		r := s.do(c.method, c.path, "", nil)
		var e errorResponse
		r.decode(t, &e)
		if r.status != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s %s = %d %s, want %d with code %s", c.method, c.path, r.status, r.body, c.status, c.code)
		}
		if c.allow != "" && r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, r.header.Get("Allow"), c.allow)
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := s.get(p); r.status != 200 {
			t.Errorf("GET %s = %d %s", p, r.status, r.body)
		}
	}
}

func counter(t *testing.T, reg *prometheus.Registry, name, class string) prometheus.Collector {
	t.Helper()
	return gathered{reg: reg, name: name, label: class}
}

// gathered is a collector that re-exports one series of a registry, for
// testutil.ToFloat64.
type gathered struct {
	reg   *prometheus.Registry
	name  string
	label string
}

func (g gathered) Describe(ch chan<- *prometheus.Desc) {}

func (g gathered) Collect(ch chan<- prometheus.Metric) {
	mfs, _ := g.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != g.name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetValue() == g.label {
					ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(g.name, "x", nil, nil), prometheus.CounterValue, m.GetCounter().GetValue())
				}
			}
		}
	}
}
