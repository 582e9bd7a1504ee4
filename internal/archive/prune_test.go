package archive

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/scheduler"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// pruneStore is a store whose PruneRollups calls are counted and may be
// held up.
type pruneStore struct {
	store.Store
	calls atomic.Int32
	hold  func() // called inside PruneRollups, before the work
}

func (s *pruneStore) PruneRollups(ctx context.Context, minuteBefore, hourBefore time.Time) (store.PruneResult, error) {
	s.calls.Add(1)
	if s.hold != nil {
		s.hold()
	}
	return s.Store.PruneRollups(ctx, minuteBefore, hourBefore)
}

func pruneScheduler(t *testing.T, st *pruneStore, clock *storetest.Clock, locker scheduler.Locker) *scheduler.Scheduler {
	t.Helper()
	sched, err := scheduler.Parse("0 4 * * *")
	if err != nil {
		t.Fatal(err)
	}
	job := PruneJob(st, sched, st, PruneOptions{Now: clock.Now})
	return scheduler.New(func(context.Context) ([]scheduler.Job, error) { return []scheduler.Job{job}, nil },
		scheduler.Options{Now: clock.Now, Locker: locker})
}

func tick(t *testing.T, s *scheduler.Scheduler) int {
	t.Helper()
	n, err := s.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneJob runs the pruning job on its schedule: once per scheduled
// time, minute rollups older than 14 days go, reads fall back to hours.
func TestPruneJob(t *testing.T) {
	clock := storetest.NewClock(now)
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key := modelwatch.ModelKey{Name: "m", Version: "1"}
	old := now.Add(-20 * 24 * time.Hour).Truncate(time.Hour)
	var ps []modelwatch.Prediction
	for i := range 30 {
		for _, at := range []time.Time{old, now.Add(-time.Hour)} {
			ps = append(ps, modelwatch.Prediction{
				ID: modelwatch.NewID(), ModelName: key.Name, ModelVersion: key.Version,
				Timestamp: at.Add(time.Duration(i) * time.Minute), Prediction: "x",
			})
		}
	}
	if _, err := db.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	st := &pruneStore{Store: db}
	s := pruneScheduler(t, st, clock, nil)
	if n := tick(t, s); n != 1 || st.calls.Load() != 1 {
		t.Fatalf("first tick ran %d jobs, PruneRollups called %d times; want 1", n, st.calls.Load())
	}
	if n := tick(t, s); n != 0 || st.calls.Load() != 1 {
		t.Errorf("second tick ran %d jobs; want none before the next scheduled time", n)
	}
	last, err := db.LastRun(t.Context(), PruneJobName)
	if want := now.Truncate(24 * time.Hour).Add(4 * time.Hour); err != nil || !last.Equal(want) {
		t.Errorf("LastRun = %s, %v; want %s", last, err, want)
	}
	series := func(from time.Time) []rollup.Point {
		pts, err := db.Series(t.Context(), store.SeriesQuery{Model: key, From: from, To: from.Add(time.Hour), Step: rollup.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return pts
	}
	if pts := series(old); len(pts) != 1 || pts[0].Res != rollup.Hour || pts[0].N != 30 {
		t.Errorf("minute series 20 days ago = %d points, want one hour of 30 predictions", len(pts))
	}
	if pts := series(now.Add(-time.Hour)); len(pts) != 30 || pts[0].Res != rollup.Minute {
		t.Errorf("minute series of the last hour = %d points, want 30 minutes", len(pts))
	}
	clock.Advance(24 * time.Hour)
	if n := tick(t, s); n != 1 || st.calls.Load() != 2 {
		t.Errorf("a day later the tick ran %d jobs; want 1", n)
	}
}

// TestPruneJobOncePostgres runs the job from two replicas of one
// PostgreSQL database: while one prunes, the other finds the lock taken,
// and afterwards the recorded run; PruneRollups runs once.
func TestPruneJobOncePostgres(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	clock := storetest.NewClock(now)
	open := func() *postgres.DB {
		db, err := postgres.Open(t.Context(), url, postgres.Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	started, release := make(chan struct{}), make(chan struct{})
	a := &pruneStore{Store: dbA, hold: func() { close(started); <-release }}
	b := &pruneStore{Store: dbB}
	sa, sb := pruneScheduler(t, a, clock, dbA.Locker()), pruneScheduler(t, b, clock, dbB.Locker())
	ranA := make(chan int, 1)
	go func() {
		n, err := sa.Tick(context.Background())
		if err != nil {
			t.Error(err)
		}
		ranA <- n
	}()
	<-started
	if n := tick(t, sb); n != 0 {
		t.Errorf("replica B ran %d jobs while A held the lock", n)
	}
	close(release)
	if n := <-ranA; n != 1 {
		t.Errorf("replica A ran %d jobs, want 1", n)
	}
	if n := tick(t, sb); n != 0 {
		t.Errorf("replica B ran %d jobs after A recorded its run", n)
	}
	if a.calls.Load()+b.calls.Load() != 1 {
		t.Errorf("PruneRollups ran %d times on A and %d on B, want once in all", a.calls.Load(), b.calls.Load())
	}
}
