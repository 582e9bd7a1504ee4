package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeJob records runs the way a store would: Last is the latest run's
// schedule time.
type fakeJob struct {
	mu   sync.Mutex
	runs []time.Time
	fail bool
}

func (f *fakeJob) job(name string, s Schedule, since time.Time) Job {
	return Job{
		Name: name, Schedule: s, Since: since,
		Last: func(context.Context) (time.Time, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.runs) == 0 {
				return time.Time{}, nil
			}
			return f.runs[len(f.runs)-1], nil
		},
		Run: func(_ context.Context, at time.Time) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.runs = append(f.runs, at)
			if f.fail {
				return errors.New("boom")
			}
			return nil
		},
	}
}

func TestTickRunsOncePerScheduleTime(t *testing.T) {
	daily, _ := Parse("0 3 * * *")
	now := ts("2026-11-26 03:00")
	f := &fakeJob{}
	s := New(func(context.Context) ([]Job, error) {
		return []Job{f.job("concept:m:1", daily, ts("2026-11-01 00:00"))}, nil
	}, Options{Now: func() time.Time { return now }})
	for range 3 {
		if _, err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	now = ts("2026-11-29 07:00") // three days later: one catch-up run
	if _, err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []time.Time{ts("2026-11-26 03:00"), ts("2026-11-29 03:00")}
	if len(f.runs) != 2 || !f.runs[0].Equal(want[0]) || !f.runs[1].Equal(want[1]) {
		t.Errorf("runs = %v, want %v", f.runs, want)
	}
}

// TestTickOneRunnerAtATime runs two schedulers (two replicas) sharing a
// locker and a job record: the job runs once.
func TestTickOneRunnerAtATime(t *testing.T) {
	daily, _ := Parse("@daily")
	now := ts("2026-11-26 00:00")
	f := &fakeJob{}
	lock := &LocalLocker{}
	started := make(chan struct{})
	release := make(chan struct{})
	slow := f.job("data:m:1", daily, time.Time{})
	run := slow.Run
	slow.Run = func(ctx context.Context, at time.Time) error {
		close(started)
		<-release
		return run(ctx, at)
	}
	a := New(func(context.Context) ([]Job, error) { return []Job{slow}, nil }, Options{Locker: lock, Now: func() time.Time { return now }})
	b := New(func(context.Context) ([]Job, error) { return []Job{f.job("data:m:1", daily, time.Time{})}, nil }, Options{Locker: lock, Now: func() time.Time { return now }})
	done := make(chan int)
	go func() { n, _ := a.Tick(context.Background()); done <- n }()
	<-started
	if n, _ := b.Tick(context.Background()); n != 0 {
		t.Errorf("second replica ran the job while the first held the lock")
	}
	close(release)
	<-done
	if n, _ := b.Tick(context.Background()); n != 0 {
		t.Errorf("second replica ran the job after the first finished it")
	}
	if len(f.runs) != 1 {
		t.Errorf("job ran %d times, want 1", len(f.runs))
	}
}

func TestTickGoesOnAfterFailure(t *testing.T) {
	hourly, _ := Parse("@hourly")
	bad, good := &fakeJob{fail: true}, &fakeJob{}
	s := New(func(context.Context) ([]Job, error) {
		return []Job{bad.job("bad", hourly, time.Time{}), good.job("good", hourly, time.Time{})}, nil
	}, Options{Now: func() time.Time { return ts("2026-11-26 08:30") }})
	n, err := s.Tick(context.Background())
	if err != nil || n != 2 || len(good.runs) != 1 {
		t.Errorf("Tick = %d, %v; good ran %d times: a failing job must not stop the others", n, err, len(good.runs))
	}
}

// TestRunTicks checks the loop with a fake clock: in a synctest bubble the
// ticker fires as time advances.
func TestRunTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		every, _ := Parse("*/5 * * * *")
		f := &fakeJob{}
		start := time.Now()
		s := New(func(context.Context) ([]Job, error) { return []Job{f.job("j", every, start)}, nil },
			Options{Interval: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		go s.Run(ctx)
		time.Sleep(61 * time.Minute)
		cancel()
		synctest.Wait()
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.runs) < 11 || len(f.runs) > 13 {
			t.Errorf("in 61 minutes a */5 job ran %d times, want about 12", len(f.runs))
		}
	})
}
