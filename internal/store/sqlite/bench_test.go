package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

var benchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fill stores n predictions of one model version spread over the 7 days
// before benchNow, in batches of 5000.
func fill(b *testing.B, db *DB, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	batch := make([]modelwatch.Prediction, 0, 5000)
	for i := range n {
		p := modelwatch.Prediction{
			ID: "p" + strconv.Itoa(i), ModelName: "bench", ModelVersion: "v1",
			Timestamp:  benchNow.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))),
			Features:   modelwatch.Features(`{"a":1.5,"b":"x"}`),
			Prediction: modelwatch.Label(strconv.Itoa(i % 3)), Confidence: new(rng.Float64()),
			LatencyMs: new(5 + rng.ExpFloat64()*40),
		}
		batch = append(batch, p)
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := db.IngestPredictions(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

func benchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkStats measures the statistics query over the last 7 days at
// different numbers of stored predictions: it reads rollups, so its time
// should not grow with the row count.
func BenchmarkStats(b *testing.B) {
	for _, rows := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			db := benchDB(b)
			fill(b, db, rows)
			q := store.StatsQuery{From: benchNow.Add(-7 * 24 * time.Hour).Truncate(time.Minute), To: benchNow.Add(time.Minute)}
			for b.Loop() {
				st, err := db.Stats(context.Background(), q)
				if err != nil {
					b.Fatal(err)
				}
				if st.TotalPredictions != int64(rows) {
					b.Fatalf("total %d, want %d", st.TotalPredictions, rows)
				}
			}
		})
	}
}

// BenchmarkLabelJoin measures AddGroundTruth: batches of 1000 labels for
// stored predictions.
func BenchmarkLabelJoin(b *testing.B) {
	db := benchDB(b)
	const stored = 200_000
	fill(b, db, stored)
	labels := make([]modelwatch.GroundTruth, 1000)
	next := 0
	start := time.Now()
	n := 0
	for b.Loop() {
		for i := range labels {
			labels[i] = modelwatch.GroundTruth{ID: "p" + strconv.Itoa(next%stored), GroundTruth: modelwatch.Label(strconv.Itoa(next % 2))}
			next += 7
		}
		if _, err := db.AddGroundTruth(context.Background(), labels); err != nil {
			b.Fatal(err)
		}
		n += len(labels)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "labels/s")
}

// BenchmarkPruneRollups measures PruneRollups on the minute rollups of 1
// and 7 days of a model version with traffic in every minute (see
// storetest.BenchPruneRollups), in batches of the default 1000 buckets.
func BenchmarkPruneRollups(b *testing.B) {
	for _, days := range []int{1, 7} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			storetest.BenchPruneRollups(b, benchDB(b), days)
		})
	}
}
