package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch"
)

const predictionColumns = `p.id, m.model_name, m.model_version, p.ts, p.features, p.prediction, p.confidence,
	p.probabilities, p.preprocessing_ms, p.inference_ms, p.postprocessing_ms, p.latency_ms, p.ground_truth, p.labelled_at`

// queryPredictions runs a query selecting predictionColumns.
func (db *DB) queryPredictions(ctx context.Context, doing, query string, args ...any) ([]modelwatch.Prediction, error) {
	rows, err := db.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, unavailable(doing, err)
	}
	defer rows.Close()
	var out []modelwatch.Prediction
	for rows.Next() {
		p, err := scanPrediction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(doing, err)
	}
	return out, nil
}

// LatestPredictions implements store.Store.
func (db *DB) LatestPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error) {
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return nil, err
	}
	ps, err := db.queryPredictions(ctx, "read latest predictions", `SELECT `+predictionColumns+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = ? ORDER BY p.ts DESC, p.seq DESC LIMIT ?`, mv, n)
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
	return ps, err
}

// FirstLabelledPredictions implements store.Store.
func (db *DB) FirstLabelledPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error) {
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return nil, err
	}
	return db.queryPredictions(ctx, "read first labelled predictions", `SELECT `+predictionColumns+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = ? AND p.label_seq IS NOT NULL ORDER BY p.label_seq LIMIT ?`, mv, n)
}

// PredictionsBetween implements store.Store.
func (db *DB) PredictionsBetween(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, n int) ([]modelwatch.Prediction, error) {
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return nil, err
	}
	ps, err := db.queryPredictions(ctx, "read predictions of a chunk", `SELECT `+predictionColumns+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = ? AND p.ts >= ? AND p.ts <= ? ORDER BY p.ts DESC, p.seq DESC LIMIT ?`, mv, micros(from), micros(to), n)
	slices.Reverse(ps)
	return ps, err
}

// AddEstimate implements store.Store.
func (db *DB) AddEstimate(ctx context.Context, e modelwatch.Estimate) (int64, error) {
	var id int64
	err := db.writeTx(ctx, "store estimate", func(tx *sql.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, e.Model)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO estimates (mv_id, at, from_ts, to_ts, rows, labelled, result)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			mv, micros(e.At), micros(e.From), micros(e.To), e.Rows, e.Labelled, string(e.Result)).Scan(&id)
		if err != nil {
			return unavailable("store estimate", err)
		}
		return nil
	})
	return id, err
}

// UpdateEstimate implements store.Store.
func (db *DB) UpdateEstimate(ctx context.Context, e modelwatch.Estimate) error {
	return db.writeTx(ctx, "update estimate", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE estimates SET labelled = ?, result = ?
			WHERE id = ? AND mv_id = (SELECT id FROM model_versions WHERE model_name = ? AND model_version = ?)`,
			e.Labelled, string(e.Result), e.ID, e.Model.Name, e.Model.Version)
		if err != nil {
			return unavailable("update estimate", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return unavailable("update estimate", err)
		} else if n == 0 {
			return modelwatch.Errorf(modelwatch.ENotFound, "model %q version %q has no estimate %d", e.Model.Name, e.Model.Version, e.ID)
		}
		return nil
	})
}

// Estimates implements store.Store.
func (db *DB) Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT e.id, e.at, e.from_ts, e.to_ts, e.rows, e.labelled, e.result
		FROM estimates e JOIN model_versions m ON m.id = e.mv_id
		WHERE m.model_name = ? AND m.model_version = ? ORDER BY e.id DESC LIMIT ?`, key.Name, key.Version, limit)
	if err != nil {
		return nil, unavailable("list estimates", err)
	}
	defer rows.Close()
	var out []modelwatch.Estimate
	for rows.Next() {
		e := modelwatch.Estimate{Model: key}
		var at, from, to int64
		var result string
		if err := rows.Scan(&e.ID, &at, &from, &to, &e.Rows, &e.Labelled, &result); err != nil {
			return nil, unavailable("list estimates", err)
		}
		e.At, e.From, e.To, e.Result = fromMicros(at), fromMicros(from), fromMicros(to), json.RawMessage(result)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list estimates", err)
	}
	return out, nil
}
