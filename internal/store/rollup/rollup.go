package rollup

import (
	"time"

	"github.com/modelwatch/modelwatch"
)

// Resolutions of the rollups, in seconds: a minute, an hour and a day.
const (
	Minute int64 = 60
	Hour   int64 = 3600
	Day    int64 = 86400
)

// Resolutions lists every resolution, finest first.
var Resolutions = [3]int64{Minute, Hour, Day}

// Stages of a prediction's latency, in the order of Agg.Stages.
var Stages = [3]string{"preprocessing", "inference", "postprocessing"}

// Key identifies one rollup row. Model is the store's own id for a model
// version.
type Key struct {
	Model  int64
	Res    int64 // resolution in seconds
	Bucket int64 // start of the bucket, Unix seconds, a multiple of Res
}

// Pair is a (ground truth, predicted class) pair of a confusion matrix.
type Pair struct{ Truth, Pred string }

// Agg is the summary of the predictions of one bucket.
type Agg struct {
	N        int64     // predictions
	ConfN    int64     // predictions with a confidence
	ConfSum  float64   // sum of confidences
	LatSum   float64   // sum of total latencies, ms
	Latency  Sketch    // total latency, ms
	Stages   [3]Sketch // preprocessing, inference, postprocessing latency, ms
	Labelled int64     // predictions with ground truth
	Correct  int64     // predictions equal to their ground truth
	Classes  map[string]int64
	// Confusion counts labelled predictions by (ground truth, prediction);
	// entries may be negative in a Batch (a corrected label moves a count).
	Confusion map[Pair]int64
}

// BucketStart returns the start of the bucket of resolution res that holds t.
func BucketStart(t time.Time, res int64) int64 {
	s := t.Unix()
	b := s - s%res
	if s%res < 0 {
		b -= res
	}
	return b
}

// AddPrediction adds one prediction to a.
func (a *Agg) AddPrediction(p *modelwatch.Prediction) {
	l := binPrediction(p)
	a.addPrediction(p, &l)
}

// latencies are a prediction's total and stage latencies, ready for the
// sketches; a missing one has ok false.
type latencies struct {
	total  binned
	stages [3]binned
	ok     [4]bool
}

func binPrediction(p *modelwatch.Prediction) latencies {
	var l latencies
	if ms, ok := p.Total(); ok {
		l.total, l.ok[0] = binOf(ms), true
	}
	for i, v := range [3]*float64{p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs} {
		if v != nil {
			l.stages[i], l.ok[i+1] = binOf(*v), true
		}
	}
	return l
}

func (a *Agg) addPrediction(p *modelwatch.Prediction, l *latencies) {
	a.N++
	if c, ok := p.EffectiveConfidence(); ok {
		a.ConfN++
		a.ConfSum += c
	}
	if l.ok[0] {
		a.LatSum += l.total.v
		a.Latency.addBinned(l.total)
	}
	for i := range a.Stages {
		if l.ok[i+1] {
			a.Stages[i].addBinned(l.stages[i])
		}
	}
	if p.GroundTruth != "" {
		a.addLabel(string(p.GroundTruth), string(p.Prediction), 1)
	}
	if a.Classes == nil {
		a.Classes = make(map[string]int64, 4)
	}
	a.Classes[string(p.Prediction)]++
}

// addLabel counts delta labelled predictions with this truth and prediction.
func (a *Agg) addLabel(truth, pred string, delta int64) {
	a.Labelled += delta
	if truth == pred {
		a.Correct += delta
	}
	if a.Confusion == nil {
		a.Confusion = make(map[Pair]int64, 4)
	}
	a.Confusion[Pair{truth, pred}] += delta
}

// Merge adds b into a.
func (a *Agg) Merge(b *Agg) error {
	a.N += b.N
	a.ConfN += b.ConfN
	a.ConfSum += b.ConfSum
	a.LatSum += b.LatSum
	a.Labelled += b.Labelled
	a.Correct += b.Correct
	for c, n := range b.Classes {
		if a.Classes == nil {
			a.Classes = make(map[string]int64, len(b.Classes))
		}
		a.Classes[c] += n
	}
	for p, n := range b.Confusion {
		if a.Confusion == nil {
			a.Confusion = make(map[Pair]int64, len(b.Confusion))
		}
		a.Confusion[p] += n
	}
	if err := a.Latency.Merge(&b.Latency); err != nil {
		return err
	}
	for i := range a.Stages {
		if err := a.Stages[i].Merge(&b.Stages[i]); err != nil {
			return err
		}
	}
	return nil
}

// Point is the summary of one bucket of a series.
type Point struct {
	Start time.Time
	// Res is the bucket's width in seconds: the series' step, or a coarser
	// resolution for a period whose finer rollups were pruned (see Kept).
	Res int64
	*Agg
}

// Batch accumulates the rollup changes of one write transaction.
type Batch struct {
	Aggs map[Key]*Agg
	// last holds the aggregate each resolution used last: consecutive
	// predictions mostly share their buckets.
	last [len(Resolutions)]struct {
		key Key
		agg *Agg
	}
}

// NewBatch returns an empty Batch.
func NewBatch() *Batch { return &Batch{Aggs: make(map[Key]*Agg)} }

// AddPrediction adds p, stored for model version mv, to the buckets of every
// resolution that hold its timestamp.
func (b *Batch) AddPrediction(mv int64, p *modelwatch.Prediction) {
	l := binPrediction(p)
	for i, res := range Resolutions {
		k := Key{Model: mv, Res: res, Bucket: BucketStart(p.Timestamp, res)}
		last := &b.last[i]
		if last.agg == nil || last.key != k {
			last.key, last.agg = k, b.agg(k)
		}
		last.agg.addPrediction(p, &l)
	}
}

// AddLabelled counts a prediction of model version mv made at ts that was
// labelled for the first time.
func (b *Batch) AddLabelled(mv int64, ts time.Time, truth, pred string) {
	for _, res := range Resolutions {
		b.agg(Key{Model: mv, Res: res, Bucket: BucketStart(ts, res)}).addLabel(truth, pred, 1)
	}
}

// AddCorrection records that the label of a prediction of model version mv
// made at ts changed from oldTruth to newTruth.
func (b *Batch) AddCorrection(mv int64, ts time.Time, oldTruth, newTruth, pred string) {
	for _, res := range Resolutions {
		a := b.agg(Key{Model: mv, Res: res, Bucket: BucketStart(ts, res)})
		a.addLabel(oldTruth, pred, -1)
		a.addLabel(newTruth, pred, 1)
	}
}

func (b *Batch) agg(k Key) *Agg {
	a := b.Aggs[k]
	if a == nil {
		a = &Agg{}
		b.Aggs[k] = a
	}
	return a
}
