package sqlite

import (
	"context"
	"database/sql"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// AddGroundTruth implements store.Store.
func (db *DB) AddGroundTruth(ctx context.Context, labels []modelwatch.GroundTruth) (store.LabelResult, error) {
	res := store.LabelResult{Labelled: map[modelwatch.ModelKey]int{}}
	if len(labels) == 0 {
		return res, nil
	}
	// The last label for an id in the batch wins.
	last := make(map[string]int, len(labels))
	order := make([]string, 0, len(labels))
	for i, l := range labels {
		if l.ID == "" || l.GroundTruth == "" {
			return res, modelwatch.Errorf(modelwatch.EInvalid, "ground truth %d has no id or label", i)
		}
		if _, ok := last[l.ID]; !ok {
			order = append(order, l.ID)
		}
		last[l.ID] = i
	}
	now := micros(db.now())

	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return res, unavailable("begin labelling", err)
	}
	defer func() { _ = tx.Rollback() }()
	rev, err := maxRev(ctx, tx)
	if err != nil {
		return res, err
	}

	type stored struct {
		seq    int64
		mv     int64
		key    modelwatch.ModelKey
		ts     int64
		pred   string
		truth  sql.NullString
		labSeq sql.NullInt64
	}
	batch := rollup.NewBatch()
	labelStmt := tx.StmtContext(ctx, db.stmts.label)
	relabel := tx.StmtContext(ctx, db.stmts.relabel)
	pendingUpsert := tx.StmtContext(ctx, db.stmts.pendingUpsert)
	const chunk = 500
	for start := 0; start < len(order); start += chunk {
		ids := order[start:min(start+chunk, len(order))]
		args := make([]any, len(ids))
		for k, id := range ids {
			args[k] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.seq, p.mv_id, m.model_name, m.model_version, p.ts, p.prediction, p.ground_truth, p.label_seq
			FROM predictions p JOIN model_versions m ON m.id = p.mv_id WHERE p.id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return res, unavailable("read labelled predictions", err)
		}
		found := make(map[string]stored, len(ids))
		for rows.Next() {
			var id string
			var s stored
			if err := rows.Scan(&id, &s.seq, &s.mv, &s.key.Name, &s.key.Version, &s.ts, &s.pred, &s.truth, &s.labSeq); err != nil {
				rows.Close()
				return res, unavailable("read labelled predictions", err)
			}
			found[id] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, unavailable("read labelled predictions", err)
		}
		for _, id := range ids {
			label := string(labels[last[id]].GroundTruth)
			s, ok := found[id]
			if !ok {
				if _, err := pendingUpsert.ExecContext(ctx, id, label, now); err != nil {
					return res, unavailable("store pending label", err)
				}
				res.Pending++
				continue
			}
			if s.truth.Valid && s.truth.String == label {
				res.Unchanged++
				continue
			}
			rev++
			if s.labSeq.Valid {
				_, err = relabel.ExecContext(ctx, label, now, rev, s.seq)
				res.Relabelled++
				batch.AddCorrection(s.mv, fromMicros(s.ts), s.truth.String, label, s.pred)
			} else {
				_, err = labelStmt.ExecContext(ctx, label, now, rev, rev, s.seq)
				res.Joined++
				res.Labelled[s.key]++
				batch.AddLabelled(s.mv, fromMicros(s.ts), label, s.pred)
			}
			if err != nil {
				return res, unavailable("label prediction", err)
			}
		}
	}
	if err := db.writeRollups(ctx, tx, batch); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, unavailable("commit labelling", err)
	}
	return res, nil
}
