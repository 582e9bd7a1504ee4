package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// readMV returns the id of an existing model version; ok is false when it
// does not exist.
func (db *DB) readMV(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, key modelwatch.ModelKey,
) (id int64, ok bool, err error) {
	db.mu.Lock()
	id, ok = db.mvs[key]
	db.mu.Unlock()
	if ok {
		return id, true, nil
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM model_versions WHERE model_name = ? AND model_version = ?`, key.Name, key.Version).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, unavailable("read model version", err)
	}
	return id, true, nil
}

// writeTx runs fn in a write transaction on the writer connection.
func (db *DB) writeTx(ctx context.Context, doing string, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(doing, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return unavailable(doing, err)
	}
	return nil
}

// ModelSettings implements store.Store.
func (db *DB) ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error) {
	var s modelwatch.ModelSettings
	var raw string
	err := db.reader.QueryRowContext(ctx, `SELECT s.settings FROM model_settings s JOIN model_versions m ON m.id = s.mv_id
		WHERE m.model_name = ? AND m.model_version = ?`, key.Name, key.Version).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, unavailable("read model settings", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("read model settings of %s: %w", key, err)
	}
	return s, nil
}

// PutModelSettings implements store.Store.
func (db *DB) PutModelSettings(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode model settings: %w", err)
	}
	return db.writeTx(ctx, "store model settings", func(tx *sql.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, key)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO model_settings (mv_id, settings, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (mv_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
			mv, string(raw), micros(db.now()))
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
	return db.writeTx(ctx, "store reference dataset", func(tx *sql.Tx) error {
		mv, err := db.modelVersionID(ctx, tx, ref.Model)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO reference_datasets (mv_id, format, filename, uploaded_at, rows, columns, size, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mv_id) DO UPDATE SET format = excluded.format, filename = excluded.filename,
				uploaded_at = excluded.uploaded_at, rows = excluded.rows, columns = excluded.columns,
				size = excluded.size, data = excluded.data`,
			mv, ref.Format, ref.Filename, micros(ref.UploadedAt), ref.Rows, string(cols), len(ref.Data), ref.Data)
		if err != nil {
			return unavailable("store reference dataset", err)
		}
		return nil
	})
}

// Reference implements store.Store.
func (db *DB) Reference(ctx context.Context, key modelwatch.ModelKey, withData bool) (modelwatch.Reference, error) {
	ref := modelwatch.Reference{Model: key}
	data := "NULL"
	if withData {
		data = "r.data"
	}
	var uploaded int64
	var cols string
	var blob []byte
	err := db.reader.QueryRowContext(ctx, `SELECT r.format, r.filename, r.uploaded_at, r.rows, r.columns, r.size, `+data+`
		FROM reference_datasets r JOIN model_versions m ON m.id = r.mv_id
		WHERE m.model_name = ? AND m.model_version = ?`, key.Name, key.Version).
		Scan(&ref.Format, &ref.Filename, &uploaded, &ref.Rows, &cols, &ref.Size, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return ref, modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s has no reference dataset", key.Name, key.Version)
	}
	if err != nil {
		return ref, unavailable("read reference dataset", err)
	}
	ref.UploadedAt = fromMicros(uploaded)
	ref.Data = blob
	if err := json.Unmarshal([]byte(cols), &ref.Columns); err != nil {
		return ref, fmt.Errorf("read reference dataset of %s: %w", key, err)
	}
	return ref, nil
}

// ScanFeatures implements store.Store.
func (db *DB) ScanFeatures(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, fn func(ts time.Time, features []byte) error) error {
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return err
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT ts, coalesce(features, '{}') FROM predictions
		WHERE mv_id = ? AND ts >= ? AND ts < ? ORDER BY ts`, mv, micros(from), micros(to))
	if err != nil {
		return unavailable("read features", err)
	}
	defer rows.Close()
	var ts int64
	var features sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&ts, &features); err != nil {
			return unavailable("read features", err)
		}
		if err := fn(fromMicros(ts), features); err != nil {
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
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return 0, 0, err
	}
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, unavailable("read accuracy", err)
	}
	defer func() { _ = tx.Rollback() }()
	kept, err := readKept(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rollup.Cover(from, to, kept) {
		var l, c int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(labelled), 0), coalesce(sum(correct), 0) FROM rollups
			WHERE mv_id = ? AND res = ? AND bucket >= ? AND bucket < ?`, mv, r.Res, r.From, r.To).Scan(&l, &c); err != nil {
			return 0, 0, unavailable("read accuracy", err)
		}
		labelled += l
		correct += c
	}
	return labelled, correct, nil
}

// FirstLabelled implements store.Store.
func (db *DB) FirstLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (labelled, correct int64, err error) {
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return 0, 0, err
	}
	err = db.reader.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(ground_truth = prediction), 0) FROM (
		SELECT ground_truth, prediction FROM predictions WHERE mv_id = ? AND label_seq IS NOT NULL ORDER BY label_seq LIMIT ?)`,
		mv, n).Scan(&labelled, &correct)
	if err != nil {
		return 0, 0, unavailable("read first labelled predictions", err)
	}
	return labelled, correct, nil
}
