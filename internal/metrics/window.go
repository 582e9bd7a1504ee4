package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/window"
)

// WindowStat is the current sliding-window state of one model version.
type WindowStat struct {
	Key     modelwatch.ModelKey
	Metrics window.Metrics
}

// WindowSource gives the current sliding-window metrics of every model
// version; the collector calls it at each scrape.
type WindowSource interface {
	WindowStats() []WindowStat
}

// WindowSizer is implemented by a WindowSource that knows its windows'
// size, so that the gauges' help says how many labelled predictions they
// are computed over.
type WindowSizer interface {
	WindowSize() int
}

// WindowCollector exports the sliding-window gauges: model_accuracy,
// model_precision, model_recall and model_f1_score once a model version has
// MinCount labelled predictions in its window, and
// model_window_labelled_predictions always, for at most the first
// DefaultMaxModelVersions model versions it sees.
type WindowCollector struct {
	src      WindowSource
	minCount int
	versions *versionCap

	accuracy, precision, recall, f1, count *prometheus.Desc
}

// NewWindowCollector returns a collector over src that publishes the
// performance gauges once minCount labelled predictions are in a window.
// When src is a WindowSizer, the help of the gauges names its window size.
func NewWindowCollector(src WindowSource, minCount int) *WindowCollector {
	mv := []string{"model_name", "model_version"}
	window := "the sliding window of the most recent labelled predictions (modelwatch serve --window-size)"
	if sz, ok := src.(WindowSizer); ok {
		window = "the sliding window of the last " + strconv.Itoa(sz.WindowSize()) + " labelled predictions"
	}
	published := " Published once " + strconv.Itoa(minCount) + " labelled predictions are in the window."
	return &WindowCollector{
		src:      src,
		minCount: minCount,
		versions: newVersionCap(DefaultMaxModelVersions, nil),
		accuracy: prometheus.NewDesc("model_accuracy",
			"Model accuracy over "+window+"."+published, mv, nil),
		precision: prometheus.NewDesc("model_precision",
			"Model precision over "+window+": support-weighted mean of per-class precision (scikit-learn average='weighted', zero_division=0)."+published, mv, nil),
		recall: prometheus.NewDesc("model_recall",
			"Model recall over "+window+": support-weighted mean of per-class recall (scikit-learn average='weighted', zero_division=0)."+published, mv, nil),
		f1: prometheus.NewDesc("model_f1_score",
			"Model F1 score over "+window+": support-weighted mean of per-class F1 (scikit-learn average='weighted', zero_division=0)."+published, mv, nil),
		count: prometheus.NewDesc("model_window_labelled_predictions",
			"Labelled predictions in "+window+"; the performance gauges are published once it reaches "+strconv.Itoa(minCount)+".", mv, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *WindowCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.accuracy, c.precision, c.recall, c.f1, c.count} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *WindowCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.src.WindowStats() {
		if !c.versions.admit(s.Key) {
			continue
		}
		name, version := s.Key.Name, s.Key.Version
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(s.Metrics.Count), name, version)
		if s.Metrics.Count < c.minCount {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.accuracy, prometheus.GaugeValue, s.Metrics.Accuracy, name, version)
		ch <- prometheus.MustNewConstMetric(c.precision, prometheus.GaugeValue, s.Metrics.Precision, name, version)
		ch <- prometheus.MustNewConstMetric(c.recall, prometheus.GaugeValue, s.Metrics.Recall, name, version)
		ch <- prometheus.MustNewConstMetric(c.f1, prometheus.GaugeValue, s.Metrics.F1, name, version)
	}
}
