package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// BenchPruneRollups measures PruneRollups deleting the minute rollups of
// `days` days of traffic of one model version, a prediction in every
// minute, labelled, with every latency: 7 rows per minute (counts, four
// sketches, a class, a confusion pair), the shape of a busy model. Each
// iteration stores the days again (not timed) and prunes them; it reports
// the minute buckets and rows deleted per second.
func BenchPruneRollups(b *testing.B, s store.Store, days int) {
	b.Helper()
	horizon := t0.Add(-14 * day).Truncate(day)
	var buckets, rows int64
	var elapsed time.Duration
	iter := 0
	for b.Loop() {
		b.StopTimer()
		iter++
		batch := make([]modelwatch.Prediction, 0, 1440)
		for d := range days {
			batch = batch[:0]
			for m := range 1440 {
				p := pred(fmt.Sprintf("b%d-%d-%d", iter, d, m), "bench", "v1", horizon.Add(-time.Duration(d+1)*day+time.Duration(m)*time.Minute),
					[]string{"a", "b", "c"}[m%3], 0.5)
				p.GroundTruth = "a"
				p.LatencyMs = new(float64(m%100) + 1)
				p.Latency = modelwatch.Latency{PreprocessingMs: new(1.0), InferenceMs: new(float64(m % 50)), PostprocessingMs: new(0.5)}
				batch = append(batch, p)
			}
			if _, err := s.IngestPredictions(b.Context(), batch); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		res, err := s.PruneRollups(b.Context(), horizon, horizon.Add(-1000*day))
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if want := int64(days * 1440); res.Buckets != want || res.Kept.Minute != horizon.Unix() {
			b.Fatalf("PruneRollups deleted %d buckets (horizon %d), want %d", res.Buckets, res.Kept.Minute, want)
		}
		buckets += res.Buckets
		rows += res.Rows
	}
	b.ReportMetric(float64(buckets)/elapsed.Seconds(), "buckets/s")
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}
