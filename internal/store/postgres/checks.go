package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
)

// ModelSettings implements store.Store.
func (db *DB) ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error) {
	var s modelwatch.ModelSettings
	var raw []byte
	err := db.pool.QueryRow(ctx, `SELECT s.settings::text FROM model_settings s JOIN model_versions m ON m.id = s.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2`, key.Name, key.Version).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, unavailable("read model settings", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("read model settings of %s: %w", key, err)
	}
	return s, nil
}

// writeMV runs fn in a transaction with the id of a model version, created
// if needed.
func (db *DB) writeMV(ctx context.Context, doing string, key modelwatch.ModelKey, fn func(tx pgx.Tx, mv int64) error) error {
	var created int64
	err := db.inTx(ctx, doing, func(tx pgx.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, key)
		if err != nil {
			return err
		}
		created = mv
		return fn(tx, mv)
	})
	if err == nil {
		db.mu.Lock()
		db.mvs[key] = created
		db.mu.Unlock()
	}
	return err
}

// PutModelSettings implements store.Store.
func (db *DB) PutModelSettings(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode model settings: %w", err)
	}
	return db.writeMV(ctx, "store model settings", key, func(tx pgx.Tx, mv int64) error {
		_, err := tx.Exec(ctx, `INSERT INTO model_settings (mv_id, settings, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (mv_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
			mv, string(raw), db.now())
		if err != nil {
			return unavailable("store model settings", err)
		}
		return nil
	})
}

// PutReference implements store.Store.
func (db *DB) PutReference(ctx context.Context, ref modelwatch.Reference) error {
	cols, err := json.Marshal(ref.Columns)
	if err != nil {
		return fmt.Errorf("encode reference columns: %w", err)
	}
	return db.writeMV(ctx, "store reference dataset", ref.Model, func(tx pgx.Tx, mv int64) error {
		_, err := tx.Exec(ctx, `INSERT INTO reference_datasets (mv_id, format, filename, uploaded_at, rows, columns, size, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (mv_id) DO UPDATE SET format = excluded.format, filename = excluded.filename,
				uploaded_at = excluded.uploaded_at, rows = excluded.rows, columns = excluded.columns,
				size = excluded.size, data = excluded.data`,
			mv, ref.Format, ref.Filename, ref.UploadedAt, ref.Rows, string(cols), len(ref.Data), ref.Data)
		if err != nil {
			return unavailable("store reference dataset", err)
		}
		return nil
	})
}

// Reference implements store.Store.
func (db *DB) Reference(ctx context.Context, key modelwatch.ModelKey, withData bool) (modelwatch.Reference, error) {
	ref := modelwatch.Reference{Model: key}
	var cols []byte
	var blob []byte
	err := db.pool.QueryRow(ctx, `SELECT r.format, r.filename, r.uploaded_at, r.rows, r.columns::text, r.size,
			CASE WHEN $3 THEN r.data END
		FROM reference_datasets r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2`, key.Name, key.Version, withData).
		Scan(&ref.Format, &ref.Filename, &ref.UploadedAt, &ref.Rows, &cols, &ref.Size, &blob)
	if errors.Is(err, pgx.ErrNoRows) {
		return ref, modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s has no reference dataset", key.Name, key.Version)
	}
	if err != nil {
		return ref, unavailable("read reference dataset", err)
	}
	ref.UploadedAt = utc(ref.UploadedAt)
	ref.Data = blob
	if err := json.Unmarshal(cols, &ref.Columns); err != nil {
		return ref, fmt.Errorf("read reference dataset of %s: %w", key, err)
	}
	return ref, nil
}

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
	var scheduled *time.Time
	if !run.ScheduledFor.IsZero() {
		scheduled = &run.ScheduledFor
	}
	var result *string
	if len(run.Result) > 0 {
		result = new(string(run.Result))
	}
	if len(report) == 0 {
		report = nil
	}
	var id int64
	err = db.writeMV(ctx, "store drift run", run.Model, func(tx pgx.Tx, mv int64) error {
		err := tx.QueryRow(ctx, `INSERT INTO drift_runs (mv_id, kind, trigger, scheduled_for, started_at, finished_at,
				window_from, window_to, status, message, rows, drift_detected, summary, result, report)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			mv, run.Kind, run.Trigger, scheduled, run.StartedAt, run.FinishedAt, run.Window.From, run.Window.To,
			run.Status, run.Message, run.Rows, run.DriftDetected, string(summary), result, report).Scan(&id)
		if err != nil {
			return unavailable("store drift run", err)
		}
		return nil
	})
	return id, err
}

