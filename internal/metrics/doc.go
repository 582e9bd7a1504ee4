// Package metrics defines every Prometheus collector modelwatch exposes, with
// the specification's metric names, labels and histogram buckets.
//
// Collectors are registered on an injected prometheus.Registerer; nothing is
// registered globally. Label values that come from users are capped so that
// one misbehaving client cannot explode the number of series: predicted
// classes and error types per model version (Options.MaxLabelValues, default
// 100), and model versions themselves (Options.MaxModelVersions, default
// 1000). Past a cap, counters and histograms record under the label value
// __other__, counted in modelwatch_metric_series_overflow_total; gauges of
// model versions past the cap are not exported, since one version's value
// cannot stand for another's. Only the series are capped: the data are
// stored as usual.
package metrics
