package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// ModelVersions implements store.Store.
func (db *DB) ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT model_name, model_version, created_at FROM model_versions ORDER BY model_name, model_version`)
	if err != nil {
		return nil, unavailable("list model versions", err)
	}
	var out []modelwatch.ModelVersion
	var mv modelwatch.ModelVersion
	_, err = pgx.ForEachRow(rows, []any{&mv.Name, &mv.Version, &mv.CreatedAt}, func() error {
		mv.CreatedAt = utc(mv.CreatedAt)
		out = append(out, mv)
		return nil
	})
	if err != nil {
		return nil, unavailable("list model versions", err)
	}
	return out, nil
}

// readMV returns the id of an existing model version; ok is false when it
// does not exist.
func (db *DB) readMV(ctx context.Context, q querier, key modelwatch.ModelKey) (id int64, ok bool, err error) {
	db.mu.Lock()
	id, ok = db.mvs[key]
	db.mu.Unlock()
	if ok {
		return id, true, nil
	}
	err = q.QueryRow(ctx, `SELECT id FROM model_versions WHERE model_name = $1 AND model_version = $2`, key.Name, key.Version).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, unavailable("read model version", err)
	}
	db.mu.Lock()
	db.mvs[key] = id
	db.mu.Unlock()
	return id, true, nil
}

// modelIDs returns the ids of the model versions matching a query's model
// and version (empty matches any).
func (db *DB) modelIDs(ctx context.Context, model, version string) ([]int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM model_versions WHERE ($1 = '' OR model_name = $1) AND ($2 = '' OR model_version = $2)`,
		model, version)
	if err != nil {
		return nil, unavailable("read model versions", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, unavailable("read model versions", err)
	}
	return ids, nil
}

// Stats implements store.Store.
func (db *DB) Stats(ctx context.Context, q store.StatsQuery) (modelwatch.PredictionStats, error) {
	period := q.To.Sub(q.From)
	total := &rollup.Agg{}
	ids, err := db.modelIDs(ctx, q.Model, q.Version)
	if err != nil {
		return modelwatch.PredictionStats{}, err
	}
	if len(ids) == 0 || !q.To.After(q.From) {
		return rollup.Stats(total, period)
	}
	err = db.readTx(ctx, "read statistics", func(tx pgx.Tx) error {
		// The horizons and the rollups from one snapshot.
		kept, err := readKept(ctx, tx)
		if err != nil {
			return err
		}
		return loadRollups(ctx, tx, ids, rollup.Cover(q.From, q.To, kept), sketchKinds[:1], false, func(int64, int64) *rollup.Agg { return total })
	})
	if err != nil {
		return modelwatch.PredictionStats{}, err
	}
	return rollup.Stats(total, period)
}

// Series implements store.Store.
func (db *DB) Series(ctx context.Context, q store.SeriesQuery) ([]rollup.Point, error) {
	if q.Step != rollup.Minute && q.Step != rollup.Hour && q.Step != rollup.Day {
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "series step must be a minute, an hour or a day")
	}
	mv, ok, err := db.readMV(ctx, db.pool, q.Model)
	if err != nil || !ok {
		return nil, err
	}
	if rollup.BucketStart(q.From, q.Step) >= q.To.Unix() {
		return nil, nil
	}
	points := map[int64]*rollup.Agg{}
	var kept rollup.Kept
	err = db.readTx(ctx, "read series", func(tx pgx.Tx) error {
		if kept, err = readKept(ctx, tx); err != nil {
			return err
		}
		return loadRollups(ctx, tx, []int64{mv}, rollup.SeriesRanges(q.From, q.To, q.Step, kept), sketchKinds[:], true,
			func(_, bucket int64) *rollup.Agg {
				a := points[bucket]
				if a == nil {
					a = &rollup.Agg{}
					points[bucket] = a
				}
				return a
			})
	})
	if err != nil {
		return nil, err
	}
	out := make([]rollup.Point, 0, len(points))
	for b, a := range points {
		out = append(out, rollup.Point{Start: time.Unix(b, 0).UTC(), Res: max(q.Step, kept.Res(b)), Agg: a})
	}
	slices.SortFunc(out, func(x, y rollup.Point) int { return x.Start.Compare(y.Start) })
	return out, nil
}

