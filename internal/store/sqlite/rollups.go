package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// sketchKinds names the latency sketches of a rollup, in the order of
// rollup.Agg's Latency followed by its Stages.
var sketchKinds = [4]string{"total", rollup.Stages[0], rollup.Stages[1], rollup.Stages[2]}

func sketchesOf(a *rollup.Agg) [4]*rollup.Sketch {
	return [4]*rollup.Sketch{&a.Latency, &a.Stages[0], &a.Stages[1], &a.Stages[2]}
}

// writeRollups adds a batch's summaries to the stored rollups. Latency
// sketches are merged in Go: the stored one is read, merged and written back.
func (db *DB) writeRollups(ctx context.Context, tx *sql.Tx, b *rollup.Batch) error {
	upsert := tx.StmtContext(ctx, db.stmts.rollupUpsert)
	selectSketch := tx.StmtContext(ctx, db.stmts.sketchSelect)
	upsertSketch := tx.StmtContext(ctx, db.stmts.sketchUpsert)
	upsertClass := tx.StmtContext(ctx, db.stmts.classUpsert)
	upsertConfusion := tx.StmtContext(ctx, db.stmts.confusionUpsert)
	for k, a := range b.Aggs {
		if _, err := upsert.ExecContext(ctx, k.Model, k.Res, k.Bucket, a.N, a.ConfN, a.ConfSum, a.LatSum, a.Labelled, a.Correct); err != nil {
			return unavailable("write rollup", err)
		}
		for i, sk := range sketchesOf(a) {
			if sk.N == 0 {
				continue
			}
			var stored rollup.Sketch
			var n int64
			var lo, hi float64
			var enc []byte
			err := selectSketch.QueryRowContext(ctx, k.Model, k.Res, k.Bucket, sketchKinds[i]).Scan(&n, &lo, &hi, &enc)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return unavailable("read rollup", err)
			default:
				stored.SetEncoded(enc, n, lo, hi)
			}
			if err := stored.Merge(sk); err != nil {
				return err
			}
			merged, err := stored.Encoded()
			if err != nil {
				return err
			}
			if _, err := upsertSketch.ExecContext(ctx, k.Model, k.Res, k.Bucket, sketchKinds[i], stored.N, stored.Min, stored.Max, merged); err != nil {
				return unavailable("write rollup", err)
			}
		}
		for class, n := range a.Classes {
			if _, err := upsertClass.ExecContext(ctx, k.Model, k.Res, k.Bucket, class, n); err != nil {
				return unavailable("write rollup", err)
			}
		}
		for p, n := range a.Confusion {
			if n == 0 {
				continue
			}
			if _, err := upsertConfusion.ExecContext(ctx, k.Model, k.Res, k.Bucket, p.Truth, p.Pred, n); err != nil {
				return unavailable("write rollup", err)
			}
		}
	}
	return nil
}

// statements are the writer's prepared statements.
type statements struct {
	rollupUpsert, sketchSelect, sketchUpsert, classUpsert, confusionUpsert *sql.Stmt
	hasPending, label, relabel, pendingUpsert                              *sql.Stmt
}

func (st *statements) all() []**sql.Stmt {
	return []**sql.Stmt{
		&st.rollupUpsert, &st.sketchSelect, &st.sketchUpsert, &st.classUpsert, &st.confusionUpsert,
		&st.hasPending, &st.label, &st.relabel, &st.pendingUpsert,
	}
}

func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	queries := []string{
		`INSERT INTO rollups (mv_id, res, bucket, n, conf_n, conf_sum, lat_sum, labelled, correct)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket) DO UPDATE SET
				n = n + excluded.n, conf_n = conf_n + excluded.conf_n, conf_sum = conf_sum + excluded.conf_sum,
				lat_sum = lat_sum + excluded.lat_sum,
				labelled = labelled + excluded.labelled, correct = correct + excluded.correct`,
		`SELECT n, min, max, sketch FROM rollup_sketches WHERE mv_id = ? AND res = ? AND bucket = ? AND kind = ?`,
		`INSERT INTO rollup_sketches (mv_id, res, bucket, kind, n, min, max, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket, kind) DO UPDATE SET
				n = excluded.n, min = excluded.min, max = excluded.max, sketch = excluded.sketch`,
		`INSERT INTO rollup_classes (mv_id, res, bucket, class, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket, class) DO UPDATE SET n = n + excluded.n`,
		`INSERT INTO rollup_confusion (mv_id, res, bucket, truth, pred, n) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (mv_id, res, bucket, truth, pred) DO UPDATE SET n = n + excluded.n`,
		`SELECT EXISTS (SELECT 1 FROM pending_labels)`,
		`UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_seq = ?, label_rev = ? WHERE seq = ?`,
		`UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_rev = ? WHERE seq = ?`,
		`INSERT INTO pending_labels (id, ground_truth, received_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET ground_truth = excluded.ground_truth, received_at = excluded.received_at`,
	}
	for i, dst := range st.all() {
		s, err := db.PrepareContext(ctx, queries[i])
		if err != nil {
			st.close()
			return fmt.Errorf("prepare %q: %w", queries[i][:30], err)
		}
		*dst = s
	}
	return nil
}

func (st *statements) close() {
	for _, s := range st.all() {
		if *s != nil {
			_ = (*s).Close()
		}
	}
}
