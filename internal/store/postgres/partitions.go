package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// day is a UTC calendar day, counted from the Unix epoch.
type day int64

const secondsPerDay = 86400

func dayOf(t time.Time) day {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return day(d)
}

func (d day) start() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// table is the name of the day's partition: predictions_p20261123.
func (d day) table() string { return "predictions_p" + d.start().Format("20060102") }

func parseTable(name string) (day, bool) {
	s, ok := strings.CutPrefix(name, "predictions_p")
	if !ok {
		return 0, false
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// partitions knows which daily partitions of predictions exist and creates
// missing ones. Each replica keeps its own cache; DDL runs under a
// transaction advisory lock with IF NOT EXISTS, so replicas that create the
// same day at once both succeed.
type partitions struct {
	pool  *pgxpool.Pool
	ahead int

	mu   sync.Mutex
	days map[day]bool
}

func newPartitions(pool *pgxpool.Pool, ahead int) *partitions {
	return &partitions{pool: pool, ahead: ahead, days: map[day]bool{}}
}

// load reads the partitions that exist.
func (p *partitions) load(ctx context.Context) error {
	rows, err := p.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'predictions'::regclass`)
	if err != nil {
		return unavailable("list partitions", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return unavailable("list partitions", err)
	}
	days := map[day]bool{}
	for _, n := range names {
		if d, ok := parseTable(n); ok {
			days[d] = true
		}
	}
	p.mu.Lock()
	p.days = days
	p.mu.Unlock()
	return nil
}

// ensure creates the partitions of days that this replica does not know to
// exist.
func (p *partitions) ensure(ctx context.Context, days []day) error {
	p.mu.Lock()
	var missing []day
	for _, d := range days {
		if !p.days[d] && !slices.Contains(missing, d) {
			missing = append(missing, d)
		}
	}
	p.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	return p.create(ctx, missing)
}

// ensureAhead makes sure the partitions from yesterday to ahead days after
// now exist, so that ingest rarely has to create one.
func (p *partitions) ensureAhead(ctx context.Context, now time.Time) error {
	today := dayOf(now)
	var days []day
	for d := today - 1; d <= today+day(p.ahead); d++ {
		days = append(days, d)
	}
	return p.ensure(ctx, days)
}

// create creates the partitions of days. Partition bounds are generated from
// the day numbers, never from input.
func (p *partitions) create(ctx context.Context, days []day) error {
	slices.Sort(days)
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return unavailable("create partitions", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockClass, lockPartitions); err != nil {
		return unavailable("create partitions", err)
	}
	// Attaching a partition locks the parent table; give up rather than
	// queue every writer behind a long-running reader.
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return unavailable("create partitions", err)
	}
	for _, d := range days {
		ddl := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF predictions FOR VALUES FROM ('%s') TO ('%s')`,
			pgx.Identifier{d.table()}.Sanitize(), d.start().Format(time.RFC3339), (d + 1).start().Format(time.RFC3339))
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return unavailable("create partition "+d.table(), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable("create partitions", err)
	}
	p.mu.Lock()
	for _, d := range days {
		p.days[d] = true
	}
	p.mu.Unlock()
	return nil
}

// dropIfEmpty drops the partition of day d when it holds no rows.
// Dropping a partition briefly locks the whole table, so it waits at most a
// second for its lock and otherwise leaves the partition for next time.
func (p *partitions) dropIfEmpty(ctx context.Context, d day) (bool, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return false, unavailable("drop partition "+d.table(), err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	name := pgx.Identifier{d.table()}.Sanitize()
	// Lock the parent first, as writers do, then look: nothing can be
	// written to the partition between the check and the drop.
	_, err = tx.Exec(ctx, `SET LOCAL lock_timeout = '1s'`)
	if err == nil {
		_, err = tx.Exec(ctx, `LOCK TABLE predictions IN ACCESS EXCLUSIVE MODE`)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		return false, nil
	}
	if err != nil {
		return false, unavailable("drop partition "+d.table(), err)
	}
	var full bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+name+`)`).Scan(&full); err != nil {
		return false, unavailable("drop partition "+d.table(), err)
	}
	if full {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `DROP TABLE `+name); err != nil {
		return false, unavailable("drop partition "+d.table(), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, unavailable("drop partition "+d.table(), err)
	}
	p.mu.Lock()
	delete(p.days, d)
	p.mu.Unlock()
	return true, nil
}

// isNoPartition reports whether err is PostgreSQL refusing a row for which
// no partition exists (another replica dropped it after we cached it).
func isNoPartition(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && strings.Contains(pe.Message, "no partition")
}
