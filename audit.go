package modelwatch

import (
	"encoding/json"
	"time"
)

// AuditEntry records one administrative change: who made it (the token's
// name), when, what kind of change, to which model version, and its details.
type AuditEntry struct {
	ID      int64           `json:"id"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"` // e.g. "settings.update", "reference.upload", "drift_run.create"
	Model   ModelKey        `json:"model"`
	Details json.RawMessage `json:"details,omitempty"`
}
