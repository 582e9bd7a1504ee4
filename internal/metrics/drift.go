package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
)

// DefaultMaxFeatures caps the features of a model version exported in
// model_feature_drift_score.
const DefaultMaxFeatures = 200

// DriftMetrics are the gauges and counters of the drift checks and the
// streaming detectors.
type DriftMetrics struct {
	dataDrift     *prometheus.GaugeVec
	driftedRatio  *prometheus.GaugeVec
	featureScore  *prometheus.GaugeVec
	conceptDrift  *prometheus.GaugeVec
	accuracyDrop  *prometheus.GaugeVec
	lastRun       *prometheus.GaugeVec
	duration      *prometheus.HistogramVec
	conceptEvents *prometheus.CounterVec
	warnings      *prometheus.CounterVec
	*EstimateMetrics
	maxFeatures int
	versions    *versionCap
}

// NewDriftMetrics creates the drift collectors and registers them on reg.
func NewDriftMetrics(reg prometheus.Registerer) (*DriftMetrics, error) {
	mv := []string{"model_name", "model_version"}
	d := &DriftMetrics{
		dataDrift: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_data_drift_detected",
			Help: "Whether the latest data-drift check found dataset drift (0 or 1).",
		}, mv),
		driftedRatio: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_drifted_columns_ratio",
			Help: "Share of drifted columns in the latest data-drift check (0.0 to 1.0).",
		}, mv),
		featureScore: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_feature_drift_score",
			Help: "Drift score of each feature in the latest data-drift check: a p-value (drift when small) or a distance (drift when large), depending on stattest.",
		}, []string{"model_name", "model_version", "feature", "stattest"}),
		conceptDrift: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_concept_drift_detected",
			Help: "Whether the latest concept-drift check found accuracy below baseline minus the tolerance (absolute, default 0.05) (0 or 1).",
		}, mv),
		accuracyDrop: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_accuracy_drop_percent",
			Help: "Accuracy drop relative to the baseline in percent (0-100): (baseline - current) / baseline * 100, from the latest concept-drift check. Drift itself is decided on the absolute drop.",
		}, mv),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_drift_check_last_run_timestamp_seconds",
			Help: "Unix time at which the latest drift check of each kind (data or concept) finished, whatever its outcome.",
		}, []string{"model_name", "model_version", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "model_drift_check_duration_seconds",
			Help:    "Time taken by drift checks, by kind.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
		conceptEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "model_concept_drift_events_total",
			Help: "Drifts flagged by the streaming concept-drift detectors on the stream of prediction errors, by detector.",
		}, []string{"model_name", "model_version", "detector"}),
		warnings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "model_concept_drift_warnings_total",
			Help: "Early warnings of the streaming concept-drift detectors: entries into a warning zone, and detections of detectors configured for warnings only, by detector.",
		}, []string{"model_name", "model_version", "detector"}),
		maxFeatures: DefaultMaxFeatures,
		versions:    newVersionCap(DefaultMaxModelVersions, nil),
	}
	for _, c := range []prometheus.Collector{d.dataDrift, d.driftedRatio, d.featureScore, d.conceptDrift, d.accuracyDrop, d.lastRun, d.duration, d.conceptEvents, d.warnings} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	var err error
	if d.EstimateMetrics, err = NewEstimateMetrics(reg); err != nil {
		return nil, err
	}
	return d, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// DataDrift publishes a successful data-drift check. Like every method
// with a model version, it publishes nothing for versions past the first
// DefaultMaxModelVersions: a gauge of one version cannot be merged with
// another's.
func (d *DriftMetrics) DataDrift(k modelwatch.ModelKey, r drift.Report) {
	if !d.versions.admit(k) {
		return
	}
	d.dataDrift.WithLabelValues(k.Name, k.Version).Set(b2f(r.DatasetDrift))
	d.driftedRatio.WithLabelValues(k.Name, k.Version).Set(r.ShareOfDriftedColumns)
	d.featureScore.DeletePartialMatch(prometheus.Labels{"model_name": k.Name, "model_version": k.Version})
	n := 0
	for _, c := range r.Columns {
		score, ok := c.Score()
		if !ok {
			continue
		}
		if n++; n > d.maxFeatures {
			break
		}
		d.featureScore.WithLabelValues(k.Name, k.Version, c.ColumnName, c.StatTest).Set(score)
	}
}

// ConceptDrift publishes a successful concept-drift check.
func (d *DriftMetrics) ConceptDrift(k modelwatch.ModelKey, detected bool, dropPercent float64) {
	if !d.versions.admit(k) {
		return
	}
	d.conceptDrift.WithLabelValues(k.Name, k.Version).Set(b2f(detected))
	d.accuracyDrop.WithLabelValues(k.Name, k.Version).Set(dropPercent)
}

// DriftCheckRun records when a check of a kind last finished.
func (d *DriftMetrics) DriftCheckRun(k modelwatch.ModelKey, kind string, finished time.Time) {
	if !d.versions.admit(k) {
		return
	}
	d.lastRun.WithLabelValues(k.Name, k.Version, kind).Set(float64(finished.UnixNano()) / 1e9)
}

// DriftCheckDuration records how long a check took.
func (d *DriftMetrics) DriftCheckDuration(kind string, took time.Duration) {
	d.duration.WithLabelValues(kind).Observe(took.Seconds())
}

// DetectorsConfigured makes the event counters of a model version's
// detectors exist at 0, so that the first detection is an increase.
func (d *DriftMetrics) DetectorsConfigured(k modelwatch.ModelKey, detectors []string) {
	if !d.versions.admit(k) {
		return
	}
	for _, name := range detectors {
		d.conceptEvents.WithLabelValues(k.Name, k.Version, name).Add(0)
	}
}

// ConceptEvent counts a drift flagged by a streaming detector.
func (d *DriftMetrics) ConceptEvent(k modelwatch.ModelKey, detector string) {
	if !d.versions.admit(k) {
		return
	}
	d.conceptEvents.WithLabelValues(k.Name, k.Version, detector).Inc()
}

// ConceptWarning counts an early warning of a streaming detector.
func (d *DriftMetrics) ConceptWarning(k modelwatch.ModelKey, detector string) {
	if !d.versions.admit(k) {
		return
	}
	d.warnings.WithLabelValues(k.Name, k.Version, detector).Inc()
}

// Estimated publishes the performance estimates of a chunk (see
// EstimateMetrics.Estimated) for the admitted model versions.
func (d *DriftMetrics) Estimated(k modelwatch.ModelKey, res estimate.ChunkResult) {
	if !d.versions.admit(k) {
		return
	}
	d.EstimateMetrics.Estimated(k, res)
}

// EstimationError publishes the estimation error of a chunk (see
// EstimateMetrics.EstimationError) for the admitted model versions.
func (d *DriftMetrics) EstimationError(k modelwatch.ModelKey, res estimate.ChunkResult) {
	if !d.versions.admit(k) {
		return
	}
	d.EstimateMetrics.EstimationError(k, res)
}
