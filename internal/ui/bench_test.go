package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// benchVersions and benchDays size the benchmark's store: the issue's
// "90-day page with 100 model versions stored".
const (
	benchVersions = 100
	benchDays     = 91
)

// fillBench stores, for each of n model versions, two predictions an hour
// over days days and one a minute over the last day (so every rollup
// resolution the pages read is full), a third of them labelled, with three
// classes, stage latencies and features; plus drift runs and detector
// events. It returns the number of predictions stored.
func fillBench(tb testing.TB, db *sqlite.DB, now time.Time, n, days int) int {
	tb.Helper()
	ctx := context.Background()
	total := 0
	batch := make([]modelwatch.Prediction, 0, 5000)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := db.IngestPredictions(ctx, batch); err != nil {
			tb.Fatal(err)
		}
		total += len(batch)
		batch = batch[:0]
	}
	classes := []string{"approve", "review", "reject"}
	for v := range n {
		k := modelwatch.ModelKey{Name: fmt.Sprintf("model-%02d", v/4), Version: "v" + strconv.Itoa(v%4+1)}
		rng := rand.New(rand.NewPCG(uint64(v), 7))
		add := func(i int, ts time.Time) {
			pred := classes[rng.IntN(3)]
			p := modelwatch.Prediction{
				ID: k.Name + k.Version + "-" + strconv.Itoa(i), ModelName: k.Name, ModelVersion: k.Version, Timestamp: ts,
				Features:   modelwatch.Features(fmt.Sprintf(`{"amount":%.2f,"country":"%s"}`, rng.ExpFloat64()*100, []string{"DE", "FR"}[rng.IntN(2)])),
				Prediction: modelwatch.Label(pred), Confidence: new(0.4 + 0.6*rng.Float64()),
			}
			p.Latency.PreprocessingMs = new(1 + rng.ExpFloat64()*2)
			p.Latency.InferenceMs = new(10 + rng.ExpFloat64()*30)
			p.Latency.PostprocessingMs = new(0.5 + rng.ExpFloat64())
			if i%3 == 0 {
				p.GroundTruth = p.Prediction
				if rng.Float64() < 0.1 {
					p.GroundTruth = modelwatch.Label(classes[rng.IntN(3)])
				}
			}
			batch = append(batch, p)
			if len(batch) == cap(batch) {
				flush()
			}
		}
		i := 0
		start := now.Add(-time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
		for ts := start; ts.Before(now.Add(-24 * time.Hour)); ts = ts.Add(30 * time.Minute) {
			add(i, ts.Add(time.Duration(rng.Int64N(int64(30*time.Minute)))))
			i++
		}
		for ts := now.Add(-24 * time.Hour); ts.Before(now); ts = ts.Add(time.Minute) {
			add(i, ts)
			i++
		}
		for d := range min(days, 13) {
			at := now.Add(-time.Duration(d*7) * 24 * time.Hour)
			run := modelwatch.DriftRun{
				Model: k, Kind: modelwatch.KindData, Trigger: "schedule", Status: modelwatch.RunOK, StartedAt: at, FinishedAt: at,
				Window: modelwatch.TimeRange{From: at.Add(-7 * 24 * time.Hour), To: at}, Rows: 500,
				DriftedColumns: d % 3, DriftedColumnsShare: new(float64(d%3) / 2), DriftDetected: d%3 == 2,
			}
			if _, err := db.AddDriftRun(ctx, run, []byte("<html>report</html>")); err != nil {
				tb.Fatal(err)
			}
		}
		evs := []modelwatch.ConceptEvent{{Model: k, Detector: "adwin", Kind: "drift", At: now.Add(-36 * time.Hour), Seq: 100}}
		if err := db.AddConceptEvents(ctx, evs); err != nil {
			tb.Fatal(err)
		}
	}
	flush()
	return total
}

// benchStore opens the benchmark's store, filling it on first use; with
// MODELWATCH_UI_BENCH_DB set, the filled file is kept there and reused.
func benchStore(b *testing.B, now time.Time) *sqlite.DB {
	b.Helper()
	path := os.Getenv("MODELWATCH_UI_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	_, statErr := os.Stat(path)
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL", Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if statErr != nil {
		start := time.Now()
		n := fillBench(b, db, now, benchVersions, benchDays)
		b.Logf("stored %d predictions of %d model versions over %d days in %v", n, benchVersions, benchDays, time.Since(start).Round(time.Second))
	}
	return db
}

// BenchmarkPages measures whole page requests, handler to HTML, against a
// SQLite store holding 100 model versions with 91 days of data: the
// overview and the model version page at each range.
func BenchmarkPages(b *testing.B) {
	now := time.Date(2026, 11, 20, 14, 37, 0, 0, time.UTC)
	db := benchStore(b, now)
	u, err := New(db, fakeWindows{}, Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path string }{{"overview", "/"}}
	for _, s := range spans() {
		pages = append(pages, struct{ name, path string }{"version-" + s.Key, "/ui/models/model-12/versions/v3?range=" + s.Key})
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				u.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d: %.300s", p.path, rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}
