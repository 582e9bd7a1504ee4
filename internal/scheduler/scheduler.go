package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Locker gives one runner at a time the right to run a job. TryLock returns
// ok=false without waiting when another runner holds the lock.
type Locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// LocalLocker is a Locker for the runners of one process.
type LocalLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock implements Locker.
func (l *LocalLocker) TryLock(_ context.Context, name string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]bool{}
	}
	if l.held[name] {
		return nil, false, nil
	}
	l.held[name] = true
	return func() {
		l.mu.Lock()
		delete(l.held, name)
		l.mu.Unlock()
	}, true, nil
}

// Job is one scheduled piece of work.
type Job struct {
	// Name identifies the job, also as its lock name.
	Name     string
	Schedule Schedule
	// Since is when the job started to exist: a schedule time before it is
	// never due (a weekly job of a model version created on Tuesday does
	// not run for the Monday before).
	Since time.Time
	// Last returns the schedule time the job last ran for (zero if never).
	// It is called again after the lock is taken.
	Last func(ctx context.Context) (time.Time, error)
	// Run does the work for the schedule time scheduledFor.
	Run func(ctx context.Context, scheduledFor time.Time) error
}

// Due returns the schedule time a job should run for now, if any: the
// latest fire time at or before now, when it is after both last and since.
func Due(s Schedule, since, last, now time.Time) (time.Time, bool) {
	p, ok := s.Prev(now)
	if !ok || p.Before(since) || !p.After(last) {
		return time.Time{}, false
	}
	return p, true
}

// Options configure a Scheduler.
type Options struct {
	Locker   Locker           // default: a LocalLocker
	Now      func() time.Time // default: time.Now
	Interval time.Duration    // how often Run checks for due jobs (default 30s)
	Logger   *slog.Logger
}

// Scheduler runs the jobs that are due. Jobs returns the current jobs at each
// check, so schedules may change while it runs.
type Scheduler struct {
	jobs func(ctx context.Context) ([]Job, error)
	opts Options
}

// New returns a Scheduler of the jobs that jobs returns.
func New(jobs func(ctx context.Context) ([]Job, error), opts Options) *Scheduler {
	if opts.Locker == nil {
		opts.Locker = &LocalLocker{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{jobs: jobs, opts: opts}
}

// Tick runs, one after the other, every job that is due now, and returns how
// many it ran. A job that fails is logged; the others still run.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	jobs, err := s.jobs(ctx)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, j := range jobs {
		if ctx.Err() != nil {
			return ran, ctx.Err()
		}
		ok, err := s.runIfDue(ctx, j)
		if err != nil {
			s.opts.Logger.Error("scheduled job failed", "job", j.Name, "err", err)
		}
		if ok {
			ran++
		}
	}
	return ran, nil
}

func (s *Scheduler) runIfDue(ctx context.Context, j Job) (bool, error) {
	last, err := j.Last(ctx)
	if err != nil {
		return false, err
	}
	if _, ok := Due(j.Schedule, j.Since, last, s.opts.Now()); !ok {
		return false, nil
	}
	unlock, ok, err := s.opts.Locker.TryLock(ctx, j.Name)
	if err != nil || !ok {
		return false, err
	}
	defer unlock()
	// Another runner may have run it while we were deciding.
	if last, err = j.Last(ctx); err != nil {
		return false, err
	}
	due, ok := Due(j.Schedule, j.Since, last, s.opts.Now())
	if !ok {
		return false, nil
	}
	s.opts.Logger.Info("running scheduled job", "job", j.Name, "scheduled_for", due)
	return true, j.Run(ctx, due)
}

// Run calls Tick every Interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("check scheduled jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
