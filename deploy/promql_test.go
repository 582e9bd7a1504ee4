package deploy

import (
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// modelwatchMetrics is the contract: the metrics modelwatch exposes (see
// docs/observability.md). Histograms are listed by their base name.
var modelwatchMetrics = []string{
	// Sliding window of the last 1000 labelled predictions.
	"model_accuracy", "model_precision", "model_recall", "model_f1_score",
	"model_window_labelled_predictions",
	// Traffic.
	"model_predictions_total", "model_prediction_errors_total",
	"model_ground_truth_received_total",
	// Latency histograms.
	"model_inference_duration_seconds", "model_preprocessing_duration_seconds",
	"model_postprocessing_duration_seconds",
	// Drift.
	"model_data_drift_detected", "model_drifted_columns_ratio",
	"model_concept_drift_detected", "model_accuracy_drop_percent",
	"model_feature_drift_score", "model_concept_drift_events_total",
	"model_drift_check_last_run_timestamp_seconds", "model_drift_check_duration_seconds",
	// Label-free performance estimation (CBPE).
	"model_estimated_accuracy", "model_estimated_accuracy_lower_threshold", "model_estimated_accuracy_upper_threshold",
	"model_estimated_f1_score", "model_estimated_f1_score_lower_threshold", "model_estimated_f1_score_upper_threshold",
	"model_estimated_roc_auc", "model_estimated_roc_auc_lower_threshold", "model_estimated_roc_auc_upper_threshold",
	"model_estimation_error", "model_concept_drift_warnings_total",
	// modelwatch itself.
	"modelwatch_build_info", "modelwatch_http_requests_total", "modelwatch_http_request_duration_seconds",
	"modelwatch_metric_series_overflow_total",
}

var histograms = map[string]bool{
	"model_inference_duration_seconds":      true,
	"model_preprocessing_duration_seconds":  true,
	"model_postprocessing_duration_seconds": true,
	"model_drift_check_duration_seconds":    true,
}

// knownMetrics is every series name a query may select: modelwatch's
// metrics, Prometheus's own up and ALERTS, and the recording rules.
func knownMetrics(records []rule) map[string]bool {
	known := map[string]bool{"up": true, "ALERTS": true}
	for _, m := range modelwatchMetrics {
		known[m] = true
		if histograms[m] {
			known[m+"_bucket"], known[m+"_sum"], known[m+"_count"] = true, true, true
		}
	}
	for _, r := range records {
		known[r.Record] = true
	}
	return known
}

// grafanaVars replaces Grafana's variables in a dashboard query with values
// that keep it valid PromQL.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "1m",
	"$__interval", "1m",
	"$__range", "1h",
	"$model_name", ".*",
	"$model_version", ".*",
)

// parseExpr parses a PromQL expression with the Prometheus parser.
func parseExpr(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(expr)
}

// metricNames returns the metric names an expression selects. A regular
// expression on __name__ must be a plain alternation of names.
func metricNames(t *testing.T, expr string) []string {
	t.Helper()
	e, err := parseExpr(expr)
	if err != nil {
		t.Errorf("parse %q: %v", expr, err)
		return nil
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			names = append(names, vs.Name)
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name != model.MetricNameLabel {
				continue
			}
			if m.Type != labels.MatchRegexp || !regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:|]*$`).MatchString(m.Value) {
				t.Errorf("%q: __name__ matcher %s is not an alternation of metric names", expr, m)
				continue
			}
			names = append(names, strings.Split(m.Value, "|")...)
		}
		return nil
	})
	return names
}
