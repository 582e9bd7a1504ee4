package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch"
)

// PredictionsBetween implements store.Store.
func (db *DB) PredictionsBetween(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, n int) ([]modelwatch.Prediction, error) {
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return nil, err
	}
	ps, err := db.queryPredictions(ctx, "read predictions of a chunk", `SELECT `+predictionColumnsSQL+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = $1 AND p.ts >= $2 AND p.ts <= $3 ORDER BY p.ts DESC, p.id DESC LIMIT $4`, mv, from, to, n)
	slices.Reverse(ps)
	return ps, err
}

// UpdateEstimate implements store.Store.
func (db *DB) UpdateEstimate(ctx context.Context, e modelwatch.Estimate) error {
	tag, err := db.pool.Exec(ctx, `UPDATE estimates SET labelled = $1, result = $2
		WHERE id = $3 AND mv_id = (SELECT id FROM model_versions WHERE model_name = $4 AND model_version = $5)`,
		e.Labelled, string(e.Result), e.ID, e.Model.Name, e.Model.Version)
	if err != nil {
		return unavailable("update estimate", err)
	}
	if tag.RowsAffected() == 0 {
		return modelwatch.Errorf(modelwatch.ENotFound, "model %q version %q has no estimate %d", e.Model.Name, e.Model.Version, e.ID)
	}
	return nil
}
