package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Options configure a DB. The zero value is usable.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "FULL" (the default: a
	// commit is on disk when it returns) or "NORMAL" (faster; a power loss
	// may lose the last commits, a process crash loses nothing).
	Synchronous string
	// ReadConns is the number of read-only connections (default 4).
	ReadConns int
	// Now is the clock for arrival times (default time.Now).
	Now func() time.Time
	// PruneBatch is how many rollup buckets one write transaction of
	// PruneRollups deletes, with their sketches, classes and confusion
	// counts (default 1000).
	PruneBatch int
}

// DB is a store.Store on a SQLite file.
type DB struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer at a time
	reader *sql.DB // read-only connections
	now    func() time.Time

	pruneBatch int

	mu  sync.Mutex // guards mvs
	mvs map[modelwatch.ModelKey]int64

	ckpt     *sql.DB // one connection for background checkpoints (checkpoint.go)
	ckptKick chan struct{}
	ckptStop chan struct{}
	ckptDone chan struct{}

	queue      chan *ingestRequest // to the writer goroutine
	writerDone chan struct{}
	closeMu    sync.RWMutex // guards closed, and queue against sends after close
	closed     bool

	insertFull *sql.Stmt // multi-row INSERT of insertChunk predictions
	stmts      statements
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if opts.PruneBatch <= 0 {
		opts.PruneBatch = 1000
	}
	syncMode := strings.ToUpper(opts.Synchronous)
	switch syncMode {
	case "":
		syncMode = "FULL"
	case "FULL", "NORMAL", "EXTRA":
	default:
		return nil, fmt.Errorf("open sqlite %q: synchronous must be FULL or NORMAL, not %q", path, opts.Synchronous)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite %q: %w", path, err)
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	writer, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=synchronous("+syncMode+")&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	db := &DB{path: path, writer: writer, now: opts.Now, pruneBatch: opts.PruneBatch, mvs: map[modelwatch.ModelKey]int64{}}
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, describe(err))
	}
	ms, err := migrate.Load(migrationsFS, "migrations")
	if err != nil {
		_ = writer.Close()
		return nil, err
	}
	if _, err := migrate.Up(ctx, writer, ms, "?"); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("migrate sqlite %q: %w", path, err)
	}
	reader, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	reader.SetMaxOpenConns(opts.ReadConns)
	reader.SetMaxIdleConns(opts.ReadConns)
	db.reader = reader
	// A short busy timeout: a RESTART checkpoint that waits for readers
	// holds new writes back meanwhile (checkpoint.go).
	ckpt, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(250)")
	if err != nil {
		_ = reader.Close()
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetMaxIdleConns(1)
	ckpt.SetConnMaxLifetime(0)
	ckpt.SetConnMaxIdleTime(0)
	db.ckpt = ckpt
	if db.insertFull, err = writer.PrepareContext(ctx, insertSQL(insertChunk)); err != nil {
		_ = ckpt.Close()
		_ = reader.Close()
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q: prepare insert: %w", path, err)
	}
	if err := db.stmts.prepare(ctx, writer); err != nil {
		_ = db.insertFull.Close()
		_ = ckpt.Close()
		_ = reader.Close()
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	db.queue = make(chan *ingestRequest, 64)
	db.writerDone = make(chan struct{})
	go db.runWriter()
	db.ckptKick = make(chan struct{}, 1)
	db.ckptStop = make(chan struct{})
	db.ckptDone = make(chan struct{})
	go db.runCheckpointer()
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Ping checks that both the writer and a reader answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return unavailable("ping sqlite", err)
	}
	if err := db.reader.PingContext(ctx); err != nil {
		return unavailable("ping sqlite", err)
	}
	return nil
}

// Close waits for queued writes, checkpoints the WAL and closes the
// database. Calling it again does nothing.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if db.closed {
		db.closeMu.Unlock()
		return nil
	}
	db.closed = true
	close(db.queue)
	db.closeMu.Unlock()
	<-db.writerDone
	close(db.ckptStop)
	<-db.ckptDone

	var errs []error
	db.stmts.close()
	if db.insertFull != nil {
		errs = append(errs, db.insertFull.Close())
	}
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	errs = append(errs, db.ckpt.Close())
	// Fold the WAL back into the database file so a clean stop leaves one
	// file behind.
	if _, err := db.writer.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint sqlite %q: %w", db.path, err))
	}
	errs = append(errs, db.writer.Close())
	return errors.Join(errs...)
}

// micros converts t to Unix microseconds, the stored time unit.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts stored Unix microseconds back to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// describe adds SQLite's error name to driver errors.
func describe(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%w (sqlite code %d)", err, se.Code())
	}
	return err
}

// unavailable wraps a database failure as a modelwatch error with code
// unavailable, keeping the cause for logs.
func unavailable(doing string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", doing, err)
	}
	return fmt.Errorf("%s: %w: %w", doing, modelwatch.Errorf(modelwatch.EUnavailable, "the database is unavailable"), describe(err))
}
