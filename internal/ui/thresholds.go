package ui

// Thresholds of the shipped Prometheus alert rules
// (deploy/prometheus/alerts/ml_model_alerts.yml). The UI draws them on the
// charts and colours the overview with them, so a page shows what would
// page someone; TestThresholdsMatchRules keeps them in step with the file.
const (
	ruleAccuracyCritical = 0.80 // ModelAccuracyDrop: model_accuracy < 0.80
	ruleAccuracyWarning  = 0.85 // ModelAccuracyWarning: model_accuracy < 0.85
	// ModelPrecisionLow, ModelRecallLow, ModelF1ScoreLow: < 0.75.
	ruleQualityLow = 0.75
	// HighInferenceLatencyP50, P95, P99: inference latency quantiles above
	// 0.2 s, 1 s and 5 s.
	ruleInferenceP50Ms = 200
	ruleInferenceP95Ms = 1000
	ruleInferenceP99Ms = 5000
	// HighDriftedColumnsRatio: model_drifted_columns_ratio > 0.20.
	ruleDriftedShare = 0.20
)
