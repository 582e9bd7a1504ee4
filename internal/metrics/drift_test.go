package metrics_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/metrics"
)

func newDrift(t *testing.T) (*metrics.DriftMetrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	d, err := metrics.NewDriftMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return d, reg
}

// report returns a data-drift report with one scored column per name, of
// score 0.01 × its position, and one column without a score.
func report(names ...string) drift.Report {
	r := drift.Report{DriftShare: 0.5}
	for i, n := range names {
		score := float64(i+1) / 100
		r.Columns = append(r.Columns, drift.ColumnResult{ColumnName: n, StatTest: "ks", DriftScore: &score})
	}
	r.Columns = append(r.Columns, drift.ColumnResult{ColumnName: "unscored", StatTest: "ks", Reason: "empty column"})
	return r
}

func TestDriftCheckDuration(t *testing.T) {
	d, reg := newDrift(t)
	d.DriftCheckDuration("data", 200*time.Millisecond)
	d.DriftCheckDuration("data", 3*time.Second)
	d.DriftCheckDuration("concept", 5*time.Millisecond)
	want := `
# HELP model_drift_check_duration_seconds Time taken by drift checks, by kind.
# TYPE model_drift_check_duration_seconds histogram
model_drift_check_duration_seconds_bucket{kind="concept",le="0.01"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="0.05"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="0.1"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="0.5"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="1"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="2.5"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="5"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="10"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="30"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="60"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="300"} 1
model_drift_check_duration_seconds_bucket{kind="concept",le="+Inf"} 1
model_drift_check_duration_seconds_sum{kind="concept"} 0.005
model_drift_check_duration_seconds_count{kind="concept"} 1
model_drift_check_duration_seconds_bucket{kind="data",le="0.01"} 0
model_drift_check_duration_seconds_bucket{kind="data",le="0.05"} 0
model_drift_check_duration_seconds_bucket{kind="data",le="0.1"} 0
model_drift_check_duration_seconds_bucket{kind="data",le="0.5"} 1
model_drift_check_duration_seconds_bucket{kind="data",le="1"} 1
model_drift_check_duration_seconds_bucket{kind="data",le="2.5"} 1
model_drift_check_duration_seconds_bucket{kind="data",le="5"} 2
model_drift_check_duration_seconds_bucket{kind="data",le="10"} 2
model_drift_check_duration_seconds_bucket{kind="data",le="30"} 2
model_drift_check_duration_seconds_bucket{kind="data",le="60"} 2
model_drift_check_duration_seconds_bucket{kind="data",le="300"} 2
model_drift_check_duration_seconds_bucket{kind="data",le="+Inf"} 2
model_drift_check_duration_seconds_sum{kind="data"} 3.2
model_drift_check_duration_seconds_count{kind="data"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "model_drift_check_duration_seconds"); err != nil {
		t.Error(err)
	}
	lint(t, reg)
}

func TestConceptWarningsAndEvents(t *testing.T) {
	d, reg := newDrift(t)
	k := modelwatch.ModelKey{Name: "churn", Version: "3"}
	d.DetectorsConfigured(k, []string{"adwin", "ddm"})
	d.ConceptWarning(k, "ddm")
	d.ConceptWarning(k, "ddm")
	d.ConceptWarning(k, "eddm")
	d.ConceptEvent(k, "ddm")
	want := `
# HELP model_concept_drift_events_total Drifts flagged by the streaming concept-drift detectors on the stream of prediction errors, by detector.
# TYPE model_concept_drift_events_total counter
model_concept_drift_events_total{detector="adwin",model_name="churn",model_version="3"} 0
model_concept_drift_events_total{detector="ddm",model_name="churn",model_version="3"} 1
# HELP model_concept_drift_warnings_total Early warnings of the streaming concept-drift detectors: entries into a warning zone, and detections of detectors configured for warnings only, by detector.
# TYPE model_concept_drift_warnings_total counter
model_concept_drift_warnings_total{detector="ddm",model_name="churn",model_version="3"} 2
model_concept_drift_warnings_total{detector="eddm",model_name="churn",model_version="3"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "model_concept_drift_warnings_total", "model_concept_drift_events_total"); err != nil {
		t.Error(err)
	}
	lint(t, reg)
}

