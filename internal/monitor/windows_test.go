package monitor

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{Now: storetest.NewClock(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func ingest(t *testing.T, db store.Store, from, to int, model, version string) {
	t.Helper()
	var ps []modelwatch.Prediction
	for i := from; i < to; i++ {
		ps = append(ps, modelwatch.Prediction{
			ID: fmt.Sprintf("%s-%s-%d", model, version, i), ModelName: model, ModelVersion: version,
			Timestamp: t0, Prediction: modelwatch.Label(fmt.Sprint(i % 2)), Confidence: new(0.9),
		})
	}
	if _, err := db.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
}

func label(t *testing.T, db store.Store, from, to int, model, version string, correct func(i int) bool) {
	t.Helper()
	var ls []modelwatch.GroundTruth
	for i := from; i < to; i++ {
		truth := fmt.Sprint(i % 2)
		if !correct(i) {
			truth = fmt.Sprint(1 - i%2)
		}
		ls = append(ls, modelwatch.GroundTruth{ID: fmt.Sprintf("%s-%s-%d", model, version, i), GroundTruth: modelwatch.Label(truth)})
	}
	if _, err := db.AddGroundTruth(t.Context(), ls); err != nil {
		t.Fatal(err)
	}
}

func TestWindowsRebuildAndSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mw.db")
	db := openDB(t, path)
	ingest(t, db, 0, 1500, "a", "1")
	ingest(t, db, 0, 50, "b", "1")
	// The first 500 labels are all wrong, the next 1000 all right: the
	// window of 1000 holds only the right ones.
	label(t, db, 0, 1500, "a", "1", func(i int) bool { return i >= 500 })
	label(t, db, 0, 50, "b", "1", func(i int) bool { return i%2 == 0 })

	w := NewWindows(db, WindowsOptions{Size: 1000})
	if w.Ready() {
		t.Fatal("Ready before Rebuild")
	}
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !w.Ready() {
		t.Fatal("not Ready after Rebuild")
	}
	a := modelwatch.ModelKey{Name: "a", Version: "1"}
	if m, ok := w.Stat(a); !ok || m.Count != 1000 || m.Accuracy != 1 {
		t.Fatalf("window a after rebuild = %+v, %v; want 1000 labels, accuracy 1", m, ok)
	}
	// A second process on the same database labels more; Sync follows.
	other := openDB(t, path)
	ingest(t, other, 1500, 1700, "a", "1")
	label(t, other, 1500, 1700, "a", "1", func(int) bool { return false })
	label(t, other, 1000, 1001, "a", "1", func(int) bool { return false }) // a correction inside the window
	var seen int
	w.opts.OnEvent = func(store.LabelEvent) { seen++ }
	if err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if seen != 201 {
		t.Errorf("OnEvent saw %d events, want 201", seen)
	}
	m, _ := w.Stat(a)
	if want := 799.0 / 1000; m.Count != 1000 || m.Accuracy != want {
		t.Errorf("window a after sync = %+v, want accuracy %v", m, want)
	}
	// A fresh rebuild agrees with the incrementally kept window.
	w2 := NewWindows(db, WindowsOptions{Size: 1000})
	if err := w2.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m2, _ := w2.Stat(a); m2 != m {
		t.Errorf("rebuilt window %+v differs from the synced one %+v", m2, m)
	}
	stats := w.WindowStats()
	if len(stats) != 2 || stats[0].Key != a || stats[1].Metrics.Count != 50 {
		t.Errorf("WindowStats = %+v", stats)
	}
	// Track gives a new version an empty window.
	w.Track(modelwatch.ModelKey{Name: "c", Version: "1"})
	if m, ok := w.Stat(modelwatch.ModelKey{Name: "c", Version: "1"}); !ok || m.Count != 0 {
		t.Errorf("tracked version: %+v, %v", m, ok)
	}
}

func TestWindowsSyncPages(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "mw.db"))
	w := NewWindows(db, WindowsOptions{Size: 20000})
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	ingest(t, db, 0, 12000, "a", "1")
	label(t, db, 0, 12000, "a", "1", func(i int) bool { return i%4 != 0 })
	if err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m, _ := w.Stat(modelwatch.ModelKey{Name: "a", Version: "1"}); m.Count != 12000 || m.Accuracy != 0.75 {
		t.Errorf("after syncing more than one page: %+v", m)
	}
}

func TestWindowsRun(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "mw.db"))
	w := NewWindows(db, WindowsOptions{SyncInterval: 10 * time.Millisecond})
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	ingest(t, db, 0, 10, "a", "1")
	label(t, db, 0, 10, "a", "1", func(int) bool { return true })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m, _ := w.Stat(modelwatch.ModelKey{Name: "a", Version: "1"}); m.Count == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not pick up new labels")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
