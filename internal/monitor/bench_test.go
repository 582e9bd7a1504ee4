package monitor

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// benchFeatures writes one row of 20 numerical features (normal,
// lognormal, uniform, gamma-like) and 5 categorical ones (3 to 19 levels).
func benchFeatures(rng *rand.Rand, shift float64, b *strings.Builder) {
	b.WriteByte('{')
	for j := range 20 {
		var v float64
		switch j % 4 {
		case 0:
			v = rng.NormFloat64() + shift
		case 1:
			v = math.Exp(rng.NormFloat64() * 0.5)
		case 2:
			v = rng.Float64() * 10
		case 3:
			v = rng.ExpFloat64() + rng.ExpFloat64()
		}
		fmt.Fprintf(b, `"n%02d":%.6g,`, j, v)
	}
	for j := range 5 {
		levels := 3 + 4*j
		fmt.Fprintf(b, `"c%d":"l%d"`, j, rng.IntN(levels))
		if j < 4 {
			b.WriteByte(',')
		}
	}
	b.WriteByte('}')
}

// BenchmarkDataDriftCheck measures a scheduled data-drift check of a week of
// production predictions (25 features each) against a prepared 100k-row
// reference: reading the features from SQLite, building the columns and
// comparing. The reference is prepared once, as the server does.
func BenchmarkDataDriftCheck(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"),
				sqlite.Options{Now: func() time.Time { return now }, Synchronous: "NORMAL"})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			var ref strings.Builder
			for i := range 20 {
				fmt.Fprintf(&ref, "n%02d,", i)
			}
			ref.WriteString("c0,c1,c2,c3,c4\n")
			for range 100_000 {
				var row strings.Builder
				benchFeatures(rng, 0, &row)
				// The same values as CSV: strip the JSON to its values.
				fields := strings.Split(strings.Trim(row.String(), "{}"), ",")
				for i, f := range fields {
					_, v, _ := strings.Cut(f, ":")
					ref.WriteString(strings.Trim(v, `"`))
					if i < len(fields)-1 {
						ref.WriteByte(',')
					}
				}
				ref.WriteByte('\n')
			}
			if err := db.PutReference(context.Background(), modelwatch.Reference{Model: key, Format: "csv", UploadedAt: now, Data: []byte(ref.String())}); err != nil {
				b.Fatal(err)
			}
			batch := make([]modelwatch.Prediction, 0, 10000)
			for i := range rows {
				var f strings.Builder
				benchFeatures(rng, 0.3, &f)
				batch = append(batch, modelwatch.Prediction{
					ID: "p" + strconv.Itoa(i), ModelName: key.Name, ModelVersion: key.Version,
					Timestamp: now.Add(-time.Duration(float64(i) / float64(rows) * float64(7*24*time.Hour))),
					Features:  modelwatch.Features(f.String()), Prediction: "1", Confidence: new(0.5),
				})
				if len(batch) == cap(batch) || i == rows-1 {
					if _, err := db.IngestPredictions(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			mon := New(db, newRecorder(), Options{Now: func() time.Time { return now }})
			window := modelwatch.TimeRange{From: now.Add(-7*24*time.Hour - time.Minute), To: now.Add(time.Minute)}
			// Prepare the reference outside the timing, as a running server has.
			if _, err := mon.refs.get(context.Background(), key, modelwatch.ModelSettings{}.WithDefaults()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				run, err := mon.RunCheck(context.Background(), key, modelwatch.KindData, window, time.Time{})
				if err != nil || run.Status != modelwatch.RunOK || run.Rows != rows {
					b.Fatalf("run status %s with %d rows (%s), %v; want ok with %d", run.Status, run.Rows, run.Message, err, rows)
				}
			}
			b.ReportMetric(float64(rows)/(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9), "rows/s")
		})
	}
}
