package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// TestTwoReplicasPostgres runs two real modelwatch serve processes on one
// real PostgreSQL, started together (the migrations run once). Predictions
// go to one replica while ground truth, some of it before its prediction,
// goes to the other, and labels are corrected through both at once while
// both replicas' windows follow the label events every 20 ms: both must
// end up reporting exactly the window gauges and statistics computed here
// from the final labels, so a label event one replica missed shows. A
// concept-drift check scheduled every minute runs once per minute across
// both, and so does the archive job, which archives the old predictions.
func TestTwoReplicasPostgres(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	archiveDir := t.TempDir()
	args := func() []string {
		return []string{
			"--db", url, "--data-dir", t.TempDir(), "--sync-interval", "20ms", "--check-interval", "1s",
			"--db-max-conns", "6", "--archive-url", "file://" + archiveDir, "--retention", "3d", "--archive-schedule", "* * * * *",
		}
	}
	var a, b *server
	var wg sync.WaitGroup
	wg.Go(func() { a = startServer(t, args()...) })
	wg.Go(func() { b = startServer(t, args()...) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var applied, versions int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	if applied != versions || applied < 2 {
		t.Errorf("schema_migrations: %d rows for %d versions, want each migration once", applied, versions)
	}

	const n = 800
	truth := map[int]string{} // final ground truth by prediction
	pred := func(i int) string { return []string{"0", "1", "2"}[i%3] }
	var preds []string
	now := time.Now().UTC()
	for i := range n {
		preds = append(preds, fmt.Sprintf(`{"id":"r-%d","model_name":"fraud","model_version":"v1","timestamp":%q,"prediction":%s,`+
			`"confidence":%.2f,"features":{"amount":%d},"latency":{"inference_ms":%d}}`,
			i, now.Add(-time.Duration(n-i)*time.Second).Format(time.RFC3339Nano), pred(i), 0.5+float64(i%50)/100, i, 5+i%20))
	}
	labelBody := func(ids []int, label func(int) string) string {
		var sb strings.Builder
		for _, i := range ids {
			fmt.Fprintf(&sb, `{"id":"r-%d","ground_truth":%q}`+"\n", i, label(i))
		}
		return sb.String()
	}
	// Old predictions, past the 3-day retention, for the archive job.
	var old []string
	for i := range 50 {
		old = append(old, fmt.Sprintf(`{"id":"old-%d","model_name":"fraud","model_version":"v1","timestamp":%q,"prediction":"0","confidence":0.9}`,
			i, now.Add(-5*24*time.Hour+time.Duration(i)*time.Minute).Format(time.RFC3339Nano)))
	}
	b.post("/api/v1/predictions", "application/x-ndjson", strings.Join(old, "\n"))

	// Labels of the first 100 predictions reach B before the predictions
	// reach A.
	var early []int
	for i := range 100 {
		early = append(early, i)
		truth[i] = pred(i)
	}
	b.post("/api/v1/ground-truth", "application/x-ndjson", labelBody(early, pred))

	// Ingest to A in batches while B labels what A already has, and both
	// correct labels concurrently.
	var writers sync.WaitGroup
	errs := make(chan error, 100)
	// Each labeller owns the predictions i with i % labellers == k, so the
	// last label it sends for one is final; labellers send at the same
	// time, half of them to each replica.
	const labellers = 6
	owned := make([]chan int, labellers)
	for k := range owned {
		owned[k] = make(chan int, n)
	}
	writers.Go(func() {
		defer func() {
			for _, ch := range owned {
				close(ch)
			}
		}()
		for start := 0; start < n; start += 50 {
			resp, err := a.request("POST", "/api/v1/predictions", "application/x-ndjson", strings.NewReader(strings.Join(preds[start:start+50], "\n")))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("ingest: %d", resp.StatusCode)
				return
			}
			for i := start; i < start+50; i++ {
				if i >= 100 {
					owned[i%labellers] <- i
				}
			}
		}
	})
	truths := make([]map[int]string, labellers)
	labeller := func(k int, s *server) {
		r := rand.New(rand.NewPCG(uint64(k), 3))
		mine := map[int]string{}
		truths[k] = mine
		var seen, batch []int
		send := func() error {
			labels := map[int]string{}
			for _, j := range batch {
				// Mostly right, some wrong, and earlier ones corrected.
				labels[j] = pred(j)
				if r.IntN(5) == 0 {
					labels[j] = pred(j + 1)
				}
				if len(seen) > 0 && r.IntN(2) == 0 {
					old := seen[r.IntN(len(seen))]
					labels[old] = pred(old + r.IntN(2))
				}
			}
			var ids []int
			for j, l := range labels {
				mine[j] = l
				ids = append(ids, j)
			}
			seen = append(seen, batch...)
			batch = batch[:0]
			resp, err := s.request("POST", "/api/v1/ground-truth", "application/x-ndjson", strings.NewReader(labelBody(ids, func(j int) string { return labels[j] })))
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("labels: %d", resp.StatusCode)
			}
			return nil
		}
		for i := range owned[k] {
			if batch = append(batch, i); len(batch) == 4 {
				if err := send(); err != nil {
					errs <- err
					return
				}
			}
		}
		if len(batch) > 0 {
			if err := send(); err != nil {
				errs <- err
			}
		}
	}
	for k := range labellers {
		s := a
		if k%2 == 1 {
			s = b
		}
		writers.Go(func() { labeller(k, s) })
	}
	writers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, m := range truths {
		maps.Copy(truth, m)
	}

	correct := 0
	for i, l := range truth {
		if l == pred(i) {
			correct++
		}
	}
	labelled := len(truth)
	wantAcc := float64(correct) / float64(labelled)
	mv := []string{"model_name", "fraud", "model_version", "v1"}
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range []*server{a, b} {
		for {
			m := s.metrics()
			gotN := value(t, m, "model_window_labelled_predictions", mv...)
			gotAcc := value(t, m, "model_accuracy", mv...)
			if gotN == float64(labelled) && gotAcc == wantAcc {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s: window holds %v labelled with accuracy %v; want %d with %v (from the final labels)", s.url, gotN, gotAcc, labelled, wantAcc)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var stA, stB map[string]any
	a.getJSON("/api/ml/predictions/stats?days=1&model_name=fraud", &stA)
	b.getJSON("/api/ml/predictions/stats?days=1&model_name=fraud", &stB)
	ja, _ := json.Marshal(stA)
	jb, _ := json.Marshal(stB)
	if string(ja) != string(jb) || stA["total_predictions"] != float64(n) || stA["ground_truth_coverage"] != float64(labelled)/n {
		t.Errorf("statistics differ or are wrong:\nA %s\nB %s\nwant %d predictions, coverage %v", ja, jb, n, float64(labelled)/n)
	}

	checkScheduledOnce(t, a, b, conn)
	a.stop()
	b.stop()
	checkArchivedOnce(t, conn, archiveDir, a.stderr.String()+b.stderr.String())
}

// checkArchivedOnce checks that the replicas' archive job ran once per
// schedule time and moved the old predictions to the archive.
func checkArchivedOnce(t *testing.T, conn *pgx.Conn, dir, logs string) {
	t.Helper()
	runs := map[string]int{}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="archive run"`) {
			_, at, _ := strings.Cut(line, "scheduled_for=")
			at, _, _ = strings.Cut(at, " ")
			runs[at]++
		}
	}
	if len(runs) < 2 {
		t.Errorf("archive runs logged: %v, want one at start and one at the minute", runs)
	}
	for at, n := range runs {
		if n != 1 {
			t.Errorf("the archive job scheduled for %s ran %d times across the replicas", at, n)
		}
	}
	var left int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM predictions WHERE id LIKE 'old-%'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "model_name=fraud", "model_version=v1", "date=*", "part-*.parquet"))
	if left != 0 || len(files) == 0 || len(files) > 2 {
		t.Errorf("after the archive job: %d old predictions in the database, archive files %v", left, files)
	}
}

// checkScheduledOnce schedules a concept-drift check every minute and waits
// for its first schedule time (and for the archive job to have emptied the
// old predictions): the check ran exactly once across the replicas.
func checkScheduledOnce(t *testing.T, a, b *server, conn *pgx.Conn) {
	t.Helper()
	const path = "/api/v1/models/fraud/versions/v1"
	if code, body := a.do("PUT", path+"/settings", "application/json",
		`{"baseline_accuracy":0.9,"concept_drift":{"schedule":"* * * * *","min_rows":10},"data_drift":{"schedule":"off"}}`); code != 200 {
		t.Fatalf("settings: %d %s", code, body)
	}
	deadline := time.Now().Add(100 * time.Second)
	var done time.Time
	for {
		var runs struct {
			Runs []struct {
				Trigger      string    `json:"trigger"`
				ScheduledFor time.Time `json:"scheduled_for"`
			} `json:"drift_runs"`
		}
		b.getJSON(path+"/drift-runs?kind=concept", &runs)
		seen := map[time.Time]int{}
		for _, r := range runs.Runs {
			if r.Trigger == "schedule" {
				seen[r.ScheduledFor]++
			}
		}
		for at, n := range seen {
			if n != 1 {
				t.Fatalf("the check scheduled for %s ran %d times across the replicas", at, n)
			}
		}
		var old int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM predictions WHERE id LIKE 'old-%'`).Scan(&old); err != nil {
			t.Fatal(err)
		}
		switch {
		case len(seen) > 0 && old == 0 && done.IsZero():
			// Give the replica that did not run it a few ticks to run it
			// again, wrongly.
			done = time.Now()
		case !done.IsZero() && time.Since(done) > 3*time.Second:
			return
		case time.Now().After(deadline):
			t.Fatalf("after 100 s: scheduled concept-drift checks %v, %d old predictions not archived\nA:\n%s\nB:\n%s", seen, old, a.stderr, b.stderr)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
