// Package sqlite implements store.Store on an embedded SQLite database, the
// default for a single modelwatch server.
//
// It uses the pure-Go modernc.org/sqlite driver (no cgo), WAL journaling, one
// writer connection that serialises write transactions (BEGIN IMMEDIATE) and a
// small pool of read-only connections that read concurrently with it.
// Migrations are embedded and applied by Open. With the default
// synchronous=FULL every committed transaction is on disk before the call
// returns.
package sqlite
