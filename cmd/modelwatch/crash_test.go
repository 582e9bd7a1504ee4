package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// crashBatch is one NDJSON batch of predictions with client-chosen ids.
func crashBatch(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"%s-%d","model_name":"crash","model_version":"1","prediction":%d,"confidence":0.7,"features":{"x":%d},"latency":{"inference_ms":5},"ground_truth":%d}`+"\n",
			prefix, i, i%3, i, i%2)
	}
	return b.String()
}

type ingestResult struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

func postBatch(client *http.Client, url, body string) (ingestResult, bool) {
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/predictions", strings.NewReader(body))
	if err != nil {
		return ingestResult{}, false
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		return ingestResult{}, false
	}
	defer resp.Body.Close()
	var r ingestResult
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil {
		return ingestResult{}, false
	}
	return r, true
}

// TestCrashSafety kills the server with SIGKILL while several clients ingest,
// restarts it, and checks that every acknowledged batch is stored, no batch
// is half stored, and the statistics agree with the stored rows: on the
// embedded SQLite database and on PostgreSQL.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	t.Run("sqlite", func(t *testing.T) {
		crashSafety(t, "--data-dir", t.TempDir())
	})
	t.Run("postgres", func(t *testing.T) {
		pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
		crashSafety(t, "--db", pg.NewDatabase(t), "--data-dir", t.TempDir())
	})
}

// crashSafety is TestCrashSafety with a server started with store args.
func crashSafety(t *testing.T, store ...string) {
	args := append([]string{"--rate-limit", "0"}, store...)
	rng := rand.New(rand.NewPCG(7, 7))
	var mu sync.Mutex
	acked := map[string]string{} // batch prefix → body
	sent := map[string]string{}  // every batch attempted
	const rounds, clients, size = 5, 4, 200
	for round := range rounds {
		s := startServer(t, args...)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				client := &http.Client{Timeout: 10 * time.Second}
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					prefix := fmt.Sprintf("r%d-c%d-b%d", round, c, i)
					body := crashBatch(prefix, size)
					mu.Lock()
					sent[prefix] = body
					mu.Unlock()
					r, ok := postBatch(client, s.url, body)
					if !ok {
						return // the server is gone
					}
					if r.Accepted != size {
						t.Errorf("batch %s: accepted %d of %d new predictions", prefix, r.Accepted, size)
					}
					mu.Lock()
					acked[prefix] = body
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		if err := <-s.done; err == nil {
			t.Error("the server exited cleanly; it was meant to be killed")
		}
		close(stop)
		wg.Wait()
	}
	if len(acked) < rounds*clients {
		t.Fatalf("only %d batches were acknowledged; the test did not exercise ingest", len(acked))
	}

	// After a restart, every batch ever sent is sent again: an acknowledged
	// one must come back entirely as duplicates, any other entirely one way
	// or the other (never half).
	s := startServer(t, args...)
	client := &http.Client{Timeout: 30 * time.Second}
	stored, unacked, unackedStored := 0, 0, 0
	for prefix, body := range sent {
		r, ok := postBatch(client, s.url, body)
		if !ok {
			t.Fatalf("re-sending batch %s failed", prefix)
		}
		_, wasAcked := acked[prefix]
		switch {
		case wasAcked && r.Duplicates != size:
			t.Errorf("acknowledged batch %s: %d of %d found stored after the crashes", prefix, r.Duplicates, size)
		case r.Duplicates != 0 && r.Duplicates != size:
			t.Errorf("batch %s was half stored: %d of %d", prefix, r.Duplicates, size)
		}
		if !wasAcked {
			unacked++
			if r.Duplicates == size {
				unackedStored++
			}
		}
		stored += size // now every batch is stored exactly once
	}
	var st struct {
		Total    int64    `json:"total_predictions"`
		Coverage *float64 `json:"ground_truth_coverage"`
	}
	s.getJSON("/api/ml/predictions/stats?model_name=crash&days=1", &st)
	if st.Total != int64(stored) || st.Coverage == nil || *st.Coverage != 1 {
		t.Errorf("statistics count %d predictions (coverage %v), want %d: rollups and rows disagree", st.Total, st.Coverage, stored)
	}
	m := s.metrics()
	if got := value(t, m, "model_window_labelled_predictions", "model_name", "crash", "model_version", "1"); got != 1000 {
		t.Errorf("window after the crashes holds %v labels, want 1000", got)
	}
	t.Logf("%d rounds of SIGKILL: %d batches acknowledged, %d unacknowledged (%d of them had been committed)",
		rounds, len(acked), unacked, unackedStored)
	s.stop()
}
