package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"gocloud.dev/blob"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/archive"
	"github.com/modelwatch/modelwatch/internal/scheduler"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
)

type archiveCmd struct {
	Run     archiveRunCmd     `cmd:"" help:"Archive the predictions older than the retention now, once (serve does it on --archive-schedule)."`
	Ls      archiveLsCmd      `cmd:"" help:"List the archived days: model, version, date, parts, predictions and size."`
	Restore archiveRestoreCmd `cmd:"" help:"Write the predictions of an archived day (every part) to a file as NDJSON, for analysis or to ingest elsewhere."`
}

// retention is a duration flag that also accepts days: "90d".
type retention time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *retention) UnmarshalText(b []byte) error {
	s := string(b)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days <= 0 {
			return fmt.Errorf("retention %q: want a positive number of days (90d) or a duration (2160h)", s)
		}
		*r = retention(time.Duration(days * float64(24*time.Hour)))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("retention %q: want a positive number of days (90d) or a duration (2160h)", s)
	}
	*r = retention(d)
	return nil
}

// archiveURL returns the archive's URL: flag, or the default under the
// data directory.
func archiveURL(flag, dataDir string) string {
	if flag != "" {
		return flag
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, "archive"))
	if err != nil {
		abs = filepath.Join(dataDir, "archive")
	}
	return "file://" + filepath.ToSlash(abs)
}

// jobLocker returns the Locker that makes scheduled jobs run once across
// the replicas of a database: a PostgreSQL advisory lock, or nil (the
// scheduler's in-process default) for SQLite, which one process owns.
func jobLocker(st store.Store) scheduler.Locker {
	if db, ok := st.(*postgres.DB); ok {
		return db.Locker()
	}
	return nil
}

// defaultJobSchedule is --archive-schedule's default; the rollups are
// pruned on it when the archive is off.
const defaultJobSchedule = "0 4 * * *"

// startArchive prepares the scheduled jobs that keep the database's size in
// check: the archive (unless --archive-schedule is off) and the pruning of
// old rollups (on the same schedule, or daily when the archive is off); run
// runs them until its context ends.
func (c *serveCmd) startArchive(ctx context.Context, st store.Store, log *slog.Logger) (run func(context.Context), closeBucket func(), err error) {
	minuteRet, hourRet := time.Duration(c.RollupMinuteRetention), time.Duration(c.RollupHourRetention)
	if err := archive.CheckRetentions(minuteRet, hourRet); err != nil {
		return nil, nil, fmt.Errorf("--rollup-hour-retention: %w", err)
	}
	spec := c.ArchiveSchedule
	if spec == "off" {
		spec = defaultJobSchedule
	}
	sched, err := scheduler.Parse(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("--archive-schedule: %w", err)
	}
	var jobs []scheduler.Job
	closeBucket = func() {}
	if c.ArchiveSchedule == "off" {
		log.Info("archive disabled (--archive-schedule off): predictions stay in the database")
	} else {
		u := archiveURL(c.ArchiveURL, c.DataDir)
		b, err := archive.OpenBucket(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		closeBucket = func() { _ = b.Close() }
		a := archive.New(st, b, archive.Options{Retention: time.Duration(c.Retention), Logger: log})
		jobs = append(jobs, a.Job(sched, st))
		log.Info("archive scheduled", "url", redactArchive(u), "schedule", c.ArchiveSchedule, "retention", time.Duration(c.Retention))
	}
	jobs = append(jobs, archive.PruneJob(st, sched, st, archive.PruneOptions{MinuteRetention: minuteRet, HourRetention: hourRet, Logger: log}))
	log.Info("rollup pruning scheduled", "schedule", spec, "minute_retention", minuteRet, "hour_retention", hourRet)
	s := scheduler.New(func(context.Context) ([]scheduler.Job, error) { return jobs, nil },
		scheduler.Options{Locker: jobLocker(st), Interval: c.CheckInterval, Logger: log})
	return s.Run, closeBucket, nil
}

// redactArchive hides credentials in an archive URL for logs.
func redactArchive(u string) string {
	if i := strings.Index(u, "@"); i > 0 && strings.Contains(u[:i], "://") {
		return u[:strings.Index(u, "://")+3] + "xxxxx" + u[i:]
	}
	return u
}

type archiveRunCmd struct {
	DataDir    string    `help:"Directory of the embedded database and the default archive." default:"./modelwatch-data" type:"path"`
	DB         string    `name:"db" help:"Database, as for serve: a SQLite path or a postgres:// URL."`
	DBMaxConns int32     `name:"db-max-conns" help:"PostgreSQL connection pool size." default:"4"`
	ArchiveURL string    `name:"archive-url" help:"Where archive files go: file:///dir or s3://bucket/prefix?region=…&endpoint=… (default: file://<data-dir>/archive)."`
	Retention  retention `help:"Archive predictions older than this: days (90d) or a duration." default:"90d"`
	LogFormat  string    `help:"Log format: text or json." default:"text" enum:"text,json"`
}

func (c *archiveRunCmd) Run(e *env) error {
	log := newLogger(e, "info", c.LogFormat)
	sc := &serveCmd{DataDir: c.DataDir, DB: c.DB, DBMaxConns: c.DBMaxConns, SQLiteSynchronous: "FULL"}
	st, closeStore, err := sc.openStore(e.ctx, log)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	b, err := archive.OpenBucket(e.ctx, archiveURL(c.ArchiveURL, c.DataDir))
	if err != nil {
		return err
	}
	defer b.Close()
	// The replicas' scheduled run takes the same lock.
	if l := jobLocker(st); l != nil {
		unlock, ok, err := l.TryLock(e.ctx, archive.JobName)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("another modelwatch is archiving this database now; try again later")
		}
		defer unlock()
	}
	a := archive.New(st, b, archive.Options{Retention: time.Duration(c.Retention), Logger: log, Failpoint: failpoint()})
	res, err := a.Run(e.ctx)
	fmt.Fprintf(e.stdout, "archived %d predictions of %d model version days (%d bytes); %d days changed during export and wait for the next run; %d old pending labels deleted\n",
		res.Rows, res.Days, res.Bytes, res.Conflicts, res.PendingDeleted)
	return err
}

