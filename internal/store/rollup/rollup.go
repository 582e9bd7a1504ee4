package rollup

import (
	"fmt"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"

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

// RelativeAccuracy of the latency sketches: a reported percentile is within
// 1 % of a latency that was observed near that rank.
const RelativeAccuracy = 0.01

// maxBins bounds a sketch's size whatever latencies clients send: 2048 bins
// at 1 % accuracy cover 18 orders of magnitude before the lowest bins are
// collapsed.
const maxBins = 2048

// Key identifies one rollup row. Model is the store's own id for a model
// version.
type Key struct {
	Model  int64
	Res    int64 // resolution in seconds
	Bucket int64 // start of the bucket, Unix seconds, a multiple of Res
}

// Agg is the summary of the predictions of one bucket.
type Agg struct {
	N        int64   // predictions
	ConfN    int64   // predictions with a confidence
	ConfSum  float64 // sum of confidences
	LatN     int64   // predictions with a latency
	LatSum   float64 // sum of total latencies, ms
	LatMin   float64 // smallest total latency, ms (valid when LatN > 0)
	LatMax   float64 // largest total latency, ms (valid when LatN > 0)
	Labelled int64   // predictions with ground truth
	Correct  int64   // predictions equal to their ground truth
	Classes  map[string]int64
	sketch   *ddsketch.DDSketch
	encoded  []byte // a stored sketch not yet decoded
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

// NewSketch returns an empty latency sketch.
func NewSketch() *ddsketch.DDSketch {
	m, err := mapping.NewLogarithmicMapping(RelativeAccuracy)
	if err != nil {
		panic(err) // RelativeAccuracy is a valid constant
	}
	return ddsketch.NewDDSketch(m, newStore(), newStore())
}

func newStore() store.Store { return store.NewCollapsingLowestDenseStore(maxBins) }

// AddPrediction adds one prediction to a.
func (a *Agg) AddPrediction(p *modelwatch.Prediction) {
	a.N++
	if c, ok := p.EffectiveConfidence(); ok {
		a.ConfN++
		a.ConfSum += c
	}
	if ms, ok := p.Total(); ok {
		if a.LatN == 0 || ms < a.LatMin {
			a.LatMin = ms
		}
		if a.LatN == 0 || ms > a.LatMax {
			a.LatMax = ms
		}
		a.LatN++
		a.LatSum += ms
		if a.sketch == nil {
			a.sketch = NewSketch()
		}
		_ = a.sketch.Add(ms) // ms is finite and non-negative: Validate checked it
	}
	if p.GroundTruth != "" {
		a.Labelled++
		if p.GroundTruth == p.Prediction {
			a.Correct++
		}
	}
	if a.Classes == nil {
		a.Classes = make(map[string]int64, 4)
	}
	a.Classes[string(p.Prediction)]++
}

// SetEncodedSketch attaches a stored sketch, decoded only when needed.
func (a *Agg) SetEncodedSketch(b []byte) { a.encoded = b }

// Merge adds b into a.
func (a *Agg) Merge(b *Agg) error {
	a.N += b.N
	a.ConfN += b.ConfN
	a.ConfSum += b.ConfSum
	if b.LatN > 0 {
		if a.LatN == 0 || b.LatMin < a.LatMin {
			a.LatMin = b.LatMin
		}
		if a.LatN == 0 || b.LatMax > a.LatMax {
			a.LatMax = b.LatMax
		}
	}
	a.LatN += b.LatN
	a.LatSum += b.LatSum
	a.Labelled += b.Labelled
	a.Correct += b.Correct
	for c, n := range b.Classes {
		if a.Classes == nil {
			a.Classes = make(map[string]int64, len(b.Classes))
		}
		a.Classes[c] += n
	}
	if b.sketch == nil && len(b.encoded) == 0 {
		return nil
	}
	if a.sketch == nil {
		a.sketch = NewSketch()
	}
	if err := a.materialize(); err != nil {
		return err
	}
	if b.sketch != nil {
		return a.sketch.MergeWith(b.sketch)
	}
	if err := a.sketch.DecodeAndMergeWith(b.encoded); err != nil {
		return fmt.Errorf("decode latency sketch: %w", err)
	}
	return nil
}

// materialize decodes a stored sketch into a.sketch.
func (a *Agg) materialize() error {
	if len(a.encoded) == 0 {
		return nil
	}
	if a.sketch == nil {
		a.sketch = NewSketch()
	}
	b := a.encoded
	a.encoded = nil
	if err := a.sketch.DecodeAndMergeWith(b); err != nil {
		return fmt.Errorf("decode latency sketch: %w", err)
	}
	return nil
}

// EncodedSketch returns the latency sketch in DDSketch's compact encoding, or
// nil when no latency was recorded.
func (a *Agg) EncodedSketch() ([]byte, error) {
	if err := a.materialize(); err != nil {
		return nil, err
	}
	if a.sketch == nil || a.sketch.IsEmpty() {
		return nil, nil
	}
	var b []byte
	a.sketch.Encode(&b, false)
	return b, nil
}

// Quantile returns the latency at quantile q in ms, clamped to the observed
// range; ok is false when no latency was recorded.
func (a *Agg) Quantile(q float64) (v float64, ok bool, err error) {
	if err := a.materialize(); err != nil {
		return 0, false, err
	}
	if a.sketch == nil || a.sketch.IsEmpty() {
		return 0, false, nil
	}
	v, err = a.sketch.GetValueAtQuantile(q)
	if err != nil {
		return 0, false, fmt.Errorf("latency quantile %v: %w", q, err)
	}
	if a.LatN > 0 {
		v = min(max(v, a.LatMin), a.LatMax)
	}
	return v, true, nil
}

// Batch accumulates the rollup changes of one write transaction.
type Batch struct {
	Aggs map[Key]*Agg
}

// NewBatch returns an empty Batch.
func NewBatch() *Batch { return &Batch{Aggs: make(map[Key]*Agg)} }

// AddPrediction adds p, stored for model version mv, to the buckets of every
// resolution that hold its timestamp.
func (b *Batch) AddPrediction(mv int64, p *modelwatch.Prediction) {
	for _, res := range Resolutions {
		b.agg(Key{Model: mv, Res: res, Bucket: BucketStart(p.Timestamp, res)}).AddPrediction(p)
	}
}

// AddLabelled counts a prediction of model version mv made at ts that was
// labelled for the first time, and whether the label agreed with it.
func (b *Batch) AddLabelled(mv int64, ts time.Time, correct bool) {
	for _, res := range Resolutions {
		a := b.agg(Key{Model: mv, Res: res, Bucket: BucketStart(ts, res)})
		a.Labelled++
		if correct {
			a.Correct++
		}
	}
}

// AddCorrection records that a corrected label changed whether a prediction
// of model version mv made at ts is correct: delta is +1 or -1.
func (b *Batch) AddCorrection(mv int64, ts time.Time, delta int64) {
	for _, res := range Resolutions {
		b.agg(Key{Model: mv, Res: res, Bucket: BucketStart(ts, res)}).Correct += delta
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
