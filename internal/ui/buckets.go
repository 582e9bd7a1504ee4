package ui

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/store/rollup"
	"github.com/modelwatch/modelwatch/internal/window"
)

// quantiles are the latency percentiles drawn, and latencyKinds the
// sketches they are read from: the total, then each stage of
// rollup.Stages.
var (
	quantiles    = [3]float64{0.5, 0.95, 0.99}
	latencyKinds = [4]string{"total", rollup.Stages[0], rollup.Stages[1], rollup.Stages[2]}
)

// bucketStats are the values of one chart point (or of a whole range),
// NaN where the bucket has nothing to compute them from.
type bucketStats struct {
	N, Labelled int64
	Coverage    float64 // labelled / predictions
	Confidence  float64 // mean confidence
	// Quality holds accuracy and support-weighted precision, recall and F1
	// over the bucket's labelled predictions (window.Confusion).
	Accuracy, Precision, Recall, F1 float64
	// Latency[k][q] is percentile quantiles[q] of latencyKinds[k], in ms.
	Latency [4][3]float64
	Classes map[string]int64
}

// statsOf computes a bucket's values; a nil bucket is an empty one.
func statsOf(a *rollup.Agg) (bucketStats, error) {
	nan := math.NaN()
	s := bucketStats{Coverage: nan, Confidence: nan, Accuracy: nan, Precision: nan, Recall: nan, F1: nan}
	for k := range s.Latency {
		s.Latency[k] = [3]float64{nan, nan, nan}
	}
	if a == nil {
		return s, nil
	}
	s.N, s.Labelled, s.Classes = a.N, a.Labelled, a.Classes
	if a.N > 0 {
		s.Coverage = float64(a.Labelled) / float64(a.N)
	}
	if a.ConfN > 0 {
		s.Confidence = a.ConfSum / float64(a.ConfN)
	}
	var conf window.Confusion
	for p, n := range a.Confusion {
		conf.Add(p.Truth, p.Pred, n)
	}
	if conf.Len() > 0 {
		m := conf.Metrics()
		s.Accuracy, s.Precision, s.Recall, s.F1 = m.Accuracy, m.Precision, m.Recall, m.F1
	}
	sketches := [4]*rollup.Sketch{&a.Latency, &a.Stages[0], &a.Stages[1], &a.Stages[2]}
	for k, sk := range sketches {
		for q, qv := range quantiles {
			v, ok, err := sk.Quantile(qv)
			if err != nil {
				return s, err
			}
			if ok {
				s.Latency[k][q] = v
			}
		}
	}
	return s, nil
}

// rangeStats computes the values of every bucket and of all of them
// together.
func rangeStats(buckets []*rollup.Agg) (per []bucketStats, total bucketStats, err error) {
	per = make([]bucketStats, len(buckets))
	all := &rollup.Agg{}
	for i, a := range buckets {
		if per[i], err = statsOf(a); err != nil {
			return nil, total, err
		}
		if a != nil {
			if err := all.Merge(a); err != nil {
				return nil, total, err
			}
		}
	}
	total, err = statsOf(all)
	return per, total, err
}

// column returns one value of every bucket.
func column(per []bucketStats, f func(*bucketStats) float64) []float64 {
	out := make([]float64, len(per))
	for i := range per {
		out[i] = f(&per[i])
	}
	return out
}
