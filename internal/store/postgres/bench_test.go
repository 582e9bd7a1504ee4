package postgres_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

const (
	benchBatch    = 1000
	benchFeatures = 20
	idWidth       = 16
)

// benchBody is the NDJSON batch of internal/httpapi's BenchmarkIngest (the
// same generator, so that the figures compare): benchBatch predictions with
// benchFeatures features each, the byte offsets of their ids, and the same
// rows decoded for the driver baseline. Consecutive predictions are step
// apart: 1 s (as in internal/httpapi) spreads a batch over 17 minute
// buckets, the rollups' costly case; 1 ms is a batch of a service making
// 1000 predictions a second, within one or two minute buckets.
type benchBody struct {
	body    []byte
	idAt    []int
	preds   []modelwatch.Prediction
	counter int
}

func newBenchBody(seed uint64, step time.Duration) *benchBody {
	rng := rand.New(rand.NewPCG(seed, 1))
	bb := &benchBody{}
	var b bytes.Buffer
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for i := range benchBatch {
		b.WriteString(`{"id":"`)
		bb.idAt = append(bb.idAt, b.Len())
		fmt.Fprintf(&b, "%0*d", idWidth, 0)
		var feat bytes.Buffer
		feat.WriteByte('{')
		for j := range benchFeatures {
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
		class := strconv.Itoa(i % 3)
		conf := 0.4 + rng.Float64()*0.6
		pre, inf, post := rng.Float64()*3, 5+rng.ExpFloat64()*40, rng.Float64()
		ts := day.Add(10*time.Hour + time.Duration(i)*step)
		fmt.Fprintf(&b, `","model_name":"bench","model_version":"v1","timestamp":%q,"features":%s,"prediction":%s,"confidence":%.4f,"latency":{"preprocessing_ms":%.3f,"inference_ms":%.3f,"postprocessing_ms":%.3f}}`+"\n",
			ts.Format(time.RFC3339Nano), feat.Bytes(), class, conf, pre, inf, post)
		p := modelwatch.Prediction{
			ModelName: "bench", ModelVersion: "v1", Timestamp: ts, Features: modelwatch.Features(feat.String()),
			Prediction: modelwatch.Label(class), Confidence: new(conf),
		}
		p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs = new(pre), new(inf), new(post)
		bb.preds = append(bb.preds, p)
	}
	bb.body = b.Bytes()
	return bb
}

// next gives the batch fresh ids and returns it.
func (bb *benchBody) next(prefix byte) []byte {
	for i, at := range bb.idAt {
		bb.counter++
		id := fmt.Sprintf("%0*s", idWidth, strconv.AppendInt([]byte{prefix}, int64(bb.counter), 36))
		copy(bb.body[at:at+idWidth], id)
		bb.preds[i].ID = id
	}
	return bb.body
}

// BenchmarkIngest measures sustained ingest of NDJSON batches of 1000
// predictions with 20 features into PostgreSQL (fsync on, on this
// machine) through the HTTP API, next to the baseline the target is set
// against: pgx CopyFrom of the same rows into the same predictions table
// (same partition, indexes and JSON columns; no id claims, rollups or
// labels), one COPY per batch, in the same run. rows/s is the figure to
// compare.
func BenchmarkIngest(b *testing.B) {
	pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
	for _, conns := range []int{1, 4} {
		b.Run(fmt.Sprintf("driver=pgx-copyfrom/conns=%d", conns), func(b *testing.B) {
			url := pg.NewDatabase(b)
			openBench(b, url) // the schema, and model version 1
			bodies := make([]*benchBody, conns)
			conn := make([]*pgx.Conn, conns)
			for c := range conns {
				bodies[c] = newBenchBody(uint64(c+1), time.Second)
				var err error
				if conn[c], err = pgx.Connect(context.Background(), url); err != nil {
					b.Fatal(err)
				}
				defer conn[c].Close(context.Background())
			}
			n := 0
			start := time.Now()
			work := make(chan struct{})
			errs := make(chan error, conns)
			var wg sync.WaitGroup
			for c := range conns {
				wg.Go(func() {
					bb := bodies[c]
					for range work {
						bb.next(byte('r' + c))
						if err := copyBaseline(conn[c], bb); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			for b.Loop() {
				select {
				case work <- struct{}{}:
					n += benchBatch
				case err := <-errs:
					b.Fatal(err)
				}
			}
			close(work)
			wg.Wait()
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		})
	}
	b.Run("store=postgres-direct", func(b *testing.B) {
		db := openBench(b, pg.NewDatabase(b))
		bb := newBenchBody(9, time.Second)
		n := 0
		start := time.Now()
		for b.Loop() {
			bb.next('s')
			if _, err := db.IngestPredictions(context.Background(), bb.preds); err != nil {
				b.Fatal(err)
			}
			n += benchBatch
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	})
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("api=http-ndjson/clients=%d", clients), func(b *testing.B) {
			srv := benchServer(b, openBench(b, pg.NewDatabase(b)))
			bodies := make([]*benchBody, clients)
			for i := range bodies {
				bodies[i] = newBenchBody(uint64(i+2), time.Second)
			}
			b.SetBytes(int64(len(bodies[0].body)))
			start := time.Now()
			n := 0
			work := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for c := range clients {
				wg.Go(func() {
					client := &http.Client{}
					for range work {
						if err := postBatch(client, srv.URL, bodies[c].next(byte('a'+c))); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			for b.Loop() {
				select {
				case work <- struct{}{}:
					n += benchBatch
				case err := <-errs:
					b.Fatal(err)
				}
			}
			close(work)
			wg.Wait()
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkIngestRatio interleaves, round by round on one database, raw
// pgx CopyFrom of 1000-row batches, the same rows through the store, and
// NDJSON batches through the HTTP API, so that the load of a shared machine
// weighs on all three alike. A round is one batch per client: CopyFrom and
// the store write them one after the other, the API receives them from that
// many clients at once. It reports each one's rate and the store's and the
// API's as a percentage of CopyFrom's. step is the time between
// consecutive predictions of a batch (see benchBody).
//
// -args -ingest.prefill N first stores N predictions through the store on
// the same day (so into the same partition, the id table and the
// rollups), to measure ingest into a day that holds that many already
// rather than into an empty one.
func BenchmarkIngestRatio(b *testing.B) {
	pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
	for _, step := range []time.Duration{time.Second, time.Millisecond} {
		for _, clients := range []int{1, 4} {
			b.Run(fmt.Sprintf("step=%v/clients=%d", step, clients), func(b *testing.B) {
				benchIngestRatio(b, pg.NewDatabase(b), step, clients)
			})
		}
	}
}

// prefill is -ingest.prefill (see BenchmarkIngestRatio).
var prefill = flag.Int("ingest.prefill", 0, "predictions `n` BenchmarkIngestRatio stores before it measures")

func benchIngestRatio(b *testing.B, url string, step time.Duration, clients int) {
	db := openBench(b, url)
	if *prefill > 0 {
		start := time.Now()
		fill := newBenchBody(99, step)
		for range (*prefill + benchBatch - 1) / benchBatch {
			fill.next('p')
			if _, err := db.IngestPredictions(context.Background(), fill.preds); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("prefilled %d predictions in %v", fill.counter, time.Since(start).Round(time.Second))
	}
	srv := benchServer(b, db)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	raw, direct := newBenchBody(1, step), newBenchBody(2, step)
	api := make([]*benchBody, clients)
	for c := range api {
		api[c] = newBenchBody(uint64(c+3), step)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var tRaw, tDirect, tAPI time.Duration
	n := 0
	for b.Loop() {
		for range clients {
			raw.next('r')
			start := time.Now()
			if err := copyBaseline(conn, raw); err != nil {
				b.Fatal(err)
			}
			tRaw += time.Since(start)
		}
		for range clients {
			direct.next('s')
			start := time.Now()
			if _, err := db.IngestPredictions(context.Background(), direct.preds); err != nil {
				b.Fatal(err)
			}
			tDirect += time.Since(start)
		}
		bodies := make([][]byte, clients)
		for c := range bodies {
			bodies[c] = api[c].next(byte('a' + c))
		}
		errs := make([]error, clients)
		start := time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() { errs[c] = postBatch(client, srv.URL, bodies[c]) })
		}
		wg.Wait()
		tAPI += time.Since(start)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		n += clients * benchBatch
	}
	b.ReportMetric(float64(n)/tRaw.Seconds(), "copyfrom-rows/s")
	b.ReportMetric(float64(n)/tDirect.Seconds(), "store-rows/s")
	b.ReportMetric(float64(n)/tAPI.Seconds(), "api-rows/s")
	b.ReportMetric(100*tRaw.Seconds()/tDirect.Seconds(), "store-%-of-copyfrom")
	b.ReportMetric(100*tRaw.Seconds()/tAPI.Seconds(), "api-%-of-copyfrom")
}

// benchColumns are the predictions columns the COPY baselines write.
var benchColumns = []string{
	"ts", "mv_id", "id", "prediction", "confidence", "preprocessing_ms", "inference_ms",
	"postprocessing_ms", "latency_ms", "label_seq", "label_rev", "labelled_at", "ground_truth", "features", "probabilities",
}

// postBatch posts an NDJSON body of predictions to the server at url.
func postBatch(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url+"/api/v1/predictions", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// copyBaseline writes the rows of bb with a bare pgx CopyFrom into the
// predictions table (model version 1, no labels): the baseline the ingest
// benchmarks compare with.
func copyBaseline(conn *pgx.Conn, bb *benchBody) error {
	_, err := conn.CopyFrom(context.Background(), pgx.Identifier{"predictions"}, benchColumns, pgx.CopyFromSlice(len(bb.preds), func(i int) ([]any, error) {
		p := &bb.preds[i]
		return []any{
			p.Timestamp, 1, p.ID, string(p.Prediction), p.Confidence, p.Latency.PreprocessingMs, p.Latency.InferenceMs,
			p.Latency.PostprocessingMs, nil, nil, nil, nil, nil, []byte(p.Features), nil,
		}, nil
	}))
	return err
}

// openBench opens a store whose model version "bench:v1" has id 1.
func openBench(b testing.TB, url string) *postgres.DB {
	b.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.PutModelSettings(context.Background(), modelwatch.ModelKey{Name: "bench", Version: "v1"}, modelwatch.ModelSettings{}); err != nil {
		b.Fatal(err)
	}
	return db
}

func benchServer(b *testing.B, db *postgres.DB) *httptest.Server {
	b.Helper()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	wins := monitor.NewWindows(db, monitor.WindowsOptions{})
	if err := wins.Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(db, wins, m, httpapi.Options{}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkPruneRollups measures PruneRollups on the minute rollups of 1
// and 7 days of a model version with traffic in every minute (see
// storetest.BenchPruneRollups), in batches of the default 1000 buckets.
func BenchmarkPruneRollups(b *testing.B) {
	pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
	for _, days := range []int{1, 7} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			storetest.BenchPruneRollups(b, openBench(b, pg.NewDatabase(b)), days)
		})
	}
}
