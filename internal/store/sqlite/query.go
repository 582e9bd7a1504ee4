package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// LabelEvents implements store.Store.
func (db *DB) LabelEvents(ctx context.Context, after int64, limit int) ([]store.LabelEvent, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT p.label_rev, p.label_seq, m.model_name, m.model_version, p.ground_truth, p.prediction
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.label_rev > ? ORDER BY p.label_rev LIMIT ?`, after, limit)
	if err != nil {
		return nil, unavailable("read label events", err)
	}
	return scanEvents(rows)
}

// LatestLabelled implements store.Store.
func (db *DB) LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) ([]store.LabelEvent, int64, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, unavailable("read labelled predictions", err)
	}
	defer func() { _ = tx.Rollback() }()
	var rev sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(label_rev) FROM predictions WHERE label_rev IS NOT NULL`).Scan(&rev); err != nil {
		return nil, 0, unavailable("read label revision", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.label_rev, p.label_seq, m.model_name, m.model_version, p.ground_truth, p.prediction
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE m.model_name = ? AND m.model_version = ? AND p.label_seq IS NOT NULL
		ORDER BY p.label_seq DESC LIMIT ?`, key.Name, key.Version, n)
	if err != nil {
		return nil, 0, unavailable("read labelled predictions", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, 0, err
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs, rev.Int64, nil
}

func scanEvents(rows *sql.Rows) ([]store.LabelEvent, error) {
	defer rows.Close()
	var out []store.LabelEvent
	for rows.Next() {
		var e store.LabelEvent
		var truth, pred string
		if err := rows.Scan(&e.Rev, &e.Seq, &e.Model.Name, &e.Model.Version, &truth, &pred); err != nil {
			return nil, unavailable("read label events", err)
		}
		e.Truth, e.Prediction = modelwatch.Label(truth), modelwatch.Label(pred)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("read label events", err)
	}
	return out, nil
}

// ModelVersions implements store.Store.
func (db *DB) ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT model_name, model_version, created_at FROM model_versions ORDER BY model_name, model_version`)
	if err != nil {
		return nil, unavailable("list model versions", err)
	}
	defer rows.Close()
	var out []modelwatch.ModelVersion
	for rows.Next() {
		var mv modelwatch.ModelVersion
		var created int64
		if err := rows.Scan(&mv.Name, &mv.Version, &created); err != nil {
			return nil, unavailable("list model versions", err)
		}
		mv.CreatedAt = fromMicros(created)
		out = append(out, mv)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list model versions", err)
	}
	return out, nil
}

