package ui

import (
	"compress/gzip"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/window"
)

var update = flag.Bool("update", false, "rewrite the golden HTML files in testdata/")

var (
	fraud  = modelwatch.ModelKey{Name: "fraud", Version: "v3"}
	churn1 = modelwatch.ModelKey{Name: "churn", Version: "v1"}
	churn2 = modelwatch.ModelKey{Name: "churn", Version: "v2"}
	ranker = modelwatch.ModelKey{Name: "ranker", Version: "v1"}
)

// fixture builds a UI over a fake store with four model versions: fraud v3
// healthy, churn v1 drifting with alerts, churn v2 with a failed check and
// ranker v1 without labels or checks.
func fixture(t *testing.T) (*UI, *fakeStore) {
	t.Helper()
	st := newFakeStore()
	st.add(traffic(fraud, 3000, 7*24*time.Hour, 0.95, 2, 40, 1)...)
	st.add(traffic(churn1, 2000, 3*24*time.Hour, 0.7, 3, 120, 2)...)
	st.add(traffic(churn2, 500, 24*time.Hour, 0.9, 4, 30, 3)...)
	st.add(traffic(ranker, 800, 2*time.Hour, 0, 0, 8, 4)...)
	st.settings[churn1] = modelwatch.ModelSettings{BaselineAccuracy: new(0.9), DriftShare: new(0.3)}
	day := 24 * time.Hour
	st.runs[churn1] = []modelwatch.DriftRun{
		{
			ID: 3, Model: churn1, Kind: modelwatch.KindData, Trigger: "schedule", Status: modelwatch.RunOK,
			StartedAt: fakeNow.Add(-2 * time.Hour), FinishedAt: fakeNow.Add(-2*time.Hour + 3*time.Second),
			Window: modelwatch.TimeRange{From: fakeNow.Add(-2*time.Hour - 7*day), To: fakeNow.Add(-2 * time.Hour)},
			Rows:   1700, DriftDetected: true, DriftedColumns: 2, DriftedColumnsShare: new(2.0 / 3), HasReport: true,
		},
		{
			ID: 2, Model: churn1, Kind: modelwatch.KindConcept, Trigger: "schedule", Status: modelwatch.RunOK,
			FinishedAt: fakeNow.Add(-11 * time.Hour), Window: modelwatch.TimeRange{From: fakeNow.Add(-11*time.Hour - 7*day), To: fakeNow.Add(-11 * time.Hour)},
			Rows: 600, DriftDetected: true, Accuracy: new(0.71), BaselineAccuracy: new(0.9), AccuracyDropPercent: new(21.1),
		},
		{
			ID: 1, Model: churn1, Kind: modelwatch.KindData, Trigger: "manual", Status: modelwatch.RunOK,
			FinishedAt: fakeNow.Add(-50 * time.Hour), Window: modelwatch.TimeRange{From: fakeNow.Add(-50*time.Hour - day), To: fakeNow.Add(-50 * time.Hour)},
			Rows: 400, DriftedColumns: 0, DriftedColumnsShare: new(0.0), HasReport: true,
		},
	}
	st.runs[churn2] = []modelwatch.DriftRun{{
		ID: 4, Model: churn2, Kind: modelwatch.KindData, Trigger: "schedule", Status: modelwatch.RunFailed,
		FinishedAt: fakeNow.Add(-time.Hour), Message: "read reference: unexpected EOF",
	}}
	st.runs[fraud] = []modelwatch.DriftRun{{
		ID: 5, Model: fraud, Kind: modelwatch.KindData, Trigger: "schedule", Status: modelwatch.RunOK,
		FinishedAt: fakeNow.Add(-30 * time.Hour), Rows: 2000, DriftedColumnsShare: new(0.0), HasReport: true,
	}}
	st.events[churn1] = []modelwatch.ConceptEvent{
		{ID: 2, Model: churn1, Detector: "adwin", Kind: "drift", At: fakeNow.Add(-20 * time.Hour), Seq: 512},
		{ID: 1, Model: churn1, Detector: "ddm", Kind: "warning", At: fakeNow.Add(-30 * time.Hour), Seq: 430},
	}
	windows := fakeWindows{
		fraud:  {Count: 1000, Accuracy: 0.951, Precision: 0.95, Recall: 0.951, F1: 0.95},
		churn1: {Count: 667, Accuracy: 0.712, Precision: 0.73, Recall: 0.712, F1: 0.71},
		churn2: {Count: 40, Accuracy: 0.9, F1: 0.9},
	}
	labels := func(name, severity string, k modelwatch.ModelKey) map[string]string {
		return map[string]string{"alertname": name, "severity": severity, "model_name": k.Name, "model_version": k.Version, "source": "modelwatch"}
	}
	alerts := fakeAlerts{
		{Labels: labels("DataDriftDetected", "warning", churn1), Annotations: map[string]string{"summary": "Data drift detected in production"}, StartsAt: fakeNow.Add(-2 * time.Hour)},
		{Labels: labels("ConceptDriftDetected", "high", churn1), Annotations: map[string]string{"summary": "Concept drift detected - model accuracy degraded"}, StartsAt: fakeNow.Add(-11 * time.Hour)},
	}
	u, err := New(st, windows, Options{Now: func() time.Time { return fakeNow }, Alerts: alerts, ReviewLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	return u, st
}

func get(t *testing.T, h http.Handler, path string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec, rec.Body.String()
}

// fragment cuts the element that starts with open out of a page, up to its
// closing tag (the element must not nest its own tag).
func fragment(t *testing.T, page, open, closeTag string) string {
	t.Helper()
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatalf("page has no %s", open)
	}
	j := strings.Index(page[i:], closeTag)
	if j < 0 {
		t.Fatalf("%s is not closed", open)
	}
	return page[i:i+j+len(closeTag)] + "\n"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return ""
}

func TestOverviewGolden(t *testing.T) {
	u, _ := fixture(t)
	res, body := get(t, u, "/")
	if res.Code != http.StatusOK {
		t.Fatalf("GET / = %d: %s", res.Code, body)
	}
	golden(t, "overview.golden.html", fragment(t, body, `<section id="models">`, "</section>"))
}

func TestVersionGolden(t *testing.T) {
	u, _ := fixture(t)
	res, body := get(t, u, "/ui/models/churn/versions/v1?range=24h")
	if res.Code != http.StatusOK {
		t.Fatalf("GET version page = %d: %s", res.Code, body)
	}
	var b strings.Builder
	for _, id := range []string{"alerts", "summary", "runs", "events", "review"} {
		b.WriteString(fragment(t, body, `<section id="`+id+`"`, "</section>"))
	}
	b.WriteString(fragment(t, body, `<figure class="chart-box" id="chart-quality">`, "</figure>"))
	b.WriteString(fragment(t, body, `<figure class="chart-box" id="chart-drift">`, "</figure>"))
	golden(t, "version.golden.html", b.String())
}

// TestOverviewOrder checks that unhealthy model versions come first, with
// the reasons, and that healthy ones follow in name order.
func TestOverviewOrder(t *testing.T) {
	u, _ := fixture(t)
	page, err := u.overview(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range page.Rows {
		order = append(order, r.Key.String()+"="+r.HealthClass)
	}
	want := []string{"churn:v1=bad", "churn:v2=warn", "fraud:v3=ok", "ranker:v1=ok"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("overview order = %v, want %v", order, want)
	}
	reasons := strings.Join(page.Rows[0].Reasons, "; ")
	for _, r := range []string{"accuracy 0.712 < 0.800", "data drift", "concept drift"} {
		if !strings.Contains(reasons, r) {
			t.Errorf("churn v1 reasons %q lack %q", reasons, r)
		}
	}
	if page.Unhealthy != 1 || page.Warnings != 1 || page.Firing != 2 || page.Versions != 4 {
		t.Errorf("counters = %d unhealthy, %d warnings, %d firing, %d versions; want 1, 1, 2, 4", page.Unhealthy, page.Warnings, page.Firing, page.Versions)
	}
	if got := page.Rows[2]; got.Volume != "428" || got.Data.Text != "no drift" || got.Concept.Text != "not run" {
		t.Errorf("fraud v3 row = volume %q, data %q, concept %q; want 428 predictions in 24 h, no drift, not run", got.Volume, got.Data.Text, got.Concept.Text)
	}
	if got := page.Rows[1]; got.Accuracy.Text != dash || got.Window != "40" {
		t.Errorf("churn v2 window of 40 shows accuracy %q, window %q; want no metrics below 100 labels", got.Accuracy.Text, got.Window)
	}
}

func TestResponses(t *testing.T) {
	u, st := fixture(t)
	cases := []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/", 200, `href="/ui/models/churn/versions/v1"`},
		{"GET", "/ui/", 200, "4 model versions"},
		{"GET", "/ui/models/churn/versions/v1", 200, `aria-current="page">7 days`},
		{"GET", "/ui/models/churn/versions/v1?range=90d", 200, `aria-current="page">90 days`},
		{"GET", "/ui/models/churn/versions/v1?range=2y", 400, "range must be one of"},
		{"GET", "/ui/models/nope/versions/v1", 404, "model &#34;nope&#34; version &#34;v1&#34; is not known"},
		{"GET", "/ui/nothing", 404, "no page at /ui/nothing"},
		{"POST", "/", 405, "only answer GET"},
		{"GET", "/ui/assets/ui.css", 200, "svg.chart"},
		{"GET", "/ui/assets/missing.css", 404, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		u.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		body := rec.Body.String()
		if rec.Code != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s %s = %d, want %d with %q; body: %.300s", c.method, c.path, rec.Code, c.status, c.contains, body)
		}
		if c.status != 405 && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") && rec.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("%s %s: CSP %q, want %q", c.method, c.path, rec.Header().Get("Content-Security-Policy"), contentSecurityPolicy)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/ui/models/churn/versions/v1", nil)
	req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
	rec := httptest.NewRecorder()
	u.ServeHTTP(rec, req)
	plain := rec.Body.Len()
	zr, err := gzip.NewReader(rec.Body)
	if err != nil || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q, %v", rec.Header().Get("Content-Encoding"), err)
	}
	page, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(page), "</html>") || len(page) < 4*plain {
		t.Errorf("gzip page: %d bytes compressed to %d (%v), want a whole page compressed at least fourfold", len(page), plain, err)
	}

	st.err = modelwatch.Errorf(modelwatch.EUnavailable, "database is locked")
	res, body := get(t, u, "/")
	if res.Code != http.StatusServiceUnavailable || res.Header().Get("Retry-After") == "" || !strings.Contains(body, "database is locked") {
		t.Errorf("overview with an unavailable store = %d (Retry-After %q): %.200s", res.Code, res.Header().Get("Retry-After"), body)
	}
	st.err = io.ErrUnexpectedEOF
	res, body = get(t, u, "/ui/models/churn/versions/v1")
	if res.Code != http.StatusInternalServerError || strings.Contains(body, "unexpected EOF") {
		t.Errorf("version page with a broken store = %d, body %.200s; want 500 without the internal error", res.Code, body)
	}
}

