package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// checkErrorBody checks a 5xx answer: the status, the code, details [],
// and nothing of the cause in the body.
func checkErrorBody(t *testing.T, what string, r response, status int, code string, secrets ...string) {
	t.Helper()
	var body struct {
		Error map[string]json.RawMessage `json:"error"`
	}
	r.decode(t, &body)
	var gotCode string
	_ = json.Unmarshal(body.Error["code"], &gotCode)
	if r.status != status || gotCode != code || string(body.Error["details"]) != "[]" || len(body.Error["message"]) < 3 {
		t.Errorf("%s = %d %s, want %d with code %s and details []", what, r.status, r.body, status, code)
	}
	for _, s := range secrets {
		if strings.Contains(string(r.body), s) {
			t.Errorf("%s: the body %s shows %q", what, r.body, s)
		}
	}
}

// TestStoreDown closes the database under a running server: requests that
// need it get 503 with Retry-After and a JSON error, and /readyz says not
// ready, while /healthz (liveness) still answers.
func TestStoreDown(t *testing.T) {
	var logs syncBuffer
	s := newStack(t, httpapi.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if r := s.post("/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":"x"}`); r.status != 200 {
		t.Fatalf("ingest before: %d %s", r.status, r.body)
	}
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":"x"}`},
		{"POST", "/api/v1/ground-truth", `{"id":"a","ground_truth":"x"}`},
		{"GET", "/api/ml/predictions/stats", ""},
		{"GET", "/api/ml/predictions/low-confidence", ""},
		{"GET", "/api/v1/models", ""},
		{"GET", "/api/v1/models/m/versions/1/settings", ""},
		{"GET", "/readyz", ""},
	} {
		r := s.do(c.method, c.path, "application/json", []byte(c.body))
		checkErrorBody(t, c.method+" "+c.path+" with the database closed", r, http.StatusServiceUnavailable, "unavailable", "sql:")
		if r.header.Get("Retry-After") == "" {
			t.Errorf("%s %s: 503 without Retry-After", c.method, c.path)
		}
	}
	if r := s.get("/healthz"); r.status != 200 {
		t.Errorf("/healthz with the database closed = %d, want 200 (the process is alive)", r.status)
	}
	if !strings.Contains(logs.String(), "request failed") {
		t.Errorf("the causes were not logged:\n%s", logs.String())
	}
}

// TestPanicIsInternalError checks that a panicking handler gives a JSON
// 500 that shows nothing of the panic, which goes to the log with its
// stack, and that the server goes on serving.
func TestPanicIsInternalError(t *testing.T) {
	var logs syncBuffer
	ui := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret: dsn=postgres://admin:hunter2@db")
	})
	s := newStack(t, httpapi.Options{UI: ui, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := s.do("GET", "/ui/models", "", nil)
	checkErrorBody(t, "a panicking handler", r, http.StatusInternalServerError, "internal", "secret", "hunter2", "goroutine", ".go:")
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("the panic and its stack were not logged:\n%s", logs.String())
	}
	if r := s.get("/healthz"); r.status != 200 {
		t.Errorf("after a panic /healthz = %d", r.status)
	}
}

// brokenStats is a real SQLite store whose Stats fails with an error the
// store did not classify, as a bug or an unforeseen driver error would.
type brokenStats struct{ *sqlite.DB }

func (brokenStats) Stats(context.Context, store.StatsQuery) (modelwatch.PredictionStats, error) {
	return modelwatch.PredictionStats{}, errors.New("scan rollups: driver: bad connection at 10.0.0.7")
}

// TestUnclassifiedStoreError checks how an error the store did not
// classify is answered: 500 internal while the database answers (a bug:
// retrying will not help), 503 unavailable with Retry-After once it does
// not; the cause is logged, never shown.
func TestUnclassifiedStoreError(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "mw.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	m, err := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	wins := monitor.NewWindows(db, monitor.WindowsOptions{})
	srv := httptest.NewServer(httpapi.New(brokenStats{db}, wins, m, httpapi.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	t.Cleanup(srv.Close)
	s := &stack{t: t, srv: srv}

	r := s.get("/api/ml/predictions/stats")
	checkErrorBody(t, "an unclassified error with the database up", r, http.StatusInternalServerError, "internal", "10.0.0.7", "driver")
	if r.header.Get("Retry-After") != "" {
		t.Errorf("500 with Retry-After %q", r.header.Get("Retry-After"))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	r = s.get("/api/ml/predictions/stats")
	checkErrorBody(t, "an unclassified error with the database down", r, http.StatusServiceUnavailable, "unavailable", "10.0.0.7", "driver")
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if n := strings.Count(logs.String(), "10.0.0.7"); n != 2 {
		t.Errorf("the cause was logged %d times, want 2:\n%s", n, logs.String())
	}
}

// TestReadyzBeforeRebuild checks that /readyz says 503 until the sliding
// windows are rebuilt from the store, then 200.
func TestReadyzBeforeRebuild(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "mw.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	m, err := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wins := monitor.NewWindows(db, monitor.WindowsOptions{})
	srv := httptest.NewServer(httpapi.New(db, wins, m, httpapi.Options{}))
	t.Cleanup(srv.Close)
	s := &stack{t: t, srv: srv}
	r := s.get("/readyz")
	checkErrorBody(t, "/readyz before the windows are rebuilt", r, http.StatusServiceUnavailable, "unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Error("/readyz 503 without Retry-After")
	}
	if err := wins.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := s.get("/readyz"); r.status != 200 {
		t.Errorf("/readyz after the rebuild = %d %s", r.status, r.body)
	}
}

// TestErrorDetailsAlwaysPresent checks the error body's shape on errors
// without rows to list: details is an empty array, not missing.
func TestErrorDetailsAlwaysPresent(t *testing.T) {
	ts, _ := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts})
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v2/nothing", 404},
		{"DELETE", "/healthz", 405},
		{"GET", "/api/v1/models", 401},
	} {
		r := s.do(c.method, c.path, "", nil)
		var body map[string]map[string]json.RawMessage
		r.decode(t, &body)
		if r.status != c.status || string(body["error"]["details"]) != "[]" || len(body["error"]["code"]) == 0 || len(body["error"]["message"]) == 0 {
			t.Errorf("%s %s = %d %s, want %d with code, message and details []", c.method, c.path, r.status, r.body, c.status)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
