package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

var key = modelwatch.ModelKey{Name: "m", Version: "1"}

func testGroundTruthAfter(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	mustIngest(t, s, pred("a", "m", "1", t0, "x", 0.5), pred("b", "m", "1", t0, "y", 0.5))
	clock.Advance(time.Hour)
	res := mustLabel(t, s, gt("a", "x"), gt("b", "x"))
	if res.Joined != 2 || res.Pending != 0 || res.Relabelled != 0 || res.Labelled[key] != 2 {
		t.Fatalf("AddGroundTruth = %+v, want 2 joined, Labelled[m:1] = 2", res)
	}
	got := all(t, s)
	for _, p := range got {
		if p.GroundTruth != "x" || !p.LabelledAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("prediction %s: ground truth %q at %s, want x at %s", p.ID, p.GroundTruth, p.LabelledAt, t0.Add(time.Hour))
		}
	}
	evs := events(t, s, 0)
	if len(evs) != 2 {
		t.Fatalf("LabelEvents = %d events, want 2", len(evs))
	}
	want := []store.LabelEvent{
		{Seq: evs[0].Seq, Rev: evs[0].Rev, Model: key, Truth: "x", Prediction: "x"},
		{Seq: evs[1].Seq, Rev: evs[1].Rev, Model: key, Truth: "x", Prediction: "y"},
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, evs[i], want[i])
		}
	}
	if evs[1].Seq <= evs[0].Seq || evs[1].Rev <= evs[0].Rev {
		t.Errorf("label sequence or revision not increasing: %+v", evs)
	}
	if got := events(t, s, evs[0].Rev); len(got) != 1 || got[0] != evs[1] {
		t.Errorf("LabelEvents(after first) = %+v, want only the second event", got)
	}
}

func testGroundTruthBefore(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	mustIngest(t, s, pred("early", "m", "1", t0, "x", 0.5))
	mustLabel(t, s, gt("early", "x"))
	labelAt := t0.Add(time.Minute)
	clock.Advance(time.Minute)
	res := mustLabel(t, s, gt("late-1", "y"), gt("late-2", "x"), gt("late-1", "x")) // late-1 twice: the last wins
	if res.Pending != 2 || res.Joined != 0 {
		t.Fatalf("labels for unknown ids: %+v, want 2 pending", res)
	}
	if evs := events(t, s, 0); len(evs) != 1 {
		t.Fatalf("pending labels produced label events: %+v", evs)
	}
	clock.Advance(time.Hour)
	ir := mustIngest(t, s, pred("late-1", "m", "1", t0, "x", 0.5), pred("other", "m", "1", t0, "y", 0.5))
	if ir.Joined != 1 || ir.Accepted != 2 || ir.Labelled[key] != 1 {
		t.Fatalf("IngestPredictions = %+v, want 2 accepted, 1 joined, Labelled[m:1] = 1", ir)
	}
	evs := events(t, s, 0)
	if len(evs) != 2 || evs[1].Truth != "x" || evs[1].Prediction != "x" || evs[1].Seq <= evs[0].Seq {
		t.Fatalf("label events after the join = %+v, want a second event x/x with a newer seq", evs)
	}
	for _, p := range all(t, s) {
		if p.ID == "late-1" && (p.GroundTruth != "x" || !p.LabelledAt.Equal(labelAt)) {
			t.Errorf("joined prediction: ground truth %q at %s, want x at the label's arrival %s", p.GroundTruth, p.LabelledAt, labelAt)
		}
	}
	// The label is consumed: sending the prediction again joins nothing.
	if ir := mustIngest(t, s, pred("late-1", "m", "1", t0, "x", 0.5)); ir.Joined != 0 || ir.Accepted != 0 {
		t.Errorf("re-sent prediction: %+v, want a duplicate with no join", ir)
	}
	// And late-2 is still waiting.
	if ir := mustIngest(t, s, pred("late-2", "m", "1", t0, "y", 0.5)); ir.Joined != 1 {
		t.Errorf("second pending label: Joined = %d, want 1", ir.Joined)
	}
	last, _, err := s.LatestLabelled(ctx(t), key, 10)
	if err != nil || len(last) != 3 || last[2].Truth != "x" || last[2].Prediction != "y" {
		t.Errorf("LatestLabelled = %+v, %v; want 3 events ending with x/y", last, err)
	}
}

