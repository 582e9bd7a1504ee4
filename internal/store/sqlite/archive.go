package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

const microsPerDay = 86400 * 1_000_000

// dayStart returns the Unix microseconds of the UTC midnight starting t's day.
func dayStart(t time.Time) int64 {
	us := micros(t)
	d := us - us%microsPerDay
	if us%microsPerDay < 0 {
		d -= microsPerDay
	}
	return d
}

// ArchiveDays implements store.Store.
func (db *DB) ArchiveDays(ctx context.Context, before time.Time) ([]store.ArchiveDay, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT m.model_name, m.model_version, d.day, d.n FROM model_versions m
		JOIN (SELECT p.mv_id, p.ts - ((p.ts % ?1) + ?1) % ?1 AS day, count(*) AS n
			FROM model_versions v JOIN predictions p ON p.mv_id = v.id AND p.ts < ?2 GROUP BY 1, 2) d ON d.mv_id = m.id
		ORDER BY d.day, m.model_name, m.model_version`, int64(microsPerDay), dayStart(before))
	if err != nil {
		return nil, unavailable("list days to archive", err)
	}
	defer rows.Close()
	var out []store.ArchiveDay
	for rows.Next() {
		var d store.ArchiveDay
		var day int64
		if err := rows.Scan(&d.Model.Name, &d.Model.Version, &day, &d.Rows); err != nil {
			return nil, unavailable("list days to archive", err)
		}
		d.Day = fromMicros(day)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list days to archive", err)
	}
	return out, nil
}

// ExportDay implements store.Store.
func (db *DB) ExportDay(ctx context.Context, key modelwatch.ModelKey, day time.Time, fn func(p *modelwatch.Prediction) error) (store.DaySnapshot, error) {
	var snap store.DaySnapshot
	mv, ok, err := db.readMV(ctx, db.reader, key)
	if err != nil || !ok {
		return snap, err
	}
	from := dayStart(day)
	to := from + microsPerDay
	// One read transaction: one snapshot of the WAL for both queries.
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, unavailable("export predictions", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(label_rev), 0),
			(SELECT coalesce(max(part), 0) + 1 FROM archived_parts WHERE mv_id = ?1 AND day = ?2)
		FROM predictions WHERE mv_id = ?1 AND ts >= ?2 AND ts < ?3`, mv, from, to).Scan(&snap.Rows, &snap.Rev, &snap.Part); err != nil {
		return snap, unavailable("export predictions", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id, m.model_name, m.model_version, p.ts, p.features, p.prediction, p.confidence,
			p.probabilities, p.preprocessing_ms, p.inference_ms, p.postprocessing_ms, p.latency_ms, p.ground_truth, p.labelled_at
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.mv_id = ? AND p.ts >= ? AND p.ts < ? ORDER BY p.ts, p.id`, mv, from, to)
	if err != nil {
		return snap, unavailable("export predictions", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPrediction(rows)
		if err != nil {
			return snap, err
		}
		if err := fn(&p); err != nil {
			return snap, err
		}
	}
	if err := rows.Err(); err != nil {
		return snap, unavailable("export predictions", err)
	}
	return snap, nil
}

// DeleteArchived implements store.Store. The deleted predictions' count and
// highest label revision are compared with the snapshot's: a label changed
// since the export always carries a higher revision.
func (db *DB) DeleteArchived(ctx context.Context, part store.ArchivedPart, snap store.DaySnapshot) error {
	return db.writeTx(ctx, "delete archived predictions", func(tx *sql.Tx) error {
		mv, ok, err := db.readMV(ctx, tx, part.Model)
		if err != nil {
			return err
		}
		if !ok {
			return modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s does not exist", part.Model.Name, part.Model.Version)
		}
		from := dayStart(part.Day)
		var n, rev int64
		rows, err := tx.QueryContext(ctx, `DELETE FROM predictions WHERE mv_id = ? AND ts >= ? AND ts < ? RETURNING coalesce(label_rev, 0)`,
			mv, from, from+microsPerDay)
		if err != nil {
			return unavailable("delete archived predictions", err)
		}
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return unavailable("delete archived predictions", err)
			}
			n++
			rev = max(rev, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return unavailable("delete archived predictions", err)
		}
		if n != snap.Rows || rev != snap.Rev {
			return modelwatch.Errorf(modelwatch.EConflict,
				"the predictions of %s on %s changed since they were exported (%d rows, label revision %d; exported %d, %d)",
				part.Model, fromMicros(from).Format(time.DateOnly), n, rev, snap.Rows, snap.Rev)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO label_revision_floor (id, rev) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET rev = max(rev, excluded.rev)`, rev); err != nil {
			return unavailable("record label revision", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO archived_parts (mv_id, day, part, object, rows, checksum, archived_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, mv, from, part.Part, part.Object, part.Rows, part.Checksum, micros(db.now())); err != nil {
			return unavailable("record archived part", err)
		}
		return nil
	})
}

// DeletePendingLabels implements store.Store.
func (db *DB) DeletePendingLabels(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.writeTx(ctx, "delete old pending labels", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pending_labels WHERE received_at < ?`, micros(before))
		if err != nil {
			return unavailable("delete old pending labels", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// LastRun implements store.Store.
func (db *DB) LastRun(ctx context.Context, name string) (time.Time, error) {
	var at int64
	err := db.reader.QueryRowContext(ctx, `SELECT scheduled_for FROM job_runs WHERE name = ?`, name).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, unavailable("read last run of "+name, err)
	}
	return fromMicros(at), nil
}

// RecordRun implements store.Store.
func (db *DB) RecordRun(ctx context.Context, name string, scheduledFor time.Time) error {
	return db.writeTx(ctx, "record run of "+name, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (name, scheduled_for, finished_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET scheduled_for = excluded.scheduled_for, finished_at = excluded.finished_at`,
			name, micros(scheduledFor), micros(db.now()))
		if err != nil {
			return unavailable("record run of "+name, err)
		}
		return nil
	})
}
