package monitor

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// gatedStore is the SQLite store whose LatestLabelled, which the
// detectors' replay and catch-up read, waits until open is closed.
type gatedStore struct {
	*sqlite.DB
	open    chan struct{}
	entered chan struct{} // closed at the first LatestLabelled
	once    sync.Once
}

func newGatedStore(db *sqlite.DB) *gatedStore {
	return &gatedStore{DB: db, open: make(chan struct{}), entered: make(chan struct{})}
}

func (s *gatedStore) LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) ([]store.LabelEvent, int64, error) {
	s.once.Do(func() { close(s.entered) })
	select {
	case <-s.open:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	return s.DB.LatestLabelled(ctx, key, n)
}

// storeLabelled stores stream[from:to] as predictions that come with their
// ground truth, without syncing any windows.
func storeLabelled(t *testing.T, db *sqlite.DB, stream [][2]string, from, to int) {
	t.Helper()
	var ps []modelwatch.Prediction
	for i := from; i < to; i++ {
		ps = append(ps, modelwatch.Prediction{
			ID: fmt.Sprint(i), ModelName: key.Name, ModelVersion: key.Version, Timestamp: t0,
			Prediction: modelwatch.Label(stream[i][1]), GroundTruth: modelwatch.Label(stream[i][0]),
		})
	}
	if _, err := db.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
}

// runMonitor runs mon until the test ends and returns once its drainer
// takes the queued labels.
func runMonitor(t *testing.T, mon *Monitor) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { mon.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for !mon.draining.Load() {
		time.Sleep(time.Millisecond)
	}
}

// TestLabelsDoNotWaitForTheDetectors builds a model version's detectors,
// with a replay of 5000 stored labels, while labels are being synced: the
// sync (what ingest and ground-truth requests call) returns while the
// replay cannot read the store, and the detectors then find the drift in
// the new labels.
func TestLabelsDoNotWaitForTheDetectors(t *testing.T) {
	stream := errorStream(10000) // error rate 0.1, then 0.5 from label 5000
	clockDB := openDB(t, filepath.Join(t.TempDir(), "mw.db"))
	storeLabelled(t, clockDB, stream, 0, 5000)
	gated := newGatedStore(clockDB)
	al := &alerter{}
	mon := New(gated, newRecorder(), Options{Now: func() time.Time { return t0 }, Interval: time.Hour, Alerter: al})
	w := NewWindows(clockDB, WindowsOptions{OnEvent: mon.OnLabel})
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	runMonitor(t, mon)

	storeLabelled(t, clockDB, stream, 5000, 7000)
	synced := make(chan error, 1)
	go func() { synced <- w.Sync(t.Context()) }()
	select {
	case err := <-synced:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		close(gated.open)
		t.Fatal("syncing labels waited for the detectors' replay")
	}
	<-gated.entered // the drainer is replaying
	close(gated.open)
	mon.Drain(t.Context())

	var first int64
	for _, d := range detections(t, clockDB) {
		var seq int64
		if _, err := fmt.Sscanf(d, "adwin/drift@%d", &seq); err == nil && (first == 0 || seq < first) {
			first = seq
		}
	}
	// Label i has sequence number i+1; the error rate changes at 5000.
	if first <= 5000 || first > 5500 {
		t.Errorf("adwin first flagged drift at label %d, want soon after 5000 (detections %v)", first, detections(t, clockDB))
	}
	if al.firing[AlertStreamingDrift] == nil {
		t.Errorf("no StreamingConceptDrift alert: %v", al.log)
	}
}

// TestLabelQueueOverflowLosesNothing fills a queue of 16 label events
// while the drainer is held up: the events that do not fit are read back
// from the store, so the detections are those of a monitor that fed every
// label in the caller.
func TestLabelQueueOverflowLosesNothing(t *testing.T) {
	stream := shiftingStream(4000, 700)
	dir := t.TempDir()

	pre := openDB(t, filepath.Join(dir, "inline.db"))
	storeLabelled(t, pre, stream, 0, 1500)
	if err := pre.Close(); err != nil {
		t.Fatal(err)
	}
	inline, _, wInline := startMonitorWith(t, filepath.Join(dir, "inline.db"), newRecorder(), Options{})
	feed(t, inline, wInline, stream, 1500, 4000)

	db := openDB(t, filepath.Join(dir, "queued.db"))
	storeLabelled(t, db, stream, 0, 1500)
	gated := newGatedStore(db)
	mon := New(gated, newRecorder(), Options{Now: func() time.Time { return t0 }, Interval: time.Hour, LabelQueue: 16})
	w := NewWindows(db, WindowsOptions{OnEvent: mon.OnLabel})
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	runMonitor(t, mon)
	feed(t, db, w, stream, 1500, 3000)
	<-gated.entered
	mon.qMu.Lock()
	queued, behind := len(mon.queue.events), len(mon.queue.behind)
	mon.qMu.Unlock()
	if queued > 16 || behind != 1 {
		t.Fatalf("with the drainer held up: %d events queued, %d model versions behind; want at most 16 and 1", queued, behind)
	}
	close(gated.open)
	feed(t, db, w, stream, 3000, 4000)
	mon.Drain(t.Context())

	want, got := detections(t, inline), detections(t, db)
	if len(want) == 0 {
		t.Fatal("no detections at all")
	}
	if !slices.Equal(want, got) {
		t.Errorf("detections differ:\n fed in the caller %s\n through the queue  %s", strings.Join(want, " "), strings.Join(got, " "))
	}
}
