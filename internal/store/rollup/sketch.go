package rollup

import (
	"fmt"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// RelativeAccuracy of the latency sketches: a reported percentile is within
// 1 % of a latency that was observed near that rank.
const RelativeAccuracy = 0.01

// maxBins bounds a sketch's size whatever latencies clients send: 2048 bins
// at 1 % accuracy cover 18 orders of magnitude before the lowest bins are
// collapsed.
const maxBins = 2048

// latencyMapping is the index mapping of every latency sketch. It is
// read-only, so all sketches share it.
var latencyMapping = func() *mapping.LogarithmicMapping {
	m, err := mapping.NewLogarithmicMapping(RelativeAccuracy)
	if err != nil {
		panic(err) // RelativeAccuracy is a valid constant
	}
	return m
}()

// NewSketch returns an empty latency sketch.
func NewSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(latencyMapping, newStore(), newStore())
}

func newStore() store.Store { return store.NewCollapsingLowestDenseStore(maxBins) }

// Sketch is a latency distribution: a DDSketch plus the exact count, minimum
// and maximum (percentiles are clamped to the observed range). A stored
// sketch is decoded only when needed. The zero value is empty.
type Sketch struct {
	N        int64
	Min, Max float64
	sk       *ddsketch.DDSketch
	enc      []byte
}

// Add records one value (finite, non-negative).
func (s *Sketch) Add(v float64) {
	if s.N == 0 || v < s.Min {
		s.Min = v
	}
	if s.N == 0 || v > s.Max {
		s.Max = v
	}
	s.N++
	if s.sk == nil {
		s.sk = NewSketch()
	}
	_ = s.sk.Add(v) // finite and non-negative: Validate checked it
}

// binned is a latency with its sketch bin, found once for all the
// sketches it is added to (the logarithm is most of the cost of an Add).
type binned struct {
	v     float64
	index int
	inBin bool // false: the zero bin, or too large to track; added by value
}

func binOf(v float64) binned {
	if v > latencyMapping.MinIndexableValue() && v <= latencyMapping.MaxIndexableValue() {
		return binned{v: v, index: latencyMapping.Index(v), inBin: true}
	}
	return binned{v: v}
}

// addBinned records one value as Add does.
func (s *Sketch) addBinned(b binned) {
	if s.N == 0 || b.v < s.Min {
		s.Min = b.v
	}
	if s.N == 0 || b.v > s.Max {
		s.Max = b.v
	}
	s.N++
	if s.sk == nil {
		s.sk = NewSketch()
	}
	if b.inBin {
		s.sk.GetPositiveValueStore().Add(b.index)
		return
	}
	_ = s.sk.Add(b.v) // finite and non-negative: Validate checked it
}

// SetEncoded attaches a stored sketch (with its count and range).
func (s *Sketch) SetEncoded(b []byte, n int64, lo, hi float64) {
	s.enc, s.N, s.Min, s.Max = b, n, lo, hi
}

func (s *Sketch) decode() error {
	if len(s.enc) == 0 {
		return nil
	}
	if s.sk == nil {
		s.sk = NewSketch()
	}
	b := s.enc
	s.enc = nil
	if err := s.sk.DecodeAndMergeWith(b); err != nil {
		return fmt.Errorf("decode latency sketch: %w", err)
	}
	return nil
}

// Merge adds o into s.
func (s *Sketch) Merge(o *Sketch) error {
	if o.N == 0 {
		return nil
	}
	if s.N == 0 || o.Min < s.Min {
		s.Min = o.Min
	}
	if s.N == 0 || o.Max > s.Max {
		s.Max = o.Max
	}
	s.N += o.N
	if err := s.decode(); err != nil {
		return err
	}
	if s.sk == nil {
		s.sk = NewSketch()
	}
	if o.sk != nil {
		if err := s.sk.MergeWith(o.sk); err != nil {
			return fmt.Errorf("merge latency sketches: %w", err)
		}
	}
	if len(o.enc) > 0 {
		if err := s.sk.DecodeAndMergeWith(o.enc); err != nil {
			return fmt.Errorf("decode latency sketch: %w", err)
		}
	}
	return nil
}

// Encoded returns the sketch in DDSketch's compact encoding, or nil when
// it is empty.
func (s *Sketch) Encoded() ([]byte, error) {
	if s.N == 0 {
		return nil, nil
	}
	if len(s.enc) > 0 && s.sk == nil {
		return s.enc, nil
	}
	if err := s.decode(); err != nil {
		return nil, err
	}
	var b []byte
	s.sk.Encode(&b, false)
	return b, nil
}

// Quantile returns the value at quantile q, clamped to the observed range;
// ok is false when the sketch is empty.
func (s *Sketch) Quantile(q float64) (v float64, ok bool, err error) {
	if s.N == 0 {
		return 0, false, nil
	}
	if err := s.decode(); err != nil {
		return 0, false, err
	}
	v, err = s.sk.GetValueAtQuantile(q)
	if err != nil {
		return 0, false, fmt.Errorf("latency quantile %v: %w", q, err)
	}
	return min(max(v, s.Min), s.Max), true, nil
}