// TestFeatureDriftScoreCap checks that at most 200 features of a model
// version are exported, the first in column order, and that columns
// without a score are left out.
func TestFeatureDriftScoreCap(t *testing.T) {
	d, reg := newDrift(t)
	var names []string
	for i := range 250 {
		names = append(names, fmt.Sprintf("f%03d", i))
	}
	k := modelwatch.ModelKey{Name: "churn", Version: "3"}
	d.DataDrift(k, report(names...))
	d.DataDrift(modelwatch.ModelKey{Name: "churn", Version: "4"}, report("a"))
	got := series(t, reg, "model_feature_drift_score")
	var v3 []string
	for _, s := range got {
		if strings.HasPrefix(s, "f") && strings.HasSuffix(s, ",churn,3,ks") {
			v3 = append(v3, strings.TrimSuffix(s, ",churn,3,ks"))
		}
	}
	if len(v3) != metrics.DefaultMaxFeatures || v3[0] != "f000" || v3[len(v3)-1] != "f199" {
		t.Errorf("%d features of churn/3 exported (%v … %v), want the first %d", len(v3), v3[:1], v3[len(v3)-1:], metrics.DefaultMaxFeatures)
	}
	if len(got) != metrics.DefaultMaxFeatures+1 || !slices.Contains(got, "a,churn,4,ks") {
		t.Errorf("%d series, want %d and churn/4's feature a", len(got), metrics.DefaultMaxFeatures+1)
	}
	lint(t, reg)
}

// TestFeatureDriftScoreStale checks that a later check replaces a model
// version's feature scores: the features it no longer has are removed,
// other model versions keep theirs.
func TestFeatureDriftScoreStale(t *testing.T) {
	d, reg := newDrift(t)
	k := modelwatch.ModelKey{Name: "churn", Version: "3"}
	other := modelwatch.ModelKey{Name: "churn", Version: "30"}
	d.DataDrift(k, report("age", "plan", "region"))
	d.DataDrift(other, report("age"))
	d.DataDrift(k, report("region", "tenure"))
	want := `
# HELP model_feature_drift_score Drift score of each feature in the latest data-drift check: a p-value (drift when small) or a distance (drift when large), depending on stattest.
# TYPE model_feature_drift_score gauge
model_feature_drift_score{feature="age",model_name="churn",model_version="30",stattest="ks"} 0.01
model_feature_drift_score{feature="region",model_name="churn",model_version="3",stattest="ks"} 0.01
model_feature_drift_score{feature="tenure",model_name="churn",model_version="3",stattest="ks"} 0.02
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "model_feature_drift_score"); err != nil {
		t.Error(err)
	}
	lint(t, reg)
}

// TestDriftModelVersionCap checks that the drift gauges exist for at most
// DefaultMaxModelVersions model versions, the first seen.
func TestDriftModelVersionCap(t *testing.T) {
	d, reg := newDrift(t)
	for i := range metrics.DefaultMaxModelVersions + 5 {
		k := modelwatch.ModelKey{Name: "m", Version: fmt.Sprint(i)}
		d.ConceptDrift(k, false, 1)
		d.DriftCheckRun(k, "concept", time.Unix(1, 0))
	}
	past := modelwatch.ModelKey{Name: "m", Version: "new"}
	d.ConceptWarning(past, "ddm")
	chunk := estimate.ChunkResult{Metrics: []estimate.MetricResult{{Name: "accuracy", Value: 0.8, Realized: 0.7, HasRealized: true}}}
	d.Estimated(past, chunk)
	d.EstimationError(past, chunk)
	for _, name := range []string{"model_estimated_accuracy", "model_estimation_error"} {
		if n := len(series(t, reg, name)); n != 0 {
			t.Errorf("a version past the cap has %d series of %s", n, name)
		}
	}
	if n := len(series(t, reg, "model_concept_drift_detected")); n != metrics.DefaultMaxModelVersions {
		t.Errorf("%d series of model_concept_drift_detected, want %d", n, metrics.DefaultMaxModelVersions)
	}
	if n := len(series(t, reg, "model_concept_drift_warnings_total")); n != 0 {
		t.Errorf("a version past the cap has %d warning series", n)
	}
	d.ConceptWarning(modelwatch.ModelKey{Name: "m", Version: "0"}, "ddm")
	if n := len(series(t, reg, "model_concept_drift_warnings_total")); n != 1 {
		t.Errorf("an admitted version has %d warning series, want 1", n)
	}
	d.Estimated(modelwatch.ModelKey{Name: "m", Version: "0"}, chunk)
	if n := len(series(t, reg, "model_estimated_accuracy")); n != 1 {
		t.Errorf("an admitted version has %d estimate series, want 1", n)
	}
}
