package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/modelwatch/modelwatch"
)

// AddAudit implements store.Store.
func (db *DB) AddAudit(ctx context.Context, e modelwatch.AuditEntry) error {
	var details any
	if len(e.Details) > 0 {
		details = string(e.Details)
	}
	return db.writeTx(ctx, "record audit entry", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, model_name, model_version, details) VALUES (?, ?, ?, ?, ?, ?)`,
			micros(e.At), e.Actor, e.Action, e.Model.Name, e.Model.Version, details)
		if err != nil {
			return unavailable("record audit entry", err)
		}
		return nil
	})
}

// AuditLog implements store.Store.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]modelwatch.AuditEntry, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id, at, actor, action, model_name, model_version, details
		FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, unavailable("read audit log", err)
	}
	defer rows.Close()
	var out []modelwatch.AuditEntry
	for rows.Next() {
		var e modelwatch.AuditEntry
		var at int64
		var details sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Model.Name, &e.Model.Version, &details); err != nil {
			return nil, unavailable("read audit log", err)
		}
		e.At = fromMicros(at)
		if details.Valid {
			e.Details = json.RawMessage(details.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("read audit log", err)
	}
	return out, nil
}
