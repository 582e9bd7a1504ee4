package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// archiveData is three days of predictions of two model versions, the
// first day's with every field set.
func archiveData() (day1 time.Time, ps []modelwatch.Prediction) {
	day1 = t0.Truncate(24*time.Hour).AddDate(0, 0, -3)
	for d := range 3 {
		for i := range 5 {
			ts := day1.AddDate(0, 0, d).Add(time.Duration(23-i) * time.Hour)
			p := pred(fmt.Sprintf("d%d-%d", d, i), "m", "1", ts, []string{"x", "y"}[i%2], 0.1*float64(i+1))
			if d == 0 {
				p.Features = modelwatch.Features(fmt.Sprintf(`{"n":%d,"s":"v%d","b":true,"z":null}`, i, i))
				p.Probabilities = map[string]float64{"x": 0.25, "y": 0.75}
				p.Latency = modelwatch.Latency{PreprocessingMs: new(1.5), InferenceMs: new(float64(i))}
				p.LatencyMs = new(9.0)
			}
			ps = append(ps, p)
		}
		ps = append(ps, pred(fmt.Sprintf("other-%d", d), "m", "2", day1.AddDate(0, 0, d), "x", 0.5))
	}
	return day1, ps
}

func export(t *testing.T, s store.Store, k modelwatch.ModelKey, day time.Time) ([]modelwatch.Prediction, store.DaySnapshot) {
	t.Helper()
	var got []modelwatch.Prediction
	snap, err := s.ExportDay(ctx(t), k, day, func(p *modelwatch.Prediction) error {
		got = append(got, *p)
		return nil
	})
	if err != nil {
		t.Fatalf("ExportDay(%s, %s): %v", k, day.Format(time.DateOnly), err)
	}
	return got, snap
}