const runColumns = `r.id, m.model_name, m.model_version, r.kind, r.trigger, r.scheduled_for, r.started_at, r.finished_at,
	r.window_from, r.window_to, r.status, r.message, r.rows, r.drift_detected, r.summary::text, r.report IS NOT NULL`

func scanRun(sc pgx.Row, extra ...any) (modelwatch.DriftRun, error) {
	var r modelwatch.DriftRun
	var scheduled *time.Time
	var summary []byte
	dest := append([]any{
		&r.ID, &r.Model.Name, &r.Model.Version, &r.Kind, &r.Trigger, &scheduled, &r.StartedAt, &r.FinishedAt,
		&r.Window.From, &r.Window.To, &r.Status, &r.Message, &r.Rows, &r.DriftDetected, &summary, &r.HasReport,
	}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return r, err
	}
	if scheduled != nil {
		r.ScheduledFor = utc(*scheduled)
	}
	r.StartedAt, r.FinishedAt = utc(r.StartedAt), utc(r.FinishedAt)
	r.Window.From, r.Window.To = utc(r.Window.From), utc(r.Window.To)
	var s runSummary
	if err := json.Unmarshal(summary, &s); err != nil {
		return r, fmt.Errorf("decode drift run %d: %w", r.ID, err)
	}
	r.DriftedColumns, r.DriftedColumnsShare = s.DriftedColumns, s.DriftedColumnsShare
	r.Accuracy, r.BaselineAccuracy, r.AccuracyDropPercent = s.Accuracy, s.BaselineAccuracy, s.AccuracyDropPercent
	return r, nil
}

// DriftRuns implements store.Store.
func (db *DB) DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+runColumns+`
		FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2 AND ($3 = '' OR r.kind = $3)
		ORDER BY r.id DESC LIMIT $4`, key.Name, key.Version, kind, limit)
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
	var result *string
	r, err := scanRun(db.pool.QueryRow(ctx, `SELECT `+runColumns+`, r.result::text
		FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2 AND r.id = $3`, key.Name, key.Version, id), &result)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s has no drift run %d", key.Name, key.Version, id)
	}
	if err != nil {
		return r, unavailable("read drift run", err)
	}
	if result != nil {
		r.Result = json.RawMessage(*result)
	}
	return r, nil
}

// DriftReport implements store.Store.
func (db *DB) DriftReport(ctx context.Context, key modelwatch.ModelKey, id int64) ([]byte, error) {
	var report []byte
	err := db.pool.QueryRow(ctx, `SELECT r.report FROM drift_runs r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2 AND r.id = $3`, key.Name, key.Version, id).Scan(&report)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && report == nil) {
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
	return db.inTx(ctx, "store concept drift events", func(tx pgx.Tx) error {
		for _, e := range evs {
			mv, err := db.modelVersionID(ctx, tx, e.Model)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO concept_events (mv_id, detector, kind, at, seq) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				mv, e.Detector, e.Kind, e.At, e.Seq); err != nil {
				return unavailable("store concept drift events", err)
			}
		}
		return nil
	})
}

// ConceptEvents implements store.Store.
func (db *DB) ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.id, e.detector, e.kind, e.at, e.seq
		FROM concept_events e JOIN model_versions m ON m.id = e.mv_id
		WHERE m.model_name = $1 AND m.model_version = $2 ORDER BY e.id DESC LIMIT $3`, key.Name, key.Version, limit)
	if err != nil {
		return nil, unavailable("list concept drift events", err)
	}
	var out []modelwatch.ConceptEvent
	e := modelwatch.ConceptEvent{Model: key}
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.Detector, &e.Kind, &e.At, &e.Seq}, func() error {
		e.At = utc(e.At)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, unavailable("list concept drift events", err)
	}
	return out, nil
}

// AddAudit implements store.Store.
func (db *DB) AddAudit(ctx context.Context, e modelwatch.AuditEntry) error {
	var details *string
	if len(e.Details) > 0 {
		details = new(string(e.Details))
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO audit_log (at, actor, action, model_name, model_version, details) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At, e.Actor, e.Action, e.Model.Name, e.Model.Version, details); err != nil {
		return unavailable("record audit entry", err)
	}
	return nil
}

// AuditLog implements store.Store.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]modelwatch.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, at, actor, action, model_name, model_version, details::text
		FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, unavailable("read audit log", err)
	}
	var out []modelwatch.AuditEntry
	var e modelwatch.AuditEntry
	var details *string
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.At, &e.Actor, &e.Action, &e.Model.Name, &e.Model.Version, &details}, func() error {
		e.At = utc(e.At)
		e.Details = nil
		if details != nil {
			e.Details = json.RawMessage(*details)
		}
		details = nil
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, unavailable("read audit log", err)
	}
	return out, nil
}
