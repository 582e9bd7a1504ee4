package storetest

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

func testIngestRoundTrip(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	full := modelwatch.Prediction{
		ID: "p-full", ModelName: "churn", ModelVersion: "v1.2.3",
		Timestamp:     t0.Add(-time.Minute + 123456*time.Microsecond),
		Features:      modelwatch.Features(`{"age":42,"plan":"gold","active":true,"score":0.25,"missing":null}`),
		Prediction:    "1",
		Confidence:    new(0.62),
		Probabilities: map[string]float64{"0": 0.38, "1": 0.62},
		Latency: modelwatch.Latency{
			PreprocessingMs: new(1.5), InferenceMs: new(12.25), PostprocessingMs: new(0.5),
		},
		LatencyMs: new(15.0),
	}
	minimal := pred("p-min", "churn", "v1.2.3", t0.Add(-30*time.Second), "0", 0.9)
	minimal.Confidence = new(0.5)
	res := mustIngest(t, s, full, minimal)
	if res.Accepted != 2 || res.Duplicates() != 0 || len(res.Duplicate) != 2 {
		t.Fatalf("IngestPredictions = %+v (duplicates %d), want 2 accepted, 0 duplicates", res, res.Duplicates())
	}
	got := all(t, s)
	if len(got) != 2 {
		t.Fatalf("stored %d predictions, want 2", len(got))
	}
	// LowConfidence orders by confidence: minimal (0.5) then full (0.62).
	if got[0].ID != "p-min" || got[1].ID != "p-full" {
		t.Fatalf("LowConfidence order = [%s %s], want [p-min p-full]", got[0].ID, got[1].ID)
	}
	if !reflect.DeepEqual(got[1], full) {
		t.Errorf("round trip changed the prediction:\n got %s\nwant %s", show(got[1]), show(full))
	}
	if got[0].Features != nil || got[0].Probabilities != nil || got[0].LatencyMs != nil || got[0].Latency.InferenceMs != nil {
		t.Errorf("round trip of a minimal prediction added fields: %s", show(got[0]))
	}
}

