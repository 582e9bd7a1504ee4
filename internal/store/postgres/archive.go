package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// ArchiveDays implements store.Store. It reads only the partitions before
// `before`, which the archive job keeps few.
func (db *DB) ArchiveDays(ctx context.Context, before time.Time) ([]store.ArchiveDay, error) {
	end := dayOf(before).start()
	rows, err := db.pool.Query(ctx, `SELECT m.model_name, m.model_version, d.day, d.n FROM (
			SELECT mv_id, date_trunc('day', ts, 'UTC') AS day, count(*) AS n FROM predictions WHERE ts < $1 GROUP BY 1, 2) d
		JOIN model_versions m ON m.id = d.mv_id
		ORDER BY d.day, m.model_name, m.model_version`, end)
	if err != nil {
		return nil, unavailable("list days to archive", err)
	}
	var out []store.ArchiveDay
	var d store.ArchiveDay
	_, err = pgx.ForEachRow(rows, []any{&d.Model.Name, &d.Model.Version, &d.Day, &d.Rows}, func() error {
		d.Day = utc(d.Day)
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, unavailable("list days to archive", err)
	}
	return out, nil
}

// ExportDay implements store.Store.
func (db *DB) ExportDay(ctx context.Context, key modelwatch.ModelKey, day time.Time, fn func(p *modelwatch.Prediction) error) (store.DaySnapshot, error) {
	var snap store.DaySnapshot
	mv, ok, err := db.readMV(ctx, db.pool, key)
	if err != nil || !ok {
		return snap, err
	}
	from := dayOf(day).start()
	to := from.Add(24 * time.Hour)
	err = db.readTx(ctx, "export predictions", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(max(label_rev), 0),
				(SELECT coalesce(max(part), 0) + 1 FROM archived_parts WHERE mv_id = $1 AND day = $2::date)
			FROM predictions WHERE mv_id = $1 AND ts >= $2 AND ts < $3`, mv, from, to).Scan(&snap.Rows, &snap.Rev, &snap.Part); err != nil {
			return unavailable("export predictions", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+predictionColumnsSQL+`
			FROM predictions p JOIN model_versions m ON m.id = p.mv_id
			WHERE p.mv_id = $1 AND p.ts >= $2 AND p.ts < $3 ORDER BY p.ts, p.id`, mv, from, to)
		if err != nil {
			return unavailable("export predictions", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPrediction(rows)
			if err != nil {
				return err
			}
			if err := fn(&p); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return unavailable("export predictions", err)
		}
		return nil
	})
	return snap, err
}

// DeleteArchived implements store.Store. The ids go first, as with every
// writer that takes both (a label claims the id, then updates the
// prediction), and the deleted predictions' count and highest label
// revision are compared with the snapshot's: a label changed since the
// export always carries a higher revision. The day's partition is dropped
// afterwards when nothing else is left in it.
func (db *DB) DeleteArchived(ctx context.Context, part store.ArchivedPart, snap store.DaySnapshot) error {
	mv, ok, err := db.readMV(ctx, db.pool, part.Model)
	if err != nil {
		return err
	}
	if !ok {
		return modelwatch.Errorf(modelwatch.ENotFound, "model %s version %s does not exist", part.Model.Name, part.Model.Version)
	}
	d := dayOf(part.Day)
	from, to := d.start(), (d + 1).start()
	err = db.inTx(ctx, "delete archived predictions", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM prediction_ids i USING predictions p
			WHERE p.mv_id = $1 AND p.ts >= $2 AND p.ts < $3 AND i.id = p.id`, mv, from, to)
		if err != nil {
			return unavailable("delete archived prediction ids", err)
		}
		var n, rev int64
		if err := tx.QueryRow(ctx, `WITH d AS (DELETE FROM predictions WHERE mv_id = $1 AND ts >= $2 AND ts < $3 RETURNING label_rev)
			SELECT count(*), coalesce(max(label_rev), 0) FROM d`, mv, from, to).Scan(&n, &rev); err != nil {
			return unavailable("delete archived predictions", err)
		}
		if n != snap.Rows || rev != snap.Rev || tag.RowsAffected() != n {
			return modelwatch.Errorf(modelwatch.EConflict,
				"the predictions of %s on %s changed since they were exported (%d rows, label revision %d; exported %d, %d)",
				part.Model, from.Format(time.DateOnly), n, rev, snap.Rows, snap.Rev)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO archived_parts (mv_id, day, part, object, rows, checksum, archived_at)
			VALUES ($1, $2::date, $3, $4, $5, $6, $7)`, mv, from, part.Part, part.Object, part.Rows, part.Checksum, db.now()); err != nil {
			return unavailable("record archived part", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if dropped, err := db.parts.dropIfEmpty(ctx, d); err != nil {
		db.log.Warn("drop emptied partition", "partition", d.table(), "err", err)
	} else if dropped {
		db.log.Info("partition dropped", "partition", d.table())
	}
	return nil
}

// DeletePendingLabels implements store.Store. A pending label whose
// prediction is being stored at the same moment is not deleted: the
// prediction's claim of the id is waited for, and the row then no longer
// matches.
func (db *DB) DeletePendingLabels(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM prediction_ids WHERE ts IS NULL AND pending_at < $1`, before)
	if err != nil {
		return 0, unavailable("delete old pending labels", err)
	}
	return tag.RowsAffected(), nil
}

// LastRun implements store.Store.
func (db *DB) LastRun(ctx context.Context, name string) (time.Time, error) {
	var t time.Time
	err := db.pool.QueryRow(ctx, `SELECT scheduled_for FROM job_runs WHERE name = $1`, name).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, unavailable("read last run of "+name, err)
	}
	return utc(t), nil
}

// RecordRun implements store.Store.
func (db *DB) RecordRun(ctx context.Context, name string, scheduledFor time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO job_runs (name, scheduled_for, finished_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET scheduled_for = excluded.scheduled_for, finished_at = excluded.finished_at`,
		name, scheduledFor, db.now())
	if err != nil {
		return unavailable("record run of "+name, err)
	}
	return nil
}
