package archive

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/modelwatch/modelwatch/internal/scheduler"
	"github.com/modelwatch/modelwatch/internal/store"
)

// PruneJobName names the rollup pruning job: its lock and its recorded runs.
const PruneJobName = "prune-rollups"

// Default retentions of the rollups: minutes for two weeks (the web UI's
// minute charts show a day at most), hours for over a year (its hourly
// charts show 30 days); days are kept forever.
const (
	DefaultMinuteRetention = 14 * 24 * time.Hour
	DefaultHourRetention   = 400 * 24 * time.Hour
)

// RollupStore is what pruning needs from the database.
type RollupStore interface {
	PruneRollups(ctx context.Context, minuteBefore, hourBefore time.Time) (store.PruneResult, error)
}

// PruneOptions configure the rollup pruning job.
type PruneOptions struct {
	// MinuteRetention is how long minute rollups are kept (default
	// DefaultMinuteRetention).
	MinuteRetention time.Duration
	// HourRetention is how long hour rollups are kept (default
	// DefaultHourRetention). It must not be shorter than MinuteRetention.
	HourRetention time.Duration
	Now           func() time.Time // default time.Now
	Logger        *slog.Logger
}

// CheckRetentions returns an error when minute and hour retentions (zero
// for the default) cannot go together: a period must keep its hours as long
// as its minutes.
func CheckRetentions(minute, hour time.Duration) error {
	if minute == 0 {
		minute = DefaultMinuteRetention
	}
	if hour == 0 {
		hour = DefaultHourRetention
	}
	if minute < 0 || hour < 0 {
		return fmt.Errorf("rollup retentions must be positive")
	}
	if hour < minute {
		return fmt.Errorf("hour rollups must be kept at least as long as minute rollups (%s), not %s", minute, hour)
	}
	return nil
}

// PruneJob returns the rollup pruning as a scheduled job: minute rollups
// older than MinuteRetention and hour rollups older than HourRetention are
// deleted (see store.Store.PruneRollups), day rollups kept. As the archive
// job, it runs under the scheduler's Locker and records the time it ran
// for in the database, so each scheduled time runs once across replicas; a
// run cut short by shutdown is not recorded and goes again.
func PruneJob(st RollupStore, schedule scheduler.Schedule, runs Runs, opts PruneOptions) scheduler.Job {
	if opts.MinuteRetention <= 0 {
		opts.MinuteRetention = DefaultMinuteRetention
	}
	if opts.HourRetention <= 0 {
		opts.HourRetention = DefaultHourRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return scheduler.Job{
		Name:     PruneJobName,
		Schedule: schedule,
		Last:     func(ctx context.Context) (time.Time, error) { return runs.LastRun(ctx, PruneJobName) },
		Run: func(ctx context.Context, scheduledFor time.Time) error {
			now := opts.Now()
			start := time.Now()
			res, err := st.PruneRollups(ctx, now.Add(-opts.MinuteRetention), now.Add(-opts.HourRetention))
			opts.Logger.Info("rollups pruned", "scheduled_for", scheduledFor,
				"minutes_before", time.Unix(res.Kept.Minute, 0).UTC(), "hours_before", time.Unix(res.Kept.Hour, 0).UTC(),
				"buckets", res.Buckets, "rows", res.Rows, "duration", time.Since(start).Round(time.Millisecond), "err", err)
			if ctx.Err() != nil {
				return err
			}
			if rerr := runs.RecordRun(ctx, PruneJobName, scheduledFor); rerr != nil {
				return rerr
			}
			return err
		},
	}
}
