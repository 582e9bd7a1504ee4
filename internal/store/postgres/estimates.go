package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
)

// queryPredictions runs a query selecting predictionColumnsSQL.
func (db *DB) queryPredictions(ctx context.Context, doing, query string, args ...any) ([]modelwatch.Prediction, error) {
	rows, err := db.pool.Query(ctx, query, args...)
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
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return nil, err
	}
	ps, err := db.queryPredictions(ctx, "read latest predictions", `SELECT `+predictionColumnsSQL+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = $1 ORDER BY p.ts DESC, p.id DESC LIMIT $2`, mv, n)
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
	return ps, err
}

// FirstLabelledPredictions implements store.Store.
func (db *DB) FirstLabelledPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error) {
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return nil, err
	}
	return db.queryPredictions(ctx, "read first labelled predictions", `SELECT `+predictionColumnsSQL+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = $1 AND p.label_seq IS NOT NULL ORDER BY p.label_seq LIMIT $2`, mv, n)
}

// AddEstimate implements store.Store.
func (db *DB) AddEstimate(ctx context.Context, e modelwatch.Estimate) (int64, error) {
	var id int64
	err := db.inTx(ctx, "store estimate", func(tx pgx.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, e.Model)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO estimates (mv_id, at, from_ts, to_ts, rows, labelled, result)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			mv, e.At, e.From, e.To, e.Rows, e.Labelled, string(e.Result)).Scan(&id); err != nil {
			return unavailable("store estimate", err)
		}
		return nil
	})
	return id, err
}

// Estimates implements store.Store.
func (db *DB) Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.id, e.at, e.from_ts, e.to_ts, e.rows, e.labelled, e.result::text
		FROM estimates e JOIN model_versions m ON m.id = e.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2 ORDER BY e.id DESC LIMIT $3`, key.Name, key.Version, limit)
	if err != nil {
		return nil, unavailable("list estimates", err)
	}
	var out []modelwatch.Estimate
	e := modelwatch.Estimate{Model: key}
	var result string
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.At, &e.From, &e.To, &e.Rows, &e.Labelled, &result}, func() error {
		e.At, e.From, e.To = utc(e.At), utc(e.From), utc(e.To)
		e.Result = json.RawMessage(result)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, unavailable("list estimates", err)
	}
	return out, nil
}