// failpoint returns the archive's failpoint hook from the environment, for
// the crash tests: MODELWATCH_ARCHIVE_FAILPOINT=step[:n] kills the process
// (SIGKILL: no deferred clean-up, as in a real crash) the n-th time (default
// the first) the archive reaches step.
func failpoint() func(string) {
	spec := os.Getenv("MODELWATCH_ARCHIVE_FAILPOINT")
	if spec == "" {
		return nil
	}
	step, nth, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nth)
	if err != nil || n < 1 {
		n = 1
	}
	seen := 0
	return func(s string) {
		if s != step {
			return
		}
		if seen++; seen == n {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
}

type archiveLsCmd struct {
	DataDir    string `help:"Directory whose archive subdirectory is the default archive." default:"./modelwatch-data" type:"path"`
	ArchiveURL string `name:"archive-url" help:"The archive: file:///dir or s3://bucket/prefix?region=…&endpoint=… (default: file://<data-dir>/archive)."`
	Model      string `help:"Only this model."`
	Version    string `help:"Only this version of the model."`
}

func (c *archiveLsCmd) Run(e *env) error {
	b, err := archive.OpenBucket(e.ctx, archiveURL(c.ArchiveURL, c.DataDir))
	if err != nil {
		return err
	}
	defer b.Close()
	days, err := archive.Days(e.ctx, b, c.Model, c.Version)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tVERSION\tDATE\tPARTS\tPREDICTIONS\tBYTES")
	for _, d := range days {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", d.Model.Name, d.Model.Version, d.Day.Format(time.DateOnly), d.Parts, d.Rows, d.Bytes)
	}
	return tw.Flush()
}

type archiveRestoreCmd struct {
	DataDir    string `help:"Directory whose archive subdirectory is the default archive." default:"./modelwatch-data" type:"path"`
	ArchiveURL string `name:"archive-url" help:"The archive: file:///dir or s3://bucket/prefix?region=…&endpoint=… (default: file://<data-dir>/archive)."`
	Model      string `help:"Model name." required:""`
	Version    string `help:"Model version." required:""`
	Date       string `help:"The day, YYYY-MM-DD (UTC)." required:""`
	Out        string `short:"o" help:"Output file ('-' for standard output)." default:"-"`
}

func (c *archiveRestoreCmd) Run(e *env) error {
	day, err := time.Parse(time.DateOnly, c.Date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", c.Date)
	}
	b, err := archive.OpenBucket(e.ctx, archiveURL(c.ArchiveURL, c.DataDir))
	if err != nil {
		return err
	}
	defer b.Close()
	return restoreTo(e, b, modelwatch.ModelKey{Name: c.Model, Version: c.Version}, day, c.Out)
}

func restoreTo(e *env, b *blob.Bucket, key modelwatch.ModelKey, day time.Time, out string) error {
	w := e.stdout
	var f *os.File
	if out != "-" {
		var err error
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("restore to %s: %w", out, err)
		}
		w = f
	}
	n, err := archive.Restore(e.ctx, b, key, day, w)
	if f != nil {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("restore to %s: %w", out, cerr)
		}
		if err != nil {
			_ = os.Remove(out)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "restored %d predictions of %s on %s\n", n, key, day.Format(time.DateOnly))
	return nil
}