func testArchive(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	day1, ps := archiveData()
	mustIngest(t, s, ps...)
	mustLabel(t, s, gt("d0-1", "y"), gt("d0-2", "y"), gt("d1-0", "x"))

	days, err := s.ArchiveDays(ctx(t), day1.Add(48*time.Hour+time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, d := range days {
		listed = append(listed, fmt.Sprintf("%s@%s=%d", d.Model, d.Day.Format(time.DateOnly), d.Rows))
	}
	d1, d2 := day1.Format(time.DateOnly), day1.AddDate(0, 0, 1).Format(time.DateOnly)
	want := []string{"m:1@" + d1 + "=5", "m:2@" + d1 + "=1", "m:1@" + d2 + "=5", "m:2@" + d2 + "=1"}
	if !reflect.DeepEqual(listed, want) {
		t.Fatalf("ArchiveDays(before the third day ends) = %v, want %v", listed, want)
	}

	got, snap := export(t, s, key, day1)
	if len(got) != 5 || snap.Rows != 5 || snap.Part != 1 {
		t.Fatalf("ExportDay = %d predictions, snapshot %+v; want 5 rows for part 1", len(got), snap)
	}
	byID := map[string]modelwatch.Prediction{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	for i, p := range got {
		if i > 0 && p.Timestamp.Before(got[i-1].Timestamp) {
			t.Errorf("ExportDay not in timestamp order: %s after %s", p.Timestamp, got[i-1].Timestamp)
		}
		w := byID[p.ID]
		if p.GroundTruth != "" {
			w.GroundTruth, w.LabelledAt = p.GroundTruth, t0
		}
		if !reflect.DeepEqual(p, w) {
			t.Errorf("exported prediction differs from the one stored:\n got %s\nwant %s", show(p), show(w))
		}
	}
	events0 := events(t, s, 0)
	if snap.Rev == 0 || snap.Rev >= events0[len(events0)-1].Rev {
		t.Errorf("snapshot revision %d, want the day's highest (below the other day's %d)", snap.Rev, events0[len(events0)-1].Rev)
	}

	// A label arriving after the export: the deletion must not lose it.
	mustLabel(t, s, gt("d0-3", "x"))
	part := store.ArchivedPart{Model: key, Day: day1, Part: snap.Part, Object: "a/part-1.parquet", Rows: snap.Rows, Checksum: "c"}
	if err := s.DeleteArchived(ctx(t), part, snap); modelwatch.ErrorCode(err) != modelwatch.EConflict {
		t.Fatalf("DeleteArchived after a label changed the day: %v, want a conflict", err)
	}
	if got, _ := export(t, s, key, day1); len(got) != 5 {
		t.Fatalf("a refused DeleteArchived deleted predictions: %d left of 5", len(got))
	}
	// So does a new prediction of the day.
	_, snap = export(t, s, key, day1)
	mustIngest(t, s, pred("late", "m", "1", day1.Add(time.Minute), "x", 0.5))
	if err := s.DeleteArchived(ctx(t), part, snap); modelwatch.ErrorCode(err) != modelwatch.EConflict {
		t.Fatalf("DeleteArchived after a prediction arrived: %v, want a conflict", err)
	}
	got, snap = export(t, s, key, day1)
	part.Rows = snap.Rows
	if err := s.DeleteArchived(ctx(t), part, snap); err != nil {
		t.Fatalf("DeleteArchived of an unchanged export: %v", err)
	}
	if left, snap2 := export(t, s, key, day1); len(left) != 0 || snap2.Part != 2 {
		t.Errorf("after DeleteArchived: %d predictions left, next part %d; want none and part 2", len(left), snap2.Part)
	}
	if n := len(got); n != 6 {
		t.Errorf("the archived export had %d predictions, want 6", n)
	}
	// The other version's day and the next day are still there.
	if left, _ := export(t, s, modelwatch.ModelKey{Name: "m", Version: "2"}, day1); len(left) != 1 {
		t.Errorf("DeleteArchived deleted another version's predictions")
	}
	if days, _ := s.ArchiveDays(ctx(t), day1.Add(24*time.Hour)); len(days) != 1 || days[0].Model.Version != "2" {
		t.Errorf("ArchiveDays after archiving m:1's day = %+v, want only m:2's", days)
	}
	// Statistics of the archived day come from rollups, which stay.
	st, err := s.Stats(ctx(t), store.StatsQuery{Model: "m", Version: "1", From: day1, To: day1.Add(24 * time.Hour)})
	if err != nil || st.TotalPredictions != 6 {
		t.Errorf("Stats of the archived day = %d predictions, %v; want 6", st.TotalPredictions, err)
	}
	if l, _, err := s.Accuracy(ctx(t), key, day1, day1.Add(24*time.Hour)); err != nil || l != 3 {
		t.Errorf("Accuracy of the archived day: %d labelled, %v; want 3", l, err)
	}
	// Revisions never go back: the archived day held the highest one.
	mustLabel(t, s, gt("d2-0", "y"))
	if evs := events(t, s, snap.Rev); len(evs) != 1 || evs[0].Truth != "y" {
		t.Errorf("label events after the archived day's highest revision %d = %+v, want the label given after archiving", snap.Rev, evs)
	}
	// A label for an archived prediction waits as pending, and goes with
	// the old pending labels.
	clock.Advance(time.Hour)
	if res := mustLabel(t, s, gt("d0-0", "y")); res.Pending != 1 {
		t.Errorf("label of an archived prediction: %+v, want pending", res)
	}
	mustLabel(t, s, gt("never", "x"))
	clock.Advance(time.Hour)
	mustLabel(t, s, gt("recent", "x"))
	if n, err := s.DeletePendingLabels(ctx(t), t0.Add(90*time.Minute)); err != nil || n != 2 {
		t.Errorf("DeletePendingLabels = %d, %v; want the 2 older pending labels", n, err)
	}
	if res := mustIngest(t, s, pred("recent", "m", "1", t0, "x", 0.5), pred("never", "m", "1", t0, "x", 0.5)); res.Joined != 1 {
		t.Errorf("after deleting old pending labels %d joined, want only the recent one", res.Joined)
	}
}

func testJobRuns(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	if last, err := s.LastRun(ctx(t), "archive"); err != nil || !last.IsZero() {
		t.Fatalf("LastRun of a job that never ran = %v, %v", last, err)
	}
	for _, at := range []time.Time{t0, t0.Add(24 * time.Hour)} {
		if err := s.RecordRun(ctx(t), "archive", at); err != nil {
			t.Fatal(err)
		}
		if last, err := s.LastRun(ctx(t), "archive"); err != nil || !last.Equal(at) {
			t.Errorf("LastRun = %v, %v; want %v", last, err, at)
		}
	}
	if last, _ := s.LastRun(ctx(t), "other"); !last.IsZero() {
		t.Errorf("LastRun of another job = %v", last)
	}
}
