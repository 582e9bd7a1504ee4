package sdk_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// mwServer is modelwatch's API wired as `modelwatch serve` wires it — SQLite
// store, sliding windows, metrics, HTTP API — and served by httptest.
type mwServer struct {
	t   testing.TB
	URL string
	db  *sqlite.DB
}

// startModelwatch starts an in-process modelwatch. wrap, when not nil,
// wraps its handler (to inject faults).
func startModelwatch(t testing.TB, wrap func(http.Handler) http.Handler) *mwServer {
	t.Helper()
	return startModelwatchWith(t, httpapi.Options{}, wrap)
}

// startModelwatchWith is startModelwatch with API options (authentication,
// rate limits).
func startModelwatchWith(t testing.TB, opts httpapi.Options, wrap func(http.Handler) http.Handler) *mwServer {
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
	opts.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	var h http.Handler = httpapi.New(db, windows, m, opts)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	return &mwServer{t: t, URL: srv.URL, db: db}
}

// stats returns the server's statistics for a model, from
// GET /api/ml/predictions/stats, authenticated with token when it is set.
func stats(t testing.TB, base, model string, token ...string) modelwatch.PredictionStats {
	t.Helper()
	var st modelwatch.PredictionStats
	getJSON(t, base+"/api/ml/predictions/stats?days=1&model_name="+url.QueryEscape(model), &st, token...)
	return st
}

func getJSON(t testing.TB, u string, v any, token ...string) {
	t.Helper()
	var b []byte
	var code int
	eventually(t, 30*time.Second, "GET "+u+" within the rate limit", func() bool {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) > 0 {
			req.Header.Set("Authorization", "Bearer "+token[0])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, err = io.ReadAll(resp.Body); err != nil {
			t.Fatal(err)
		}
		code = resp.StatusCode
		return code != http.StatusTooManyRequests
	})
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode GET %s: %v\n%s", u, err, b)
	}
}

// metricValue scrapes base/metrics and returns the value of the sample
// whose name and labels (in exposition order, such as
// `model_name="m",model_version="v1"`) are given, or 0 when it is absent.
func metricValue(t testing.TB, base, series string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("sample %s: %v", series, err)
			}
			return v
		}
	}
	return 0
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a timing assertion
	}
}

// fakeRequest is a request the fake transport received.
type fakeRequest struct {
	At     time.Time
	Path   string
	Header http.Header
	Lines  []string // the NDJSON records
}

// fake is an in-memory modelwatch for tests of the client's protocol: an
// http.RoundTripper that records requests and answers with respond. It
// uses no network, so it works inside synctest bubbles.
type fake struct {
	mu      sync.Mutex
	reqs    []fakeRequest
	respond func(n int, r fakeRequest) (status int, header http.Header, body string)
}

func newFake(respond func(n int, r fakeRequest) (int, http.Header, string)) *fake {
	if respond == nil {
		respond = func(int, fakeRequest) (int, http.Header, string) { return 200, nil, `{}` }
	}
	return &fake{respond: respond}
}

func (f *fake) client() *http.Client { return &http.Client{Transport: f} }

// RoundTrip implements http.RoundTripper.
func (f *fake) RoundTrip(r *http.Request) (*http.Response, error) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("fake: gzip: %w", err)
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	fr := fakeRequest{At: time.Now(), Path: r.URL.Path, Header: r.Header.Clone()}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(data), "\n"), "\n") {
		fr.Lines = append(fr.Lines, line)
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, fr)
	f.mu.Unlock()
	status, header, respBody := f.respond(n, fr)
	if status == 0 {
		return nil, fmt.Errorf("fake: connection refused")
	}
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: header, Body: io.NopCloser(strings.NewReader(respBody)), Request: r,
		ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

func (f *fake) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.reqs...)
}

// errorLog collects what a client reports to OnError.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}