// TestEmptyStore checks the pages of a fresh install.
func TestEmptyStore(t *testing.T) {
	u, err := New(newFakeStore(), fakeWindows{}, Options{Now: func() time.Time { return fakeNow }})
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, u, "/")
	if res.Code != http.StatusOK || !strings.Contains(body, "No model versions yet") {
		t.Errorf("empty overview = %d: %.300s", res.Code, body)
	}
}

// TestVersionWithoutData checks a model version that only has settings
// (created by PUT settings): every chart says it has no data.
func TestVersionWithoutData(t *testing.T) {
	st := newFakeStore()
	st.mvs = []modelwatch.ModelVersion{{ModelKey: ranker, CreatedAt: fakeNow}}
	u, err := New(st, fakeWindows{}, Options{Now: func() time.Time { return fakeNow }})
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, u, "/ui/models/ranker/versions/v1?range=1h")
	if res.Code != http.StatusOK {
		t.Fatalf("status %d: %.300s", res.Code, body)
	}
	if n := strings.Count(body, "no data in this range"); n != 10 {
		t.Errorf("%d charts say they have no data, want all 10", n)
	}
	for _, s := range []string{"No drift checks have run yet", "have not flagged anything", "No low-confidence predictions", "not measured yet: 0 of the first 1000"} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

