package modelwatch

import (
	"encoding/json"
	"time"
)

// Estimate is a label-free performance estimate (CBPE) of a chunk of a
// model version's predictions.
type Estimate struct {
	ID       int64     `json:"id"`
	Model    ModelKey  `json:"model"`
	At       time.Time `json:"at"`   // when it was computed
	From     time.Time `json:"from"` // timestamp of the chunk's first prediction
	To       time.Time `json:"to"`   // timestamp of the chunk's last prediction
	Rows     int       `json:"rows"`
	Labelled int       `json:"labelled"`
	// Result is the chunk's estimates: NannyML's columns per metric
	// (value, sampling_error, realized, confidence boundaries, thresholds,
	// alert).
	Result json.RawMessage `json:"result"`
}