// rangeFilter is the join that restricts a rollup table (alias x) to the
// model versions $1 and the bucket ranges ($2 resolutions, $3 starts, $4
// ends): one index range scan per range and model version.
const rangeFilter = ` JOIN unnest($2::int[], $3::bigint[], $4::bigint[]) AS r (res, lo, hi)
	ON x.res = r.res AND x.bucket >= r.lo AND x.bucket < r.hi WHERE x.mv_id = ANY($1::int[])`

// loadRollups reads the rollups of model versions ids in ranges and merges
// each row into into(mv, bucket): the counts, the latency sketches of the
// given kinds, the classes and, when confusion is true, the confusion
// counts.
func loadRollups(ctx context.Context, tx pgx.Tx, ids []int64, ranges []rollup.Range, kinds []string,
	confusion bool, into func(mv, bucket int64) *rollup.Agg,
) error {
	res, lo, hi := make([]int64, len(ranges)), make([]int64, len(ranges)), make([]int64, len(ranges))
	for i, r := range ranges {
		res[i], lo[i], hi[i] = r.Res, r.From, r.To
	}
	scan := func(doing, query string, dest []any, row func() error, extra ...any) error {
		rows, err := tx.Query(ctx, query, append([]any{ids, res, lo, hi}, extra...)...)
		if err != nil {
			return unavailable(doing, err)
		}
		if _, err := pgx.ForEachRow(rows, dest, row); err != nil {
			var me *modelwatch.Error
			if errors.As(err, &me) {
				return err
			}
			return unavailable(doing, err)
		}
		return nil
	}
	var mv, bucket int64
	var a rollup.Agg
	if err := scan("read rollups", `SELECT x.mv_id, x.bucket, x.n, x.conf_n, x.conf_sum, x.lat_sum, x.labelled, x.correct FROM rollups x`+rangeFilter,
		[]any{&mv, &bucket, &a.N, &a.ConfN, &a.ConfSum, &a.LatSum, &a.Labelled, &a.Correct},
		func() error { return into(mv, bucket).Merge(&a) }); err != nil {
		return err
	}
	if len(kinds) > 0 {
		var kind string
		var n int64
		var skLo, skHi float64
		var enc []byte
		err := scan("read latency sketches", `SELECT x.mv_id, x.bucket, x.kind, x.n, x.min, x.max, x.sketch FROM rollup_sketches x`+rangeFilter+
			` AND x.kind = ANY($5::text[])`, []any{&mv, &bucket, &kind, &n, &skLo, &skHi, &enc},
			func() error {
				var sk rollup.Sketch
				sk.SetEncoded(enc, n, skLo, skHi)
				enc = nil
				a := into(mv, bucket)
				for i, k := range sketchKinds {
					if k == kind {
						return sketchesOf(a)[i].Merge(&sk)
					}
				}
				return nil
			}, kinds)
		if err != nil {
			return err
		}
	}
	var class string
	var n int64
	if err := scan("read class counts", `SELECT x.mv_id, x.bucket, x.class, x.n FROM rollup_classes x`+rangeFilter,
		[]any{&mv, &bucket, &class, &n}, func() error {
			a := into(mv, bucket)
			if a.Classes == nil {
				a.Classes = map[string]int64{}
			}
			a.Classes[class] += n
			return nil
		}); err != nil {
		return err
	}
	if !confusion {
		return nil
	}
	var p rollup.Pair
	return scan("read confusion counts", `SELECT x.mv_id, x.bucket, x.truth, x.pred, x.n FROM rollup_confusion x`+rangeFilter,
		[]any{&mv, &bucket, &p.Truth, &p.Pred, &n}, func() error {
			a := into(mv, bucket)
			if a.Confusion == nil {
				a.Confusion = map[rollup.Pair]int64{}
			}
			a.Confusion[p] += n
			return nil
		})
}

// predictionColumnsSQL are the columns scanPrediction reads, of
// predictions p joined with model_versions m.
const predictionColumnsSQL = `p.id, m.model_name, m.model_version, p.ts, p.features::text, p.prediction, p.confidence,
	p.probabilities::text, p.preprocessing_ms, p.inference_ms, p.postprocessing_ms, p.latency_ms, p.ground_truth, p.labelled_at`

