package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

const (
	benchBatch    = 1000
	benchFeatures = 20
	idWidth       = 16
)

// benchBody is an NDJSON batch of benchBatch predictions with benchFeatures
// features each, and the byte offsets of their ids so that each use can
// give them new ones cheaply.
type benchBody struct {
	body    []byte
	idAt    []int
	rows    [][]any // the same rows as SQL arguments, for the driver baseline
	counter int
}

func newBenchBody(seed uint64) *benchBody {
	rng := rand.New(rand.NewPCG(seed, 1))
	bb := &benchBody{}
	var b bytes.Buffer
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
		fmt.Fprintf(&b, `","model_name":"bench","model_version":"v1","timestamp":"2026-11-26T10:%02d:%02dZ","features":%s,"prediction":%s,"confidence":%.4f,"latency":{"preprocessing_ms":%.3f,"inference_ms":%.3f,"postprocessing_ms":%.3f}}`+"\n",
			i/60%60, i%60, feat.Bytes(), class, conf, pre, inf, post)
		bb.rows = append(bb.rows, []any{
			"", int64(1), time.Date(2026, 11, 26, 10, i/60%60, i%60, 0, time.UTC).UnixMicro(),
			feat.String(), class, conf, nil, pre, inf, post, nil, nil, nil, nil, nil,
		})
	}
	bb.body = b.Bytes()
	return bb
}

// next gives the batch fresh ids and returns it.
func (bb *benchBody) next(prefix byte) []byte {
	for _, at := range bb.idAt {
		bb.counter++
		id := strconv.AppendInt([]byte{prefix}, int64(bb.counter), 36)
		copy(bb.body[at:at+idWidth], fmt.Appendf(nil, "%0*s", idWidth, id))
	}
	return bb.body
}

func newBenchServer(b *testing.B) (*httptest.Server, *sqlite.DB) {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
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
	return srv, db
}

