package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// readKept returns the recorded pruning horizons, read in q (in a
// repeatable-read transaction, from the snapshot of the rollups read next).
func readKept(ctx context.Context, q querier) (rollup.Kept, error) {
	var k rollup.Kept
	rows, err := q.Query(ctx, `SELECT res, before FROM rollup_horizons`)
	if err != nil {
		return k, unavailable("read rollup horizons", err)
	}
	var res, before int64
	_, err = pgx.ForEachRow(rows, []any{&res, &before}, func() error {
		switch res {
		case rollup.Minute:
			k.Minute = before
		case rollup.Hour:
			k.Hour = before
		}
		return nil
	})
	if err != nil {
		return k, unavailable("read rollup horizons", err)
	}
	return k, nil
}

// PruneRollups implements store.Store.
//
// The horizons are committed first, in a transaction of their own: a read
// that starts after it uses coarser rollups below them, and one that started
// before still sees every row, since nothing is deleted yet. Then, for each
// model version and resolution, the buckets before the horizon go oldest
// first in transactions of at most Options.PruneBatch buckets, each an index
// range on the tables' primary keys that starts where the previous one
// ended. A transaction locks its buckets' rollups rows in key order before
// deleting them and their sketches, classes and confusion counts, as an
// ingest does (see writeRollups), so the two never deadlock, and it holds
// its locks for one batch only.
func (db *DB) PruneRollups(ctx context.Context, minuteBefore, hourBefore time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	want := rollup.NewKept(minuteBefore, hourBefore)
	err := db.inTx(ctx, "record rollup horizons", func(tx pgx.Tx) error {
		for _, r := range want.Pruned() {
			if _, err := tx.Exec(ctx, `INSERT INTO rollup_horizons AS h (res, before) VALUES ($1, $2)
				ON CONFLICT (res) DO UPDATE SET before = greatest(h.before, excluded.before)`, r.Res, r.To); err != nil {
				return unavailable("record rollup horizons", err)
			}
		}
		var err error
		res.Kept, err = readKept(ctx, tx)
		return err
	})
	if err != nil {
		return res, err
	}
	rows, err := db.pool.Query(ctx, `SELECT id FROM model_versions ORDER BY id`)
	if err != nil {
		return res, unavailable("list model versions", err)
	}
	mvs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return res, unavailable("list model versions", err)
	}
	for _, mv := range mvs {
		for _, r := range res.Kept.Pruned() {
			if err := db.pruneRange(ctx, mv, r.Res, r.To, &res); err != nil {
				return res, fmt.Errorf("prune rollups of model version %d: %w", mv, err)
			}
		}
	}
	return res, nil
}

// pruneRange deletes the rollups of model version mv at resolution r whose
// buckets start before `before`, Options.PruneBatch buckets per
// transaction.
func (db *DB) pruneRange(ctx context.Context, mv, r, before int64, res *store.PruneResult) error {
	var first *int64
	if err := db.pool.QueryRow(ctx, `SELECT min(bucket) FROM rollups WHERE mv_id = $1 AND res = $2 AND bucket < $3`,
		mv, r, before).Scan(&first); err != nil {
		return unavailable("find rollups to prune", err)
	}
	if first == nil {
		return nil
	}
	for lo := *first; lo < before; {
		// hi is the first bucket of the next batch, or the horizon.
		hi := before
		err := db.pool.QueryRow(ctx, `SELECT bucket FROM rollups WHERE mv_id = $1 AND res = $2 AND bucket >= $3 AND bucket < $4
			ORDER BY bucket OFFSET $5 LIMIT 1`, mv, r, lo, before, db.pruneBatch).Scan(&hi)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return unavailable("find rollups to prune", err)
		}
		err = db.inTx(ctx, "prune rollups", func(tx pgx.Tx) error {
			var b pgx.Batch
			b.Queue(`SELECT 1 FROM rollups WHERE mv_id = $1 AND res = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket FOR UPDATE`,
				mv, r, lo, hi)
			for _, table := range rollupTables {
				b.Queue(`DELETE FROM `+table+` WHERE mv_id = $1 AND res = $2 AND bucket >= $3 AND bucket < $4`, mv, r, lo, hi)
			}
			br := tx.SendBatch(ctx, &b)
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return unavailable("lock rollups to prune", err)
			}
			for i, table := range rollupTables {
				tag, err := br.Exec()
				if err != nil {
					_ = br.Close()
					return unavailable("prune "+table, err)
				}
				if i == 0 {
					res.Buckets += tag.RowsAffected()
				}
				res.Rows += tag.RowsAffected()
			}
			if err := br.Close(); err != nil {
				return unavailable("prune rollups", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// rollupTables are the tables keyed by (mv_id, res, bucket, …), rollups
// first.
var rollupTables = [4]string{"rollups", "rollup_sketches", "rollup_classes", "rollup_confusion"}
