package sdk_test

import (
	"context"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// TestLoggingDoesNotAllocate holds the SDK to its promise that the logging
// calls allocate nothing (the benchmarks measure the same, but nothing fails
// when they regress). The client is a real one in steady state: its sender
// has delivered batches to a real modelwatch, so its buffers are warm, and
// it stays idle while the calls are measured (the batch never fills and the
// flush interval is long), because testing.AllocsPerRun counts the
// allocations of every goroutine. It runs under -race too: the race
// detector's shadow memory is not Go heap, and nothing on these paths uses a
// sync.Pool (which drops items at random under -race).
func TestLoggingDoesNotAllocate(t *testing.T) {
	const runs = 300
	srv := startModelwatch(t, nil)
	c, err := sdk.New(sdk.Config{Endpoint: srv.URL, BatchSize: 4 * runs, QueueSize: 8 * runs, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	// Ids and timestamps are made beforehand: making them is the caller's
	// business, not the client's.
	ids := make([]string, 4*(runs+1))
	for i := range ids {
		ids[i] = modelwatch.NewID()
	}
	next := 0
	id := func() string { next++; return ids[(next-1)%len(ids)] }
	p := benchPrediction()
	p.Timestamp = time.Now()
	lat := 12.5
	p.LatencyMs = &lat
	// flush delivers everything queued, so that each measurement starts
	// with empty queues and the sender's buffers sized for a batch.
	flush := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Flush(ctx); err != nil {
			t.Fatalf("flush: %v", err)
		}
	}
	for range runs {
		q := p
		q.ID = id()
		c.Log(q)
		c.LogGroundTruth(q.ID, "stay")
		c.LogError("churn", "v1", "TimeoutError")
	}
	flush()

	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Log", func() {
			q := p
			q.ID = id()
			c.Log(q)
		}},
		{"Log with a zero timestamp and id", func() { // reads the client's clock; the sender fills the id
			q := p
			q.Timestamp = time.Time{}
			c.Log(q)
		}},
		{"LogTimed", func() {
			tm := sdk.StartTimer()
			tm.Mark(sdk.Preprocessing)
			tm.Mark(sdk.Inference)
			tm.Mark(sdk.Postprocessing)
			q := p
			q.ID, q.Timestamp = id(), time.Time{}
			c.LogTimed(q, &tm)
		}},
		{"LogGroundTruth", func() { c.LogGroundTruth(ids[next%len(ids)], "churn"); next++ }},
		{"LogError", func() { c.LogError("churn", "v1", "ValueError") }},
	} {
		before := c.Stats()
		allocs := testing.AllocsPerRun(runs, tc.f)
		after := c.Stats()
		if allocs != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, allocs)
		}
		queued := after.Predictions.Queued + after.GroundTruth.Queued + after.Errors.Queued -
			before.Predictions.Queued - before.GroundTruth.Queued - before.Errors.Queued
		if queued != runs+1 || after.Predictions.Dropped != 0 || after.Requests != before.Requests {
			t.Fatalf("%s: %d records queued, %d dropped, %d requests during the measurement; want %d queued, none dropped, the sender idle",
				tc.name, queued, after.Predictions.Dropped, after.Requests-before.Requests, runs+1)
		}
		flush()
	}
	st := c.Stats()
	if st.Predictions.Failed+st.GroundTruth.Failed+st.Errors.Failed != 0 {
		t.Errorf("Stats() = %+v, want nothing failed", st)
	}
}
