package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// rollupTables are the tables keyed by (mv_id, res, bucket, …), rollups
// first.
var rollupTables = [4]string{"rollups", "rollup_sketches", "rollup_classes", "rollup_confusion"}

// readKept returns the recorded pruning horizons, read in q (a read
// transaction, so that the rollups read next are of the same snapshot).
func readKept(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
},
) (rollup.Kept, error) {
	var k rollup.Kept
	rows, err := q.QueryContext(ctx, `SELECT res, before FROM rollup_horizons`)
	if err != nil {
		return k, unavailable("read rollup horizons", err)
	}
	defer rows.Close()
	for rows.Next() {
		var res, before int64
		if err := rows.Scan(&res, &before); err != nil {
			return k, unavailable("read rollup horizons", err)
		}
		switch res {
		case rollup.Minute:
			k.Minute = before
		case rollup.Hour:
			k.Hour = before
		}
	}
	if err := rows.Err(); err != nil {
		return k, unavailable("read rollup horizons", err)
	}
	return k, nil
}

// PruneRollups implements store.Store. The horizons are recorded in a
// transaction of their own; then, for each model version and resolution,
// the buckets before the horizon go in write transactions of at most
// Options.PruneBatch buckets (with their sketches, classes and confusion
// counts), each a range delete on the tables' primary keys, on the writer
// connection that serialises every write: ingest waits for one batch at
// most.
func (db *DB) PruneRollups(ctx context.Context, minuteBefore, hourBefore time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	want := rollup.NewKept(minuteBefore, hourBefore)
	err := db.writeTx(ctx, "record rollup horizons", func(tx *sql.Tx) error {
		stored, err := readKept(ctx, tx)
		if err != nil {
			return err
		}
		res.Kept = stored.Max(want)
		for _, r := range res.Kept.Pruned() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rollup_horizons (res, before) VALUES (?, ?)
				ON CONFLICT (res) DO UPDATE SET before = max(before, excluded.before)`, r.Res, r.To); err != nil {
				return unavailable("record rollup horizons", err)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	mvs, err := db.modelVersionIDs(ctx)
	if err != nil {
		return res, err
	}
	for _, mv := range mvs {
		for _, r := range res.Kept.Pruned() {
			if err := db.pruneRange(ctx, mv, r.Res, r.To, &res); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// pruneRange deletes the rollups of model version mv at resolution r whose
// buckets start before `before`, oldest first, Options.PruneBatch buckets
// per transaction.
func (db *DB) pruneRange(ctx context.Context, mv, r, before int64, res *store.PruneResult) error {
	var first sql.NullInt64
	if err := db.reader.QueryRowContext(ctx, `SELECT min(bucket) FROM rollups WHERE mv_id = ? AND res = ? AND bucket < ?`,
		mv, r, before).Scan(&first); err != nil {
		return unavailable("find rollups to prune", err)
	}
	if !first.Valid {
		return nil
	}
	lo := first.Int64
	for lo < before {
		if err := ctx.Err(); err != nil {
			return err
		}
		// hi is the first bucket of the next batch, or the horizon.
		hi := before
		err := db.reader.QueryRowContext(ctx, `SELECT bucket FROM rollups WHERE mv_id = ? AND res = ? AND bucket >= ? AND bucket < ?
			ORDER BY bucket LIMIT 1 OFFSET ?`, mv, r, lo, before, db.pruneBatch).Scan(&hi)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return unavailable("find rollups to prune", err)
		}
		err = db.writeTx(ctx, "prune rollups", func(tx *sql.Tx) error {
			for i, table := range rollupTables {
				tag, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE mv_id = ? AND res = ? AND bucket >= ? AND bucket < ?`, mv, r, lo, hi)
				if err != nil {
					return unavailable("prune "+table, err)
				}
				n, err := tag.RowsAffected()
				if err != nil {
					return unavailable("prune "+table, err)
				}
				if i == 0 {
					res.Buckets += n
				}
				res.Rows += n
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("prune rollups of model version %d: %w", mv, err)
		}
		lo = hi
	}
	return nil
}

// modelVersionIDs returns the ids of every model version.
func (db *DB) modelVersionIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id FROM model_versions ORDER BY id`)
	if err != nil {
		return nil, unavailable("list model versions", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, unavailable("list model versions", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list model versions", err)
	}
	return ids, nil
}