// BenchmarkIngest measures sustained ingest of NDJSON batches of 1000
// predictions with 20 features through the HTTP API into SQLite (with
// synchronous=FULL), next to the driver's own rate for the same rows: a
// prepared INSERT per row in 1000-row transactions on the same schema. The
// rows/s metric is the figure to compare.
func BenchmarkIngest(b *testing.B) {
	b.Run("driver=raw-insert", func(b *testing.B) {
		insert := newRawInserter(b)
		bb := newBenchBody(1)
		n := 0
		start := time.Now()
		for b.Loop() {
			insert(bb.rows, &n)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	})
	b.Run("store=sqlite-direct", func(b *testing.B) {
		_, db := newBenchServer(b)
		ps := benchPredictions(newBenchBody(9))
		n := 0
		start := time.Now()
		for b.Loop() {
			for i := range ps {
				n++
				ps[i].ID = "s" + strconv.Itoa(n)
			}
			if _, err := db.IngestPredictions(context.Background(), ps); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	})
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("api=http-ndjson/clients=%d", clients), func(b *testing.B) {
			srv, _ := newBenchServer(b)
			bodies := make([]*benchBody, clients)
			for i := range bodies {
				bodies[i] = newBenchBody(uint64(i + 2))
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
						body := bodies[c].next(byte('a' + c))
						resp, err := client.Post(srv.URL+"/api/v1/predictions", "application/x-ndjson", bytes.NewReader(body))
						if err != nil {
							errs <- err
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							errs <- fmt.Errorf("status %d", resp.StatusCode)
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

// newRawInserter opens a SQLite database with the store's schema, through
// database/sql with the store's pragmas (synchronous=FULL), and returns a
// function that inserts rows in one transaction with a prepared INSERT per
// row: the driver's own batched rate, the baseline of the ingest target.
// It numbers the rows' ids from *n.
func newRawInserter(b *testing.B) func(rows [][]any, n *int) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "raw.db")
	schema, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := schema.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`INSERT INTO model_versions (id, model_name, model_version, created_at) VALUES (1, 'bench', 'v1', 0)`); err != nil {
		b.Fatal(err)
	}
	stmt, err := db.Prepare(`INSERT INTO predictions (id, mv_id, ts, features, prediction, confidence, probabilities,
		preprocessing_ms, inference_ms, postprocessing_ms, latency_ms, ground_truth, labelled_at, label_seq, label_rev)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stmt.Close() })
	return func(rows [][]any, n *int) {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st := tx.Stmt(stmt)
		for _, row := range rows {
			*n++
			row[0] = "raw-" + strconv.Itoa(*n)
			if _, err := st.Exec(row...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestRatio interleaves, round by round, the driver baseline of
// BenchmarkIngest (1000 prepared INSERTs in a transaction per batch), the
// same rows through the store, and NDJSON batches through the HTTP API, so
// that the load of a shared machine weighs on all three alike. A round is
// one batch per client: the baseline and the store write them one after the
// other, the API receives them from that many clients at once. Each writes
// to a database of its own, so that the three tables grow alike. It reports
// each one's rate and the store's and the API's as a percentage of the
// driver's: the ingest target is api-%-of-raw ≥ 80.
func BenchmarkIngestRatio(b *testing.B) {
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchIngestRatio(b, clients)
		})
	}
}

func benchIngestRatio(b *testing.B, clients int) {
	insert := newRawInserter(b)
	_, db := newBenchServer(b)
	srv, _ := newBenchServer(b)
	raw, direct := newBenchBody(1), newBenchBody(9)
	api := make([]*benchBody, clients)
	for c := range api {
		api[c] = newBenchBody(uint64(c + 2))
	}
	ps := benchPredictions(direct)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	post := func(body []byte) error {
		resp, err := client.Post(srv.URL+"/api/v1/predictions", "application/x-ndjson", bytes.NewReader(body))
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
	var tRaw, tDirect, tAPI time.Duration
	n, nRaw, nDirect := 0, 0, 0
	for b.Loop() {
		start := time.Now()
		for range clients {
			insert(raw.rows, &nRaw)
		}
		tRaw += time.Since(start)
		start = time.Now()
		for range clients {
			for i := range ps {
				nDirect++
				ps[i].ID = "s" + strconv.Itoa(nDirect)
			}
			if _, err := db.IngestPredictions(context.Background(), ps); err != nil {
				b.Fatal(err)
			}
		}
		tDirect += time.Since(start)
		bodies := make([][]byte, clients)
		for c := range bodies {
			bodies[c] = api[c].next(byte('a' + c))
		}
		errs := make([]error, clients)
		start = time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() { errs[c] = post(bodies[c]) })
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
	b.ReportMetric(float64(n)/tRaw.Seconds(), "raw-rows/s")
	b.ReportMetric(float64(n)/tDirect.Seconds(), "store-rows/s")
	b.ReportMetric(float64(n)/tAPI.Seconds(), "api-rows/s")
	b.ReportMetric(100*tRaw.Seconds()/tDirect.Seconds(), "store-%-of-raw")
	b.ReportMetric(100*tRaw.Seconds()/tAPI.Seconds(), "api-%-of-raw")
}

// discardStore is a store whose IngestPredictions stores nothing and
// reports every row accepted.
type discardStore struct{ *sqlite.DB }

func (discardStore) IngestPredictions(_ context.Context, ps []modelwatch.Prediction) (store.IngestResult, error) {
	return store.IngestResult{Accepted: len(ps), Duplicate: make([]bool, len(ps)), Labelled: map[modelwatch.ModelKey]int{}}, nil
}

// BenchmarkIngestOverhead measures what the HTTP API adds to the store:
// NDJSON batches of 1000 predictions with 20 features, posted by one
// client, decoded, validated, counted in the metrics and answered, into a
// store that discards them.
func BenchmarkIngestOverhead(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	m, err := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	wins := monitor.NewWindows(db, monitor.WindowsOptions{})
	if err := wins.Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(discardStore{db}, wins, m, httpapi.Options{}))
	b.Cleanup(srv.Close)
	bb := newBenchBody(2)
	b.SetBytes(int64(len(bb.body)))
	client := &http.Client{}
	n := 0
	for b.Loop() {
		resp, err := client.Post(srv.URL+"/api/v1/predictions", "application/x-ndjson", bytes.NewReader(bb.next('a')))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		n += benchBatch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// benchPredictions returns the rows of bb as decoded predictions.
func benchPredictions(bb *benchBody) []modelwatch.Prediction {
	var ps []modelwatch.Prediction
	for _, row := range bb.rows {
		p := modelwatch.Prediction{
			ModelName: "bench", ModelVersion: "v1", Timestamp: time.UnixMicro(row[2].(int64)).UTC(),
			Features: modelwatch.Features(row[3].(string)), Prediction: modelwatch.Label(row[4].(string)),
			Confidence: new(row[5].(float64)),
		}
		p.Latency.PreprocessingMs = new(row[7].(float64))
		p.Latency.InferenceMs = new(row[8].(float64))
		p.Latency.PostprocessingMs = new(row[9].(float64))
		ps = append(ps, p)
	}
	return ps
}
