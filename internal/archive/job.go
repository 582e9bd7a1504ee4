package archive

import (
	"context"
	"time"

	"github.com/modelwatch/modelwatch/internal/scheduler"
)

// JobName names the archive job: its lock and its recorded runs.
const JobName = "archive"

// Runs records when a job last ran, shared by the replicas of a database.
type Runs interface {
	LastRun(ctx context.Context, name string) (time.Time, error)
	RecordRun(ctx context.Context, name string, scheduledFor time.Time) error
}

// Job returns the archive as a scheduled job. The scheduler runs it under
// its Locker (a PostgreSQL advisory lock when replicas share a database),
// and the time it last ran for is kept in the database, so each scheduled
// time runs once across replicas. Days that fail are left for the next
// scheduled run (the run is recorded all the same, so that a broken
// archive is not retried every few seconds); a run cut short by shutdown is
// not recorded and runs again at the next start.
func (a *Archiver) Job(schedule scheduler.Schedule, runs Runs) scheduler.Job {
	return scheduler.Job{
		Name:     JobName,
		Schedule: schedule,
		Last:     func(ctx context.Context) (time.Time, error) { return runs.LastRun(ctx, JobName) },
		Run: func(ctx context.Context, scheduledFor time.Time) error {
			res, err := a.Run(ctx)
			a.log.Info("archive run", "scheduled_for", scheduledFor, "days", res.Days, "rows", res.Rows, "bytes", res.Bytes,
				"conflicts", res.Conflicts, "pending_labels_deleted", res.PendingDeleted, "err", err)
			if ctx.Err() != nil {
				return err
			}
			if rerr := runs.RecordRun(ctx, JobName, scheduledFor); rerr != nil {
				return rerr
			}
			return err
		},
	}
}
