package modelwatch

import "time"

// ModelKey names one version of one model.
type ModelKey struct {
	Name    string `json:"model_name"`
	Version string `json:"model_version"`
}

// String returns "name:version".
func (k ModelKey) String() string { return k.Name + ":" + k.Version }

// ModelVersion is a version of a model that modelwatch has seen predictions
// for, with its monitoring settings.
type ModelVersion struct {
	ModelKey
	CreatedAt time.Time `json:"created_at"` // when its first prediction arrived
}

// PredictionStats summarises the predictions of a period, with the fields of
// the original specification. Averages and percentiles are nil when nothing in
// the period carries the value.
type PredictionStats struct {
	TotalPredictions       int64            `json:"total_predictions"`
	PredictionsPerDay      float64          `json:"predictions_per_day"`
	AvgConfidence          *float64         `json:"avg_confidence"`
	AvgLatencyMs           *float64         `json:"avg_latency_ms"`
	P95LatencyMs           *float64         `json:"p95_latency_ms"`
	P99LatencyMs           *float64         `json:"p99_latency_ms"`
	GroundTruthCoverage    *float64         `json:"ground_truth_coverage"`
	PredictionDistribution map[string]int64 `json:"prediction_distribution"`
}
