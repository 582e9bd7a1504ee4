package archive

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// benchDay is the archived day of the benchmarks.
var benchDay = now.AddDate(0, 0, -100).Truncate(24 * time.Hour)

// fillDay stores rows predictions with 20 features (as in the ingest
// benchmarks), a third of them labelled, on benchDay.
func fillDay(b testing.TB, st store.Store, rows int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	batch := make([]modelwatch.Prediction, 0, 5000)
	var feat bytes.Buffer
	for i := range rows {
		feat.Reset()
		feat.WriteByte('{')
		for j := range 20 {
			if j > 0 {
				feat.WriteByte(',')
			}
			if j%5 == 4 {
				fmt.Fprintf(&feat, `"f%02d":"level_%d"`, j, rng.IntN(12))
			} else {
				fmt.Fprintf(&feat, `"f%02d":%.6g`, j, rng.NormFloat64()*100)
			}
		}
		feat.WriteByte('}')
		p := modelwatch.Prediction{
			ID: "b" + strconv.Itoa(i), ModelName: "bench", ModelVersion: "v1",
			Timestamp: benchDay.Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))), Features: modelwatch.Features(feat.String()),
			Prediction: modelwatch.Label(strconv.Itoa(i % 3)), Confidence: new(0.4 + rng.Float64()*0.6),
			Latency: modelwatch.Latency{PreprocessingMs: new(rng.Float64() * 3), InferenceMs: new(5 + rng.ExpFloat64()*40), PostprocessingMs: new(rng.Float64())},
		}
		if i%3 == 0 {
			p.GroundTruth = p.Prediction
		}
		batch = append(batch, p)
		if len(batch) == cap(batch) || i == rows-1 {
			if _, err := st.IngestPredictions(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// BenchmarkArchive measures the archive job's throughput for one model
// version's day of predictions with 20 (typed) features: export from the
// database to a Parquet object in a directory, then reading it back and
// checking it, the work done before the rows are deleted. rows/s is the
// figure; B/row the archive's size per prediction.
func BenchmarkArchive(b *testing.B) {
	const rows = 100_000
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run("store="+backend, func(b *testing.B) {
			var st store.Store
			switch backend {
			case "sqlite":
				db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
				if err != nil {
					b.Fatal(err)
				}
				st = db
			default:
				pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
				db, err := postgres.Open(context.Background(), pg.NewDatabase(b), postgres.Options{})
				if err != nil {
					b.Fatal(err)
				}
				st = db
			}
			b.Cleanup(func() { _ = st.Close() })
			fillDay(b, st, rows)
			bucket, err := OpenBucket(context.Background(), "file://"+b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer bucket.Close()
			a := New(st, bucket, Options{Now: func() time.Time { return now }})
			d := store.ArchiveDay{Model: modelwatch.ModelKey{Name: "bench", Version: "v1"}, Day: benchDay}
			n, size := 0, int64(0)
			start := time.Now()
			for b.Loop() {
				snap, sum, err := a.export(context.Background(), d, "bench.parquet", true)
				if err != nil || snap.Rows != rows {
					b.Fatalf("export: %d rows, %v", snap.Rows, err)
				}
				if size, err = a.verify(context.Background(), "bench.parquet", snap.Rows, sum); err != nil {
					b.Fatal(err)
				}
				n += rows
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(size)/rows, "B/row")
		})
	}
}

// BenchmarkArchiveRun measures the whole job on PostgreSQL for a day of
// 100,000 predictions: export, verify, delete (predictions and ids) and the
// partition drop. Each iteration stores the day first; only Run is timed.
func BenchmarkArchiveRun(b *testing.B) {
	const rows = 100_000
	pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
	db, err := postgres.Open(context.Background(), pg.NewDatabase(b), postgres.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	bucket, err := OpenBucket(context.Background(), "file://"+b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer bucket.Close()
	a := New(db, bucket, Options{Now: func() time.Time { return now }})
	var took time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		fillDay(b, db, rows)
		b.StartTimer()
		start := time.Now()
		res, err := a.Run(context.Background())
		took += time.Since(start)
		if err != nil || res.Rows != rows {
			b.Fatalf("Run = %+v, %v", res, err)
		}
		n += rows
	}
	b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
}
