package estimate

import (
	"errors"
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Estimate estimates every metric on d taken as one chunk (key
// "[0:n-1]", period "analysis"); d must have at least one row. Labels are
// optional; where rows have one, the result also holds the realised
// metrics. It costs a few passes over the rows plus a sort per score column
// for roc_auc and average_precision.
func (e *Estimator) Estimate(d Data) (ChunkResult, error) {
	if err := d.check(len(e.calibrators), e.classCount(), e.needsPred(), false); err != nil {
		return ChunkResult{}, fmt.Errorf("estimate: %w", err)
	}
	n := d.Len()
	if n == 0 {
		return ChunkResult{}, errors.New("estimate: no rows")
	}
	c := Chunk{Key: fmt.Sprintf("[0:%d]", n-1), Start: 0, End: n - 1}
	if d.Time != nil {
		d = byTime(d)
		c.StartTime, c.EndTime = d.Time[0], d.Time[n-1]
	}
	return e.estimateChunks(d, []Chunk{c}, "analysis")[0], nil
}

// Run orders d by time (when it has timestamps), splits it with the
// estimator's chunker and estimates every chunk (period "analysis"), as
// NannyML's CBPE.estimate does.
func (e *Estimator) Run(d Data) ([]ChunkResult, error) {
	if err := d.check(len(e.calibrators), e.classCount(), e.needsPred(), false); err != nil {
		return nil, fmt.Errorf("estimate: %w", err)
	}
	d = byTime(d)
	chunks, err := e.chunker.Chunks(d.Len(), d.Time)
	if err != nil {
		return nil, fmt.Errorf("estimate: chunk data: %w", err)
	}
	return e.estimateChunks(d, chunks, "analysis"), nil
}

// estimateChunks calibrates d and computes the results of each chunk.
func (e *Estimator) estimateChunks(d Data, chunks []Chunk, period string) []ChunkResult {
	cal := e.calibrate(d.Scores)
	out := make([]ChunkResult, len(chunks))
	est := make([]float64, len(e.comps))
	realized := make([]float64, len(e.comps))
	for ci, c := range chunks {
		var v view
		if c.End >= c.Start {
			s := d.slice(c.Start, c.End+1)
			v = view{raw: s.Scores, pred: s.Pred, label: s.Label, cal: make([][]float64, len(cal))}
			for k := range cal {
				v.cal[k] = cal[k][c.Start : c.End+1]
			}
		} else {
			v = view{raw: make([][]float64, len(cal)), cal: make([][]float64, len(cal))}
		}
		e.estimateAll(v, est)
		labelled := 0
		if v.label != nil {
			labelled = e.realizedAll(v, realized)
		}
		r := ChunkResult{Chunk: c, Period: period, Labelled: labelled, Metrics: make([]MetricResult, len(e.comps))}
		for i, comp := range e.comps {
			r.Metrics[i] = comp.result(est[i], realized[i], labelled > 0, v.len())
		}
		out[ci] = r
	}
	return out
}

// result assembles NannyML's chunk record for one component.
func (c component) result(value, realized float64, hasRealized bool, n int) MetricResult {
	se := c.se.at(n)
	r := MetricResult{
		Name:                    c.name,
		Value:                   value,
		SamplingError:           se,
		HasRealized:             hasRealized,
		Realized:                math.NaN(),
		UpperConfidenceBoundary: math.Min(c.upperLimit, value+samplingErrorRange*se),
		LowerConfidenceBoundary: math.Max(c.lowerLimit, value-samplingErrorRange*se),
		UpperThreshold:          c.upper,
		LowerThreshold:          c.lower,
		Alert:                   value < c.lower || value > c.upper,
	}
	if hasRealized {
		r.Realized = realized
	}
	return r
}

// samplingErrorRange is NannyML's SAMPLING_ERROR_RANGE: confidence
// boundaries lie this many sampling errors from the estimate.
const samplingErrorRange = 3

// calibrate returns the calibrated scores: each column through its
// calibrator (or copied), then, for a multiclass model, each row divided
// by its sum (1/C everywhere when the sum is 0), as NannyML's
// _calibrate_predicted_probabilities does even when no column is
// calibrated.
func (e *Estimator) calibrate(scores [][]float64) [][]float64 {
	cal := make([][]float64, len(scores))
	for k, col := range scores {
		if e.calibrators[k] != nil {
			cal[k] = e.calibrators[k].Transform(nil, col)
		} else {
			cal[k] = append([]float64(nil), col...)
		}
	}
	if !e.multiclass {
		return cal
	}
	c := len(cal)
	row := make([]float64, c)
	for i := range cal[0] {
		for k := range cal {
			row[k] = cal[k][i]
		}
		s := numpy.Sum(row)
		for k := range cal {
			if s != 0 {
				cal[k][i] /= s
			} else {
				cal[k][i] = 1 / float64(c)
			}
		}
	}
	return cal
}
