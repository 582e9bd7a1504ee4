package modelwatch

import (
	"encoding/json"
	"time"
)

// Kinds of drift check.
const (
	KindData    = "data"    // input features against the reference dataset
	KindConcept = "concept" // accuracy against the baseline
)

// Outcomes of a drift run.
const (
	RunOK            = "ok"              // the check ran; see DriftDetected
	RunNotEnoughData = "not_enough_data" // fewer rows than the check's minimum
	RunNoReference   = "no_reference"    // a data-drift check without a reference dataset
	RunNoBaseline    = "no_baseline"     // a concept-drift check before a baseline can be measured
	RunFailed        = "error"           // the check failed; see Message
)

// DriftRun is one data-drift or concept-drift check of a model version.
type DriftRun struct {
	ID           int64     `json:"id"`
	Model        ModelKey  `json:"model"`
	Kind         string    `json:"kind"`    // KindData or KindConcept
	Trigger      string    `json:"trigger"` // "schedule" or "manual"
	ScheduledFor time.Time `json:"scheduled_for,omitzero"`
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Window       TimeRange `json:"window"`
	Status       string    `json:"status"`
	Message      string    `json:"message,omitempty"`
	Rows         int       `json:"rows"`
	// DriftDetected is the verdict: the dataset drifted (data) or accuracy
	// fell below the baseline by more than the tolerance (concept).
	DriftDetected bool `json:"drift_detected"`
	// Data drift: the share and number of drifted columns.
	DriftedColumns      int      `json:"drifted_columns,omitempty"`
	DriftedColumnsShare *float64 `json:"drifted_columns_share,omitempty"`
	// Concept drift: the accuracy and its drop against the baseline.
	Accuracy            *float64 `json:"accuracy,omitempty"`
	BaselineAccuracy    *float64 `json:"baseline_accuracy,omitempty"`
	AccuracyDropPercent *float64 `json:"accuracy_drop_percent,omitempty"`
	// Result is the full result: the drift report's JSON for data drift,
	// the baseline check for concept drift.
	Result    json.RawMessage `json:"result,omitempty"`
	HasReport bool            `json:"has_report"`
}

// ConceptEvent is a detection by a streaming concept-drift detector.
type ConceptEvent struct {
	ID       int64     `json:"id"`
	Model    ModelKey  `json:"model"`
	Detector string    `json:"detector"`
	Kind     string    `json:"kind"` // "drift" or "warning"
	At       time.Time `json:"at"`
	// Seq is the label sequence number of the labelled prediction whose
	// error triggered the detection.
	Seq int64 `json:"seq"`
}

// Reference is a model version's reference dataset for data-drift checks,
// as uploaded.
type Reference struct {
	Model      ModelKey  `json:"model"`
	Format     string    `json:"format"` // "csv", "ndjson" or "parquet"
	Filename   string    `json:"filename,omitempty"`
	UploadedAt time.Time `json:"uploaded_at"`
	Rows       int       `json:"rows"`
	Columns    []string  `json:"columns"`
	Size       int64     `json:"size"`
	Data       []byte    `json:"-"`
}