func show(p modelwatch.Prediction) string {
	f := func(v *float64) string {
		if v == nil {
			return "nil"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprintf("{id=%s %s:%s ts=%s features=%s pred=%s conf=%s probs=%v lat=%s/%s/%s total=%s gt=%q at=%s}",
		p.ID, p.ModelName, p.ModelVersion, p.Timestamp.Format(time.RFC3339Nano), p.Features, p.Prediction,
		f(p.Confidence), p.Probabilities, f(p.Latency.PreprocessingMs), f(p.Latency.InferenceMs),
		f(p.Latency.PostprocessingMs), f(p.LatencyMs), p.GroundTruth, p.LabelledAt.Format(time.RFC3339Nano))
}

func testIngestIdempotent(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	a := pred("a", "m", "1", t0, "x", 0.1)
	b := pred("b", "m", "1", t0, "y", 0.2)
	res := mustIngest(t, s, a, b, a) // a twice in one batch
	if res.Accepted != 2 || res.Duplicates() != 1 || !reflect.DeepEqual(res.Duplicate, []bool{false, false, true}) {
		t.Fatalf("first batch: %+v, want accepted 2 and Duplicate [false false true]", res)
	}
	// A retry of the same batch, with a changed copy of a: nothing new.
	changed := a
	changed.Prediction = "z"
	res = mustIngest(t, s, changed, b, pred("c", "m", "1", t0, "x", 0.3))
	if res.Accepted != 1 || !reflect.DeepEqual(res.Duplicate, []bool{true, true, false}) {
		t.Fatalf("retry: %+v, want accepted 1 and Duplicate [true true false]", res)
	}
	got := all(t, s)
	if len(got) != 3 {
		t.Fatalf("stored %d predictions, want 3", len(got))
	}
	if got[0].ID != "a" || got[0].Prediction != "x" {
		t.Errorf("a duplicate overwrote the stored prediction: %s", show(got[0]))
	}
	st, err := s.Stats(ctx(t), store.StatsQuery{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalPredictions != 3 || st.PredictionDistribution["x"] != 2 || st.PredictionDistribution["y"] != 1 {
		t.Errorf("Stats after duplicates = total %d, distribution %v; want 3 and {x:2 y:1}",
			st.TotalPredictions, st.PredictionDistribution)
	}
}

func testIngestAtomic(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	mustIngest(t, s, pred("before", "m", "1", t0, "x", 0.5))
	// A batch whose last row cannot be stored (a NaN probability cannot be
	// encoded) after hundreds of rows that can.
	var batch []modelwatch.Prediction
	for i := range 300 {
		batch = append(batch, pred(fmt.Sprintf("b-%03d", i), "m", "1", t0.Add(time.Duration(i)*time.Second), "x", 0.5))
	}
	batch[299].Probabilities = map[string]float64{"x": math.NaN()}
	if _, err := s.IngestPredictions(ctx(t), batch); err == nil {
		t.Fatal("IngestPredictions with an unstorable row: err = nil, want an error")
	}
	if got := all(t, s); len(got) != 1 || got[0].ID != "before" {
		t.Fatalf("after a failed batch %d predictions are stored, want only the one stored before", len(got))
	}
	st, err := s.Stats(ctx(t), store.StatsQuery{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalPredictions != 1 {
		t.Errorf("rollups after a failed batch count %d predictions, want 1", st.TotalPredictions)
	}
	// The same batch, fixed, is then accepted in full: nothing of the failed
	// attempt was left behind as a duplicate.
	batch[299].Probabilities = nil
	if res := mustIngest(t, s, batch...); res.Accepted != 300 {
		t.Errorf("retry of the fixed batch accepted %d, want 300", res.Accepted)
	}
}

func testModelVersions(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	mvs, err := s.ModelVersions(ctx(t))
	if err != nil || len(mvs) != 0 {
		t.Fatalf("ModelVersions on an empty store = %v, %v; want none", mvs, err)
	}
	mustIngest(t, s, pred("1", "b", "2", t0, "x", 0.5), pred("2", "a", "1", t0, "x", 0.5))
	clock.Advance(time.Hour)
	mustIngest(t, s, pred("3", "b", "1", t0, "x", 0.5), pred("4", "a", "1", t0, "x", 0.5))
	mvs, err = s.ModelVersions(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, mv := range mvs {
		got = append(got, mv.String()+"@"+mv.CreatedAt.Format("15:04"))
	}
	want := []string{"a:1@10:30", "b:1@11:30", "b:2@10:30"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ModelVersions = %v, want %v", got, want)
	}
}

func testDurable(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("the harness cannot reopen a store")
	}
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	mustIngest(t, s, pred("p1", "m", "1", t0, "x", 0.5), pred("p2", "m", "1", t0, "y", 0.6))
	mustLabel(t, s, gt("p1", "x"), gt("later", "y"))
	s = h.Reopen(t, s, clock.Now)
	if got := all(t, s); len(got) != 2 || got[0].GroundTruth != "x" {
		t.Fatalf("after reopening: %d predictions (first %+v), want 2 with p1 labelled x", len(got), got)
	}
	res := mustIngest(t, s, pred("later", "m", "1", t0, "y", 0.7))
	if res.Joined != 1 {
		t.Errorf("a pending label did not survive reopening: Joined = %d, want 1", res.Joined)
	}
	evs, _, err := s.LatestLabelled(ctx(t), modelwatch.ModelKey{Name: "m", Version: "1"}, 10)
	if err != nil || len(evs) != 2 {
		t.Errorf("LatestLabelled after reopening = %v, %v; want 2 events", evs, err)
	}
}

func testConcurrentWriters(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	const writers, batches, size = 4, 10, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches*2)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				var ps []modelwatch.Prediction
				var ls []modelwatch.GroundTruth
				for i := range size {
					id := fmt.Sprintf("w%d-b%d-%d", w, b, i)
					ps = append(ps, pred(id, "m", "1", t0.Add(time.Duration(i)*time.Second), "x", 0.5))
					// Label the previous batch of another writer: some are
					// stored, some not yet.
					ls = append(ls, gt(fmt.Sprintf("w%d-b%d-%d", (w+1)%writers, b, i), "x"))
				}
				if _, err := s.IngestPredictions(ctx(t), ps); err != nil {
					errs <- err
				}
				if _, err := s.AddGroundTruth(ctx(t), ls); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write: %v", err)
	}
	got := all(t, s)
	if len(got) != writers*batches*size {
		t.Fatalf("stored %d predictions, want %d", len(got), writers*batches*size)
	}
	for _, p := range got {
		if p.GroundTruth != "x" {
			t.Fatalf("prediction %s has ground truth %q, want x (every label was sent, before or after)", p.ID, p.GroundTruth)
		}
	}
	evs := events(t, s, 0)
	if len(evs) != len(got) {
		t.Errorf("%d label events, want one per prediction (%d)", len(evs), len(got))
	}
	seen := map[int64]bool{}
	for i, e := range evs {
		if seen[e.Seq] {
			t.Fatalf("label sequence %d used twice", e.Seq)
		}
		seen[e.Seq] = true
		if i > 0 && e.Rev <= evs[i-1].Rev {
			t.Fatalf("label events out of order: rev %d after %d", e.Rev, evs[i-1].Rev)
		}
	}
}