func testRelabel(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	mustIngest(t, s, pred("a", "m", "1", t0, "x", 0.5), pred("b", "m", "1", t0, "x", 0.5))
	mustLabel(t, s, gt("a", "x"))
	mustLabel(t, s, gt("b", "x"))
	first := events(t, s, 0)
	clock.Advance(time.Minute)
	res := mustLabel(t, s, gt("a", "y"), gt("b", "x"))
	if res.Relabelled != 1 || res.Unchanged != 1 || res.Joined != 0 || len(res.Labelled) != 0 {
		t.Fatalf("relabelling: %+v, want 1 relabelled, 1 unchanged", res)
	}
	evs := events(t, s, first[1].Rev)
	if len(evs) != 1 || evs[0].Seq != first[0].Seq || evs[0].Truth != "y" || evs[0].Rev <= first[1].Rev {
		t.Fatalf("events after relabelling = %+v, want one event for a's seq %d with truth y and a new rev", evs, first[0].Seq)
	}
	// Order by first label is kept: a is still older than b.
	last, rev, err := s.LatestLabelled(ctx(t), key, 10)
	if err != nil || len(last) != 2 || last[0].Seq != first[0].Seq || last[0].Truth != "y" {
		t.Fatalf("LatestLabelled = %+v, %v; want a (relabelled y) first", last, err)
	}
	if rev != evs[0].Rev {
		t.Errorf("LatestLabelled rev = %d, want the newest revision %d", rev, evs[0].Rev)
	}
	// Relabelling a pending label replaces it.
	mustLabel(t, s, gt("c", "x"))
	mustLabel(t, s, gt("c", "z"))
	mustIngest(t, s, pred("c", "m", "1", t0, "x", 0.5))
	for _, p := range all(t, s) {
		if p.ID == "c" && p.GroundTruth != "z" {
			t.Errorf("pending label replaced: ground truth %q, want z", p.GroundTruth)
		}
	}
}

func testLabelledAtIngest(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	p := pred("a", "m", "1", t0, "x", 0.5)
	p.GroundTruth = "y"
	q := pred("b", "m", "1", t0, "x", 0.5)
	q.GroundTruth = "x"
	q.LabelledAt = t0.Add(-time.Minute)
	if res := mustIngest(t, s, p, q); res.Labelled[key] != 2 {
		t.Errorf("predictions sent with their ground truth: Labelled = %v, want m:1 → 2", res.Labelled)
	}
	evs := events(t, s, 0)
	if len(evs) != 2 || evs[0].Truth != "y" || evs[1].Truth != "x" {
		t.Fatalf("predictions sent with their ground truth: events %+v, want y then x", evs)
	}
	for _, got := range all(t, s) {
		want := t0
		if got.ID == "b" {
			want = t0.Add(-time.Minute)
		}
		if !got.LabelledAt.Equal(want) {
			t.Errorf("prediction %s labelled at %s, want %s", got.ID, got.LabelledAt, want)
		}
	}
	st, err := s.Stats(ctx(t), store.StatsQuery{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
	if err != nil || st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != 1 {
		t.Errorf("coverage of predictions sent labelled = %v, %v; want 1", st.GroundTruthCoverage, err)
	}
}

func testLatestLabelled(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	var ps []modelwatch.Prediction
	for i := range 30 {
		ps = append(ps, pred(fmt.Sprintf("p%02d", i), "m", "1", t0, "x", 0.5))
		ps = append(ps, pred(fmt.Sprintf("q%02d", i), "m", "2", t0, "x", 0.5))
	}
	mustIngest(t, s, ps...)
	// Label in an order unrelated to ingest order.
	for i := 29; i >= 0; i-- {
		mustLabel(t, s, gt(fmt.Sprintf("p%02d", i), fmt.Sprint(i%3)), gt(fmt.Sprintf("q%02d", i), "x"))
	}
	last, rev, err := s.LatestLabelled(ctx(t), key, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 10 {
		t.Fatalf("LatestLabelled(10) returned %d", len(last))
	}
	for i, e := range last {
		// Labelled from p29 down to p00: the 10 latest are p09 … p00, oldest first.
		if want := fmt.Sprint((9 - i) % 3); string(e.Truth) != want || e.Model != key {
			t.Errorf("event %d = %+v, want truth %s of m:1", i, e, want)
		}
		if i > 0 && e.Seq <= last[i-1].Seq {
			t.Errorf("LatestLabelled not oldest first: seq %d after %d", e.Seq, last[i-1].Seq)
		}
	}
	all := events(t, s, 0)
	if rev != all[len(all)-1].Rev {
		t.Errorf("LatestLabelled rev = %d, want %d", rev, all[len(all)-1].Rev)
	}
	none, _, err := s.LatestLabelled(ctx(t), modelwatch.ModelKey{Name: "m", Version: "3"}, 10)
	if err != nil || len(none) != 0 {
		t.Errorf("LatestLabelled of an unknown version = %v, %v", none, err)
	}
}

func testLabelEventsPaging(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	var ps []modelwatch.Prediction
	var ls []modelwatch.GroundTruth
	for i := range 25 {
		ps = append(ps, pred(fmt.Sprint(i), "m", "1", t0, "x", 0.5))
		ls = append(ls, gt(fmt.Sprint(i), "x"))
	}
	mustIngest(t, s, ps...)
	mustLabel(t, s, ls...)
	var after int64
	total := 0
	for {
		page, err := s.LabelEvents(ctx(t), after, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 10 {
			t.Fatalf("page of %d events, limit 10", len(page))
		}
		total += len(page)
		after = page[len(page)-1].Rev
	}
	if total != 25 {
		t.Errorf("paged through %d events, want 25", total)
	}
}
