package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// writeRollups adds a batch's summaries to the stored rollups. Latency
// sketches are merged in Go: the stored one is read, merged and written back.
func (db *DB) writeRollups(ctx context.Context, tx *sql.Tx, b *rollup.Batch) error {
	selectSketch := tx.StmtContext(ctx, db.stmts.rollupSketch)
	upsert := tx.StmtContext(ctx, db.stmts.rollupUpsert)
	upsertClass := tx.StmtContext(ctx, db.stmts.classUpsert)
	for k, a := range b.Aggs {
		var sketch []byte
		if a.LatN > 0 {
			var old []byte
			err := selectSketch.QueryRowContext(ctx, k.Model, k.Res, k.Bucket).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return unavailable("read rollup", err)
			}
			if len(old) > 0 {
				prev := &rollup.Agg{}
				prev.SetEncodedSketch(old)
				if err := prev.Merge(a); err != nil {
					return err
				}
				if sketch, err = prev.EncodedSketch(); err != nil {
					return err
				}
			} else if sketch, err = a.EncodedSketch(); err != nil {
				return err
			}
		}
		var latMin, latMax any
		if a.LatN > 0 {
			latMin, latMax = a.LatMin, a.LatMax
		}
		if _, err := upsert.ExecContext(ctx,
			k.Model, k.Res, k.Bucket, a.N, a.ConfN, a.ConfSum, a.LatN, a.LatSum, latMin, latMax, a.Labelled, a.Correct, sketch); err != nil {
			return unavailable("write rollup", err)
		}
		for class, n := range a.Classes {
			if _, err := upsertClass.ExecContext(ctx,
				k.Model, k.Res, k.Bucket, class, n); err != nil {
				return unavailable("write rollup", err)
			}
		}
	}
	return nil
}

// statements are the writer's prepared statements.
type statements struct {
	rollupSketch, rollupUpsert, classUpsert, hasPending *sql.Stmt
	label, relabel, pendingUpsert                       *sql.Stmt
}

func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.rollupSketch, `SELECT latency_sketch FROM rollups WHERE mv_id = ? AND res = ? AND bucket = ?`},
		{&st.rollupUpsert, `INSERT INTO rollups (mv_id, res, bucket, n, conf_n, conf_sum, lat_n, lat_sum, lat_min, lat_max, labelled, correct, latency_sketch)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket) DO UPDATE SET
				n = n + excluded.n, conf_n = conf_n + excluded.conf_n, conf_sum = conf_sum + excluded.conf_sum,
				lat_n = lat_n + excluded.lat_n, lat_sum = lat_sum + excluded.lat_sum,
				lat_min = coalesce(min(lat_min, excluded.lat_min), lat_min, excluded.lat_min),
				lat_max = coalesce(max(lat_max, excluded.lat_max), lat_max, excluded.lat_max),
				labelled = labelled + excluded.labelled, correct = correct + excluded.correct,
				latency_sketch = coalesce(excluded.latency_sketch, latency_sketch)`},
		{&st.classUpsert, `INSERT INTO rollup_classes (mv_id, res, bucket, class, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket, class) DO UPDATE SET n = n + excluded.n`},
		{&st.hasPending, `SELECT EXISTS (SELECT 1 FROM pending_labels)`},
		{&st.label, `UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_seq = ?, label_rev = ? WHERE seq = ?`},
		{&st.relabel, `UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_rev = ? WHERE seq = ?`},
		{&st.pendingUpsert, `INSERT INTO pending_labels (id, ground_truth, received_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET ground_truth = excluded.ground_truth, received_at = excluded.received_at`},
	} {
		s, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			st.close()
			return fmt.Errorf("prepare %q: %w", p.sql[:30], err)
		}
		*p.dst = s
	}
	return nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.rollupSketch, st.rollupUpsert, st.classUpsert, st.hasPending, st.label, st.relabel, st.pendingUpsert} {
		if s != nil {
			_ = s.Close()
		}
	}
}
