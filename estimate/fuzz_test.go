package estimate

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// floats decodes b as little-endian float64s.
func floats(b []byte) []float64 {
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

func floatBytes(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// FuzzIsotonic fits arbitrary points: the fit never panics, its thresholds
// increase, and predictions are non-decreasing within the range of y.
func FuzzIsotonic(f *testing.F) {
	f.Add(floatBytes(0.1, 1, 0.5, 0, 0.9, 1, 0.5, 1))
	f.Add(floatBytes(1, 1, 1, 0, 1, 1))
	f.Add(floatBytes(0.5, 0, 0.5+4e-16, 1, 0.7, 0))
	f.Add(floatBytes(-1e300, 5, 1e300, -5, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := floats(b)
		n := len(v) / 2
		x, y := v[:n], v[n:2*n]
		iso, err := FitIsotonic(x, y, nil)
		if err != nil {
			return
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, w := range y {
			lo, hi = math.Min(lo, w), math.Max(hi, w)
		}
		for i := 1; i < len(iso.X); i++ {
			if !(iso.X[i] > iso.X[i-1]) {
				t.Fatalf("thresholds not increasing: %v", iso.X)
			}
			if iso.Y[i] < iso.Y[i-1] {
				t.Fatalf("fitted values decrease: %v", iso.Y)
			}
		}
		q := append([]float64{math.Inf(-1), math.Inf(1)}, x...)
		for _, a := range q {
			for _, c := range q {
				if a <= c && iso.Predict(a) > iso.Predict(c) {
					t.Fatalf("Predict(%v) = %v > Predict(%v) = %v", a, iso.Predict(a), c, iso.Predict(c))
				}
			}
			// Fitted values are weighted means of y; allow their rounding.
			if p := iso.Predict(a); p < lo-1e-9*math.Abs(lo) || p > hi+1e-9*math.Abs(hi) {
				t.Fatalf("Predict(%v) = %v outside [%v, %v]", a, p, lo, hi)
			}
		}
	})
}

// dataFromBytes builds model outputs from b: 3 bytes per row (score,
// prediction, label; a label byte ≥ 200 means unlabelled), classes
// score columns.
func dataFromBytes(b []byte, classes int, labelled bool) Data {
	cols := max(classes, 2) - 1
	if classes > 2 {
		cols = classes
	}
	width := cols + 2
	n := len(b) / width
	d := Data{Scores: make([][]float64, cols), Pred: make([]int, n), Label: make([]int, n)}
	for k := range d.Scores {
		d.Scores[k] = make([]float64, n)
	}
	for i := range n {
		row := b[i*width : (i+1)*width]
		s := 0.0
		for k := range cols {
			d.Scores[k][i] = float64(row[k]) / 255
			s += d.Scores[k][i]
		}
		if cols > 1 && s > 0 {
			for k := range cols {
				d.Scores[k][i] /= s
			}
		}
		d.Pred[i] = int(row[cols]) % max(classes, 2)
		d.Label[i] = int(row[cols+1]) % max(classes, 2)
		if !labelled && row[cols+1] >= 200 {
			d.Label[i] = NoLabel
		}
	}
	return d
}

// FuzzEstimate fits on arbitrary labelled outputs and estimates arbitrary
// data: no panic, rates and boundaries in [0, 1] or NaN, valid JSON.
func FuzzEstimate(f *testing.F) {
	f.Add([]byte("\x10\x00\x00\xf0\x01\x01\x80\x01\x00\x40\x00\x01\x90\x01\x01\x20\x00\x00\xff\x01\x01\x00\x00\x00\x33\x00\x01\xcc\x01\x00\x10\x00\x00\xf0\x01\x01"), uint8(2), uint8(3))
	f.Add([]byte(strings.Repeat("\x80\x00\x01", 20)), uint8(2), uint8(5))
	f.Add([]byte(strings.Repeat("\x50\x30\x10\x00\x02\x90\x10\x20\x01\x01\x10\x90\x40\x02\x00", 6)), uint8(3), uint8(4))
	f.Add([]byte(strings.Repeat("\xff\x01\x01\x00\x00\x00", 8)), uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, classes, size uint8) {
		c := 2 + int(classes)%3
		half := len(b) / 2
		ref := dataFromBytes(b[:half], c, true)
		ana := dataFromBytes(b[half:], c, false)
		opts := Options{Metrics: AllMetrics(), Chunker: SizeChunker{Size: 1 + int(size)%16}, Calibration: Calibration(int(size) % 3)}
		if c == 2 && size%2 == 0 {
			// A two-class model as multiclass: two score columns.
			ref = twoColumns(ref)
			ana = twoColumns(ana)
		}
		e, err := Fit(ref, opts)
		if err != nil {
			return
		}
		res, err := e.Run(ana)
		if err != nil {
			return
		}
		for _, r := range append(e.Reference(), res...) {
			for _, m := range r.Metrics {
				if strings.HasPrefix(m.Name, "true_") || strings.HasPrefix(m.Name, "false_") {
					continue // counts
				}
				for _, v := range []float64{m.Value, m.LowerConfidenceBoundary, m.UpperConfidenceBoundary} {
					if v < 0 || v > 1 {
						t.Fatalf("%s %s = %v outside [0, 1]", r.Key, m.Name, v)
					}
				}
			}
			js, err := json.Marshal(r)
			if err != nil || !json.Valid(js) || strings.Contains(string(js), "NaN") || strings.Contains(string(js), "Inf") {
				t.Fatalf("JSON %s: %v", js, err)
			}
		}
	})
}

// twoColumns turns a binary Data into a two-class multiclass one.
func twoColumns(d Data) Data {
	p := d.Scores[0]
	q := make([]float64, len(p))
	for i, v := range p {
		q[i] = 1 - v
	}
	d.Scores = [][]float64{q, p}
	return d
}

// FuzzChunkResultJSON reads arbitrary JSON as a stored chunk result: it
// never panics, and what it reads is written and read back unchanged.
func FuzzChunkResultJSON(f *testing.F) {
	f.Add(`{"period":"analysis","key":"[0:499]","start_index":0,"end_index":499,"accuracy":{"value":0.8,"sampling_error":0.01,"realized":null,"upper_confidence_boundary":0.83,"lower_confidence_boundary":0.77,"upper_threshold":null,"lower_threshold":0.85,"alert":true}}`)
	f.Add(`{"f1":{"value":1e308,"alert":false},"f1":{}}`)
	f.Add(`{"key":null,"x":[]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r ChunkResult
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		once, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%q read as %+v cannot be written: %v", s, r, err)
		}
		var back ChunkResult
		if err := json.Unmarshal(once, &back); err != nil {
			t.Fatalf("%s, written from %q, cannot be read: %v", once, s, err)
		}
		if twice, _ := json.Marshal(back); string(twice) != string(once) {
			t.Fatalf("read back and written again:\n%s\nwant\n%s", twice, once)
		}
	})
}
