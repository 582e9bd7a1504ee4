package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// Checkpoints. In WAL mode a commit appends pages to the write-ahead log
// and, by SQLite's default, the commit that takes the log past 1000 pages
// also copies the log back into the database file and syncs it before it
// returns: about a fifth of an ingest's time, paid by whichever request
// happens to cross the line. The writer connection therefore does not
// checkpoint (wal_autocheckpoint(0)); a connection of its own does, in the
// background, after ingest commits and every checkpointInterval. Durability
// is unchanged: a commit is durable once it is in the log.
//
// Background checkpoints are PASSIVE: they copy what they can without
// waiting for the writer or for readers. SQLite starts the log again from
// the beginning when a write begins after a checkpoint has copied all of
// it; under writes that never pause that moment may not come, so once the
// log holds more than walRestartFrames pages the checkpointer waits for a
// pause: a RESTART checkpoint, which holds new writes back while it copies
// the log and waits for readers of old pages, at most the checkpointer's
// busy timeout (250 ms), so that the log starts again from the beginning.
const (
	checkpointInterval = time.Second
	walRestartFrames   = 16384 // 64 MiB of 4 KiB pages
)

// runCheckpointer checkpoints until db.ckptStop is closed.
func (db *DB) runCheckpointer() {
	defer close(db.ckptDone)
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-db.ckptStop:
			return
		case <-db.ckptKick:
		case <-tick.C:
		}
		db.checkpoint()
	}
}

// kickCheckpoint asks the checkpointer to run soon, without waiting.
func (db *DB) kickCheckpoint() {
	select {
	case db.ckptKick <- struct{}{}:
	default:
	}
}

// checkpoint runs one background checkpoint. Failures are logged: the log
// keeps every commit, and the next checkpoint tries again.
func (db *DB) checkpoint() {
	ctx := context.Background()
	busy, frames, err := walCheckpoint(ctx, db.ckpt, "PASSIVE")
	if err == nil && frames > walRestartFrames {
		busy, frames, err = walCheckpoint(ctx, db.ckpt, "RESTART")
	}
	if err != nil {
		slog.Warn("sqlite checkpoint failed; the write-ahead log keeps every commit and the next checkpoint retries", "path", db.path, "err", describe(err))
		return
	}
	if busy && frames > walRestartFrames {
		slog.Debug("sqlite checkpoint could not restart the write-ahead log yet", "path", db.path, "frames", frames)
	}
}

// walCheckpoint runs PRAGMA wal_checkpoint(mode) and returns whether it was
// kept from finishing and how many pages the log holds.
func walCheckpoint(ctx context.Context, conn *sql.DB, mode string) (busy bool, frames int64, err error) {
	var b, log, done int64
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&b, &log, &done); err != nil {
		return false, 0, err
	}
	return b != 0, log, nil
}