// modelFilter returns a SQL condition on column col selecting the model
// versions of a query, or ok=false when nothing can match.
func (db *DB) modelFilter(ctx context.Context, model, version, col string) (string, []any, bool, error) {
	cond := []string{"1 = 1"}
	args := []any{}
	if model != "" {
		cond = append(cond, "model_name = ?")
		args = append(args, model)
	}
	if version != "" {
		cond = append(cond, "model_version = ?")
		args = append(args, version)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT id FROM model_versions WHERE `+strings.Join(cond, " AND "), args...)
	if err != nil {
		return "", nil, false, unavailable("read model versions", err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", nil, false, unavailable("read model versions", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", nil, false, unavailable("read model versions", err)
	}
	if len(ids) == 0 {
		return "", nil, false, nil
	}
	return col + " IN (" + placeholders(len(ids)) + ")", ids, true, nil
}

// Stats implements store.Store.
func (db *DB) Stats(ctx context.Context, q store.StatsQuery) (modelwatch.PredictionStats, error) {
	period := q.To.Sub(q.From)
	total := &rollup.Agg{}
	cond, args, ok, err := db.modelFilter(ctx, q.Model, q.Version, "mv_id")
	if err != nil {
		return modelwatch.PredictionStats{}, err
	}
	if !ok || !q.To.After(q.From) {
		return rollup.Stats(total, period)
	}
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return modelwatch.PredictionStats{}, unavailable("read statistics", err)
	}
	defer func() { _ = tx.Rollback() }()
	// The horizons and the rollups from one snapshot.
	kept, err := readKept(ctx, tx)
	if err != nil {
		return modelwatch.PredictionStats{}, err
	}
	ranges := rollup.Cover(q.From, q.To, kept)
	if len(ranges) == 0 {
		return rollup.Stats(total, period)
	}
	err = loadRollups(ctx, tx, cond, args, ranges, []string{"total"}, false, func(int64, int64) *rollup.Agg { return total })
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
	mv, ok, err := db.readMV(ctx, db.reader, q.Model)
	if err != nil || !ok {
		return nil, err
	}
	if rollup.BucketStart(q.From, q.Step) >= q.To.Unix() {
		return nil, nil
	}
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, unavailable("read series", err)
	}
	defer func() { _ = tx.Rollback() }()
	kept, err := readKept(ctx, tx)
	if err != nil {
		return nil, err
	}
	points := map[int64]*rollup.Agg{}
	err = loadRollups(ctx, tx, "mv_id = ?", []any{mv}, rollup.SeriesRanges(q.From, q.To, q.Step, kept), sketchKinds[:], true,
		func(_, bucket int64) *rollup.Agg {
			a := points[bucket]
			if a == nil {
				a = &rollup.Agg{}
				points[bucket] = a
			}
			return a
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

// loadRollups reads the rollups of the model versions matching cond in
// ranges and merges each row into into(mv, bucket): the counts, the latency
// sketches of the given kinds, the classes and, when confusion is true, the
// confusion counts. Each range is one index range scan.
func loadRollups(ctx context.Context, tx *sql.Tx, cond string, condArgs []any, ranges []rollup.Range, kinds []string,
	confusion bool, into func(mv, bucket int64) *rollup.Agg,
) error {
	var where []string
	var args []any
	for _, r := range ranges {
		where = append(where, cond+" AND res = ? AND bucket >= ? AND bucket < ?")
		args = append(args, condArgs...)
		args = append(args, r.Res, r.From, r.To)
	}
	union := func(cols, table, extra string) string {
		parts := make([]string, len(where))
		for i, w := range where {
			parts[i] = "SELECT mv_id, bucket, " + cols + " FROM " + table + " WHERE " + w + extra
		}
		return strings.Join(parts, " UNION ALL ")
	}
	scan := func(doing, query string, qargs []any, row func(rows *sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, query, qargs...)
		if err != nil {
			return unavailable(doing, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return unavailable(doing, err)
		}
		return nil
	}
	var mv, bucket int64
	if err := scan("read rollups", union("n, conf_n, conf_sum, lat_sum, labelled, correct", "rollups", ""), args, func(rows *sql.Rows) error {
		var a rollup.Agg
		if err := rows.Scan(&mv, &bucket, &a.N, &a.ConfN, &a.ConfSum, &a.LatSum, &a.Labelled, &a.Correct); err != nil {
			return unavailable("read rollups", err)
		}
		return into(mv, bucket).Merge(&a)
	}); err != nil {
		return err
	}
	if len(kinds) > 0 {
		kindArgs := make([]any, 0, len(args)+len(kinds)*len(where))
		perRange := len(args) / len(where)
		for i := range where {
			kindArgs = append(kindArgs, args[i*perRange:(i+1)*perRange]...)
			for _, k := range kinds {
				kindArgs = append(kindArgs, k)
			}
		}
		err := scan("read latency sketches", union("kind, n, min, max, sketch", "rollup_sketches", " AND kind IN ("+placeholders(len(kinds))+")"), kindArgs,
			func(rows *sql.Rows) error {
				var kind string
				var n int64
				var lo, hi float64
				var enc []byte
				if err := rows.Scan(&mv, &bucket, &kind, &n, &lo, &hi, &enc); err != nil {
					return unavailable("read latency sketches", err)
				}
				var sk rollup.Sketch
				sk.SetEncoded(enc, n, lo, hi)
				a := into(mv, bucket)
				for i, k := range sketchKinds {
					if k == kind {
						return sketchesOf(a)[i].Merge(&sk)
					}
				}
				return nil
			})
		if err != nil {
			return err
		}
	}
	if err := scan("read class counts", union("class, n", "rollup_classes", ""), args, func(rows *sql.Rows) error {
		var class string
		var n int64
		if err := rows.Scan(&mv, &bucket, &class, &n); err != nil {
			return unavailable("read class counts", err)
		}
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
	return scan("read confusion counts", union("truth, pred, n", "rollup_confusion", ""), args, func(rows *sql.Rows) error {
		var p rollup.Pair
		var n int64
		if err := rows.Scan(&mv, &bucket, &p.Truth, &p.Pred, &n); err != nil {
			return unavailable("read confusion counts", err)
		}
		a := into(mv, bucket)
		if a.Confusion == nil {
			a.Confusion = map[rollup.Pair]int64{}
		}
		a.Confusion[p] += n
		return nil
	})
}

// LowConfidence implements store.Store.
func (db *DB) LowConfidence(ctx context.Context, q store.LowConfidenceQuery) ([]modelwatch.Prediction, error) {
	cond, args, ok, err := db.modelFilter(ctx, q.Model, q.Version, "p.mv_id")
	if err != nil || !ok {
		return nil, err
	}
	args = append(args, q.Threshold, micros(q.Since), q.Limit)
	return db.queryPredictions(ctx, "read low-confidence predictions", `SELECT `+predictionColumns+`
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE `+cond+` AND p.confidence < ? AND p.ts > ?
		ORDER BY p.confidence, p.ts DESC, p.id LIMIT ?`, args...)
}

// scanPrediction reads the columns selected by LowConfidence.
func scanPrediction(rows *sql.Rows) (modelwatch.Prediction, error) {
	var p modelwatch.Prediction
	var ts int64
	var features, probs, truth sql.NullString
	var pred string
	var conf, pre, inf, post, total sql.NullFloat64
	var labAt sql.NullInt64
	if err := rows.Scan(&p.ID, &p.ModelName, &p.ModelVersion, &ts, &features, &pred, &conf, &probs,
		&pre, &inf, &post, &total, &truth, &labAt); err != nil {
		return p, unavailable("read prediction", err)
	}
	p.Timestamp = fromMicros(ts)
	p.Prediction = modelwatch.Label(pred)
	if features.Valid {
		p.Features = modelwatch.Features(features.String)
	}
	if probs.Valid {
		if err := json.Unmarshal([]byte(probs.String), &p.Probabilities); err != nil {
			return p, fmt.Errorf("read prediction %q: decode probabilities: %w", p.ID, err)
		}
	}
	p.Confidence = optFloat(conf)
	p.Latency.PreprocessingMs = optFloat(pre)
	p.Latency.InferenceMs = optFloat(inf)
	p.Latency.PostprocessingMs = optFloat(post)
	p.LatencyMs = optFloat(total)
	if truth.Valid {
		p.GroundTruth = modelwatch.Label(truth.String)
	}
	if labAt.Valid {
		p.LabelledAt = fromMicros(labAt.Int64)
	}
	return p, nil
}

func optFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return new(v.Float64)
}
