package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Advisory lock keys. Internal locks use the two-key form with lockClass
// as the first key; job locks (Locker) use the one-key form, a separate key
// space, so the two can never collide.
const (
	lockClass      = 0x6d77 // "mw"
	lockRevisions  = 1      // transaction lock: label revisions in commit order
	lockMigrations = 2      // session lock: one replica migrates at a time
	lockPartitions = 3      // transaction lock: partition DDL
)

// Options configure a DB. The zero value is usable.
type Options struct {
	// MaxConns is the size of the connection pool (default: pgx's default,
	// the larger of 4 and the number of CPUs). Scheduled jobs hold one
	// connection for their lock while they run.
	MaxConns int32
	// PartitionsAhead is how many days of partitions after today are kept
	// created (default 7).
	PartitionsAhead int
	// Now is the clock for arrival times and partition upkeep (default
	// time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// PruneBatch is how many rollup buckets one transaction of
	// PruneRollups deletes, with their sketches, classes and confusion
	// counts (default 1000): it bounds how long the transaction holds its
	// row locks.
	PruneBatch int
}

// DB is a store.Store on a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
	log  *slog.Logger
	url  string // as given to Open
	dsn  string // with the password hidden, for messages

	pruneBatch int

	mu  sync.Mutex // guards mvs
	mvs map[modelwatch.ModelKey]int64

	parts *partitions

	stop      chan struct{}
	upkeep    sync.WaitGroup
	closeOnce sync.Once
}

var _ store.Store = (*DB)(nil)

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or a
// key=value connection string), applies pending migrations under a lock
// that other replicas wait for, and creates the partitions of the coming
// days.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PartitionsAhead <= 0 {
		opts.PartitionsAhead = 7
	}
	if opts.PruneBatch <= 0 {
		opts.PruneBatch = 1000
	}
	name := Redact(dsn)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", name, err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.MaxConns < 2 {
		return nil, fmt.Errorf("open postgres %s: the pool needs at least 2 connections (a scheduled job holds one for its lock)", name)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", name, err)
	}
	db := &DB{pool: pool, now: opts.Now, log: opts.Logger, url: dsn, dsn: name, pruneBatch: opts.PruneBatch, mvs: map[modelwatch.ModelKey]int64{}, stop: make(chan struct{})}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, unavailable("open postgres "+name, err)
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	db.parts = newPartitions(pool, opts.PartitionsAhead)
	if err := db.parts.load(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.parts.ensureAhead(ctx, db.now()); err != nil {
		pool.Close()
		return nil, err
	}
	db.upkeep.Go(db.runUpkeep)
	return db, nil
}

// migrate applies the embedded migrations while holding a session advisory
// lock: replicas that start together wait for the first one, then find
// nothing left to apply.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrationsFS, "migrations")
	if err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return unavailable("migrate postgres", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, lockClass, lockMigrations); err != nil {
		return unavailable("lock postgres for migrations", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, $2)`, lockClass, lockMigrations); err != nil {
			// The session may still hold the lock: drop the connection, which
			// releases it.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	applied, err := migrate.Up(ctx, sqlDB, ms, "$1")
	if err != nil {
		return fmt.Errorf("migrate postgres %s: %w", db.dsn, err)
	}
	if applied > 0 {
		db.log.Info("database migrated", "driver", "postgres", "migrations", applied)
	}
	return nil
}

// runUpkeep creates the partitions of the coming days every hour until Close.
func (db *DB) runUpkeep() {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := db.parts.ensureAhead(ctx, db.now()); err != nil {
				db.log.Warn("create partitions ahead", "err", err)
			}
			cancel()
		}
	}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return unavailable("ping postgres", err)
	}
	return nil
}

// Close stops the partition upkeep and closes the pool, waiting for
// connections in use to be released. Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.stop)
		db.upkeep.Wait()
		db.pool.Close()
	})
	return nil
}

// Redact hides the password of a connection URL, for logs and messages.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

// querier is what pgx.Tx, *pgxpool.Conn and *pgxpool.Pool share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a transaction and commits it.
func (db *DB) inTx(ctx context.Context, doing string, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return unavailable(doing, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable(doing, err)
	}
	return nil
}

// readTx runs fn in a read-only repeatable-read transaction: every query
// of fn sees the same snapshot.
func (db *DB) readTx(ctx context.Context, doing string, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return unavailable(doing, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable(doing, err)
	}
	return nil
}

// describe adds PostgreSQL's error code and detail to server errors.
func describe(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Detail != "" {
			return fmt.Errorf("%w (SQLSTATE %s: %s)", err, pe.Code, pe.Detail)
		}
		return fmt.Errorf("%w (SQLSTATE %s)", err, pe.Code)
	}
	return err
}

// unavailable wraps a database failure as a modelwatch error with code
// unavailable, keeping the cause for logs. Clients may retry: writes are
// atomic and idempotent.
func unavailable(doing string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", doing, err)
	}
	var me *modelwatch.Error
	if errors.As(err, &me) {
		return fmt.Errorf("%s: %w", doing, err)
	}
	return fmt.Errorf("%s: %w: %w", doing, modelwatch.Errorf(modelwatch.EUnavailable, "the database is unavailable"), describe(err))
}

// utc returns t in UTC (pgx returns timestamps in the local zone).
func utc(t time.Time) time.Time { return t.UTC() }
