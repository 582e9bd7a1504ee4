package postgres

import (
	"context"
	"time"
)

// Locker gives scheduled jobs a PostgreSQL session advisory lock, so that
// a job runs on one replica at a time (it implements scheduler.Locker).
// While a job holds its lock, one pooled connection is set aside for it: a
// session lock belongs to a connection, and lasts until it is released or
// the connection ends — also when the replica dies, so a crashed replica
// never blocks the others.
type Locker struct {
	db *DB
}

// Locker returns the database's job Locker.
func (db *DB) Locker() *Locker { return &Locker{db: db} }

// TryLock takes the lock named name if no session holds it, without
// waiting. The name is hashed to a 64-bit key in the one-key advisory lock
// space, which the store's own locks do not use.
func (l *Locker) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	conn, err := l.db.pool.Acquire(ctx)
	if err != nil {
		return nil, false, unavailable("lock job "+name, err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, name).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, unavailable("lock job "+name, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var released bool
		err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, name).Scan(&released)
		if err != nil || !released {
			// We cannot tell whether the session still holds the lock:
			// close the connection, which releases every lock it held.
			l.db.log.Warn("release job lock: closing its connection", "job", name, "err", err)
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, true, nil
}
