// Package postgres is the PostgreSQL implementation of store.Store, for
// production: several modelwatch replicas share one database.
//
// Predictions are range-partitioned by day; partitions are created ahead of
// time and on demand, and dropped once the archive has emptied them. Batches
// are written with COPY. Idempotency by prediction id rests on a separate
// prediction_ids table (a unique index on a partitioned table must include
// the partition key), whose rows also serialise a label and the prediction it
// names. Label revisions are taken under a transaction-level advisory lock so
// that their order is the commit order, which the sliding windows of every
// replica rely on when they tail label events (see labels.go). Rollups are
// written in the same transaction as what they summarise, as in SQLite.
// Embedded migrations run under a session advisory lock, once, however many
// replicas start together. Locker gives scheduled jobs a session advisory
// lock, so that each runs on one replica at a time.
package postgres
