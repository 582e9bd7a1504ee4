// Package metrics defines every Prometheus collector modelwatch exposes, with
// the specification's metric names, labels and histogram buckets.
//
// Collectors are registered on an injected prometheus.Registerer; nothing is
// registered globally. Label values that come from users (predicted classes,
// error types) are capped per model version so that one misbehaving client
// cannot explode the number of series.
package metrics
