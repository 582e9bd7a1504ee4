// Package window keeps classification metrics over a sliding window of the
// most recent labelled predictions of a model version.
//
// A Window holds the last Size labelled predictions in label-arrival order
// (the order in which each prediction first received its ground truth) and
// maintains per-class counts incrementally, so adding a label costs O(1) and
// reading the metrics costs O(classes in the window), never O(window).
// Metrics match scikit-learn's accuracy_score and precision_score,
// recall_score and f1_score with average='weighted' and zero_division=0.
//
// The package is pure: no I/O, no clocks, no Prometheus. The monitor feeds it
// label events read from the store and the metrics package reads it at scrape
// time.
package window