// TestWindowMinCount checks that the window's metrics appear only from the
// configured count.
func TestWindowMinCount(t *testing.T) {
	st := newFakeStore()
	st.add(traffic(fraud, 10, time.Hour, 1, 1, 5, 9)...)
	w := fakeWindows{fraud: window.Metrics{Count: 10, Accuracy: 1, Precision: 1, Recall: 1, F1: 1}}
	for _, c := range []struct {
		min  int
		want string
	}{{0, "metrics are shown from 100"}, {10, "10 latest labelled predictions: accuracy"}} {
		u, err := New(st, w, Options{Now: func() time.Time { return fakeNow }, WindowMinCount: c.min})
		if err != nil {
			t.Fatal(err)
		}
		if _, body := get(t, u, "/ui/models/fraud/versions/v3"); !strings.Contains(body, c.want) {
			t.Errorf("WindowMinCount %d: page lacks %q", c.min, c.want)
		}
	}
}

// TestEstimatedAccuracy draws CBPE's estimates on the quality chart, at the
// point where each chunk ends, with the newest lower threshold; a version
// without estimates has neither.
func TestEstimatedAccuracy(t *testing.T) {
	st := newFakeStore()
	st.add(traffic(fraud, 200, 6*time.Hour, 0.9, 2, 5, 4)...)
	u, err := New(st, fakeWindows{}, Options{Now: func() time.Time { return fakeNow }})
	if err != nil {
		t.Fatal(err)
	}
	const path = "/ui/models/fraud/versions/v3?range=24h"
	if _, body := get(t, u, path); strings.Contains(body, "CBPE") || strings.Contains(body, "EstimatedPerformanceDrop") {
		t.Fatal("page without estimates shows an estimate")
	}
	st.estimates[fraud] = []modelwatch.Estimate{ // newest first
		{
			To: fakeNow.Add(-time.Hour), Rows: 500, Labelled: 120,
			Result: []byte(`{"period":"analysis","accuracy":{"value":0.712,"realized":0.69,"lower_threshold":0.81,"alert":true}}`),
		},
		{
			To: fakeNow.Add(-5 * time.Hour), Rows: 500,
			Result: []byte(`{"period":"analysis","accuracy":{"value":0.934,"lower_threshold":0.8,"alert":false}}`),
		},
		{To: fakeNow.Add(-48 * time.Hour), Rows: 500, // before the range
			Result: []byte(`{"period":"analysis","accuracy":{"value":0.4321,"lower_threshold":0.7,"alert":false}}`)},
	}
	_, body := get(t, u, path)
	for _, want := range []string{
		"estimated accuracy (CBPE)",
		"estimated accuracy 0.712 over 500 predictions, realised 0.690 on 120 labelled",
		"estimated accuracy 0.934 over 500 predictions",
		"alert EstimatedPerformanceDrop below 0.810",
		"covariate shift only", "no concept drift",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "estimated accuracy 0.432") {
		t.Error("page shows an estimate from before its range")
	}
}