// LowConfidence implements store.Store.
func (db *DB) LowConfidence(ctx context.Context, q store.LowConfidenceQuery) ([]modelwatch.Prediction, error) {
	ids, err := db.modelIDs(ctx, q.Model, q.Version)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT `+predictionColumnsSQL+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = ANY($1::int[]) AND p.confidence < $2 AND p.ts > $3
		ORDER BY p.confidence, p.ts DESC, p.id LIMIT $4`, ids, q.Threshold, q.Since, q.Limit)
	if err != nil {
		return nil, unavailable("read low-confidence predictions", err)
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
		return nil, unavailable("read low-confidence predictions", err)
	}
	return out, nil
}

// scanPrediction reads the columns of predictionColumnsSQL.
func scanPrediction(rows pgx.Rows) (modelwatch.Prediction, error) {
	var p modelwatch.Prediction
	var features, probs, truth *string
	var pred string
	var labAt *time.Time
	if err := rows.Scan(&p.ID, &p.ModelName, &p.ModelVersion, &p.Timestamp, &features, &pred, &p.Confidence, &probs,
		&p.Latency.PreprocessingMs, &p.Latency.InferenceMs, &p.Latency.PostprocessingMs, &p.LatencyMs, &truth, &labAt); err != nil {
		return p, unavailable("read prediction", err)
	}
	p.Timestamp = utc(p.Timestamp)
	p.Prediction = modelwatch.Label(pred)
	if features != nil {
		p.Features = modelwatch.Features(*features)
	}
	if probs != nil {
		if err := json.Unmarshal([]byte(*probs), &p.Probabilities); err != nil {
			return p, fmt.Errorf("read prediction %q: decode probabilities: %w", p.ID, err)
		}
	}
	if truth != nil {
		p.GroundTruth = modelwatch.Label(*truth)
	}
	if labAt != nil {
		p.LabelledAt = utc(*labAt)
	}
	return p, nil
}

// ScanFeatures implements store.Store.
func (db *DB) ScanFeatures(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, fn func(ts time.Time, features []byte) error) error {
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return err
	}
	rows, err := db.pool.Query(ctx, `SELECT ts, coalesce(features::text, '{}') FROM predictions
		WHERE mv_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts`, mv, from, to)
	if err != nil {
		return unavailable("read features", err)
	}
	defer rows.Close()
	var ts time.Time
	for rows.Next() {
		if err := rows.Scan(&ts, nil); err != nil {
			return unavailable("read features", err)
		}
		// The text of the features as it came over the wire, valid until
		// the next row: no copy.
		if err := fn(utc(ts), rows.RawValues()[1]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return unavailable("read features", err)
	}
	return nil
}

// Accuracy implements store.Store.
func (db *DB) Accuracy(ctx context.Context, key modelwatch.ModelKey, from, to time.Time) (labelled, correct int64, err error) {
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return 0, 0, err
	}
	if !to.After(from) {
		return 0, 0, nil
	}
	err = db.readTx(ctx, "read accuracy", func(tx pgx.Tx) error {
		kept, err := readKept(ctx, tx)
		if err != nil {
			return err
		}
		ranges := rollup.Cover(from, to, kept)
		res, lo, hi := make([]int64, len(ranges)), make([]int64, len(ranges)), make([]int64, len(ranges))
		for i, r := range ranges {
			res[i], lo[i], hi[i] = r.Res, r.From, r.To
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(x.labelled), 0), coalesce(sum(x.correct), 0) FROM rollups x`+rangeFilter,
			[]int64{mv}, res, lo, hi).Scan(&labelled, &correct); err != nil {
			return unavailable("read accuracy", err)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return labelled, correct, nil
}

// FirstLabelled implements store.Store.
func (db *DB) FirstLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (labelled, correct int64, err error) {
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return 0, 0, err
	}
	err = db.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE ground_truth = prediction) FROM (
		SELECT ground_truth, prediction FROM predictions WHERE mv_id = $1 AND label_seq IS NOT NULL ORDER BY label_seq LIMIT $2) f`,
		mv, n).Scan(&labelled, &correct)
	if err != nil {
		return 0, 0, unavailable("read first labelled predictions", err)
	}
	return labelled, correct, nil
}
