package metrics

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/estimate"
)

// estimatedNames maps NannyML's metric names to the suffix of the exported
// gauges (model_estimated_<suffix>), named like the window gauges.
var estimatedNames = map[string]string{
	"roc_auc": "roc_auc", "f1": "f1_score", "precision": "precision", "recall": "recall",
	"specificity": "specificity", "accuracy": "accuracy", "average_precision": "average_precision",
}

// EstimateMetrics are the gauges of label-free performance estimation.
type EstimateMetrics struct {
	value, lower, upper map[string]*prometheus.GaugeVec
	errors              *prometheus.GaugeVec
}

// NewEstimateMetrics creates the estimation gauges and registers them.
func NewEstimateMetrics(reg prometheus.Registerer) (*EstimateMetrics, error) {
	mv := []string{"model_name", "model_version"}
	e := &EstimateMetrics{value: map[string]*prometheus.GaugeVec{}, lower: map[string]*prometheus.GaugeVec{}, upper: map[string]*prometheus.GaugeVec{}}
	for metric, name := range estimatedNames {
		e.value[metric] = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_estimated_" + name,
			Help: "CBPE estimate of " + metric + " over the latest chunk of predictions, from their probabilities alone (assumes calibrated probabilities and no concept drift).",
		}, mv)
		e.lower[metric] = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_estimated_" + name + "_lower_threshold",
			Help: "Lower alert threshold of the " + metric + " estimate: mean minus 3 standard deviations over the reference chunks.",
		}, mv)
		e.upper[metric] = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "model_estimated_" + name + "_upper_threshold",
			Help: "Upper alert threshold of the " + metric + " estimate: mean plus 3 standard deviations over the reference chunks.",
		}, mv)
		for _, c := range []prometheus.Collector{e.value[metric], e.lower[metric], e.upper[metric]} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	e.errors = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "model_estimation_error",
		Help: "Estimated minus realised metric on the newest recently estimated chunk (the last 20 within 7 days) that is at least half labelled; absent until such a chunk exists.",
	}, []string{"model_name", "model_version", "metric"})
	if err := reg.Register(e.errors); err != nil {
		return nil, err
	}
	return e, nil
}

// Estimated publishes the estimates of the newest chunk. The estimation
// error comes from another chunk, one with labels (EstimationError).
func (e *EstimateMetrics) Estimated(k modelwatch.ModelKey, res estimate.ChunkResult) {
	for _, r := range res.Metrics {
		v, ok := e.value[r.Name]
		if !ok {
			continue // confusion-matrix cells are not exported
		}
		set(v, k, r.Value)
		set(e.lower[r.Name], k, r.LowerThreshold)
		set(e.upper[r.Name], k, r.UpperThreshold)
	}
}

// EstimationError publishes, for each metric of a labelled chunk, its
// estimate minus its realised value, replacing what was published for the
// model version before; a metric without a realised value, or a chunk
// without metrics, removes the gauges.
func (e *EstimateMetrics) EstimationError(k modelwatch.ModelKey, res estimate.ChunkResult) {
	e.errors.DeletePartialMatch(prometheus.Labels{"model_name": k.Name, "model_version": k.Version})
	for _, r := range res.Metrics {
		if _, ok := e.value[r.Name]; !ok {
			continue
		}
		if d, ok := r.EstimationError(); ok && !math.IsNaN(d) && !math.IsInf(d, 0) {
			e.errors.WithLabelValues(k.Name, k.Version, r.Name).Set(d)
		}
	}
}

// set sets a gauge, or removes it when the value is not computable (NaN).
func set(g *prometheus.GaugeVec, k modelwatch.ModelKey, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		g.DeleteLabelValues(k.Name, k.Version)
		return
	}
	g.WithLabelValues(k.Name, k.Version).Set(v)
}
