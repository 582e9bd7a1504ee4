package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch"
)

// runSummary holds the columns of a DriftRun that are stored as JSON.
type runSummary struct {
	DriftedColumns      int      `json:"drifted_columns,omitempty"`
	DriftedColumnsShare *float64 `json:"drifted_columns_share,omitempty"`
	Accuracy            *float64 `json:"accuracy,omitempty"`
	BaselineAccuracy    *float64 `json:"baseline_accuracy,omitempty"`
	AccuracyDropPercent *float64 `json:"accuracy_drop_percent,omitempty"`
}

// AddDriftRun implements store.Store.
func (db *DB) AddDriftRun(ctx context.Context, run modelwatch.DriftRun, report []byte) (int64, error) {
	summary, err := json.Marshal(runSummary{
		DriftedColumns: run.DriftedColumns, DriftedColumnsShare: run.DriftedColumnsShare,
		Accuracy: run.Accuracy, BaselineAccuracy: run.BaselineAccuracy, AccuracyDropPercent: run.AccuracyDropPercent,
	})
	if err != nil {
		return 0, fmt.Errorf("encode drift run: %w", err)
	}
	var scheduled, result any
	if !run.ScheduledFor.IsZero() {
		scheduled = micros(run.ScheduledFor)
	}
	if len(run.Result) > 0 {
		result = string(run.Result)
	}
	var id int64
	err = db.writeTx(ctx, "store drift run", func(tx *sql.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, run.Model)
		if err != nil {
			return err
		}
		var rep any
		if len(report) > 0 {
			rep = report
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO drift_runs (mv_id, kind, trigger, scheduled_for, started_at, finished_at,
				window_from, window_to, status, message, rows, drift_detected, summary, result, report)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			mv, run.Kind, run.Trigger, scheduled, micros(run.StartedAt), micros(run.FinishedAt),
			micros(run.Window.From), micros(run.Window.To), run.Status, run.Message, run.Rows, run.DriftDetected,
			string(summary), result, rep).Scan(&id)
		if err != nil {
			return unavailable("store drift run", err)
		}
		return nil
	})
	return id, err
}

const runColumns = `r.id, m.model_name, m.model_version, r.kind, r.trigger, r.scheduled_for, r.started_at, r.finished_at,
	r.window_from, r.window_to, r.status, r.message, r.rows, r.drift_detected, r.summary, r.report IS NOT NULL`

func scanRun(sc interface{ Scan(...any) error }, extra ...any) (modelwatch.DriftRun, error) {
	var r modelwatch.DriftRun
	var scheduled sql.NullInt64
	var started, finished, from, to int64
	var summary string
	dest := append([]any{
		&r.ID, &r.Model.Name, &r.Model.Version, &r.Kind, &r.Trigger, &scheduled, &started, &finished,
		&from, &to, &r.Status, &r.Message, &r.Rows, &r.DriftDetected, &summary, &r.HasReport,
	}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return r, err
	}
	if scheduled.Valid {
		r.ScheduledFor = fromMicros(scheduled.Int64)
	}
	r.StartedAt, r.FinishedAt = fromMicros(started), fromMicros(finished)
	r.Window = modelwatch.TimeRange{From: fromMicros(from), To: fromMicros(to)}
	var s runSummary
	if err := json.Unmarshal([]byte(summary), &s); err != nil {
		return r, fmt.Errorf("decode drift run %d: %w", r.ID, err)
	}
	r.DriftedColumns, r.DriftedColumnsShare = s.DriftedColumns, s.DriftedColumnsShare
	r.Accuracy, r.BaselineAccuracy, r.AccuracyDropPercent = s.Accuracy, s.BaselineAccuracy, s.AccuracyDropPercent
	return r, nil
}

// DriftRuns implements store.Store.
func (db *DB) DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+runColumns+`
		FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = ? AND m.model_version = ? AND (? = '' OR r.kind = ?)
		ORDER BY r.id DESC LIMIT ?`, key.Name, key.Version, kind, kind, limit)
	if err != nil {
		return nil, unavailable("list drift runs", err)
	}
	defer rows.Close()
	var out []modelwatch.DriftRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, unavailable("list drift runs", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list drift runs", err)
	}
	return out, nil
}

// DriftRun implements store.Store.
func (db *DB) DriftRun(ctx context.Context, key modelwatch.ModelKey, id int64) (modelwatch.DriftRun, error) {
	var result sql.NullString
	r, err := scanRun(db.reader.QueryRowContext(ctx, `SELECT `+runColumns+`, r.result
		FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = ? AND m.model_version = ? AND r.id = ?`, key.Name, key.Version, id), &result)
	if errors.Is(err, sql.ErrNoRows) {
		return r, modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s has no drift run %d", key.Name, key.Version, id)
	}
	if err != nil {
		return r, unavailable("read drift run", err)
	}
	if result.Valid {
		r.Result = json.RawMessage(result.String)
	}
	return r, nil
}

// DriftReport implements store.Store.
func (db *DB) DriftReport(ctx context.Context, key modelwatch.ModelKey, id int64) ([]byte, error) {
	var report []byte
	err := db.reader.QueryRowContext(ctx, `SELECT r.report FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = ? AND m.model_version = ? AND r.id = ?`, key.Name, key.Version, id).Scan(&report)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && report == nil) {
		return nil, modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s has no report for drift run %d", key.Name, key.Version, id)
	}
	if err != nil {
		return nil, unavailable("read drift report", err)
	}
	return report, nil
}

// AddConceptEvents implements store.Store.
func (db *DB) AddConceptEvents(ctx context.Context, evs []modelwatch.ConceptEvent) error {
	if len(evs) == 0 {
		return nil
	}
	return db.writeTx(ctx, "store concept drift events", func(tx *sql.Tx) error {
		for _, e := range evs {
			mv, err := db.modelVersionID(ctx, tx, e.Model)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO concept_events (mv_id, detector, kind, at, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				mv, e.Detector, e.Kind, micros(e.At), e.Seq); err != nil {
				return unavailable("store concept drift events", err)
			}
		}
		return nil
	})
}

// ConceptEvents implements store.Store.
func (db *DB) ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT e.id, e.detector, e.kind, e.at, e.seq
		FROM concept_events e JOIN model_versions m ON m.id = e.mv_id
		WHERE m.model_name = ? AND m.model_version = ? ORDER BY e.id DESC LIMIT ?`, key.Name, key.Version, limit)
	if err != nil {
		return nil, unavailable("list concept drift events", err)
	}
	defer rows.Close()
	var out []modelwatch.ConceptEvent
	for rows.Next() {
		e := modelwatch.ConceptEvent{Model: key}
		var at int64
		if err := rows.Scan(&e.ID, &e.Detector, &e.Kind, &at, &e.Seq); err != nil {
			return nil, unavailable("list concept drift events", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list concept drift events", err)
	}
	return out, nil
}
