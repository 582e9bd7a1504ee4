package concept

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"
)

// decodeStream turns fuzz bytes into a stream. The first byte picks the
// encoding: raw little-endian float64s (any bit pattern: NaN, ±Inf,
// subnormals, huge), 0/1 bits, or small integers.
func decodeStream(data []byte) []float64 {
	if len(data) == 0 {
		return nil
	}
	mode, data := data[0]%3, data[1:]
	var xs []float64
	switch mode {
	case 0:
		for len(data) >= 8 {
			xs = append(xs, math.Float64frombits(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
	case 1:
		for _, b := range data {
			for i := range 8 {
				xs = append(xs, float64(b>>i&1))
			}
		}
	default:
		for _, b := range data {
			xs = append(xs, float64(int8(b)))
		}
	}
	return xs
}

// FuzzDetectors feeds any stream to every detector, with River's defaults
// and with sensitive settings: no panic, no NaN in the state, flags that
// match River's rules.
func FuzzDetectors(f *testing.F) {
	f.Add([]byte{1, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f})
	f.Add([]byte{2, 1, 2, 3, 100, 200, 0, 0, 7})
	settings := []struct {
		name   string
		params map[string]string
	}{
		{"adwin", map[string]string{"clock": "1", "min_window_length": "1", "grace_period": "0"}},
		{"adwin", map[string]string{"max_buckets": "1", "min_window_length": "0", "clock": "1"}},
		{"kswin", map[string]string{"window_size": "4", "stat_size": "2", "alpha": "1"}},
		{"pagehinkley", map[string]string{"min_instances": "1", "threshold": "0.5", "delta": "0"}},
		{"ddm", map[string]string{"warm_start": "0"}},
		{"eddm", map[string]string{"warm_start": "0"}},
		{"hddm_a", map[string]string{"two_sided_test": "true", "drift_confidence": "0.5", "warning_confidence": "1"}},
		{"hddm_w", map[string]string{"two_sided_test": "true", "lambda_val": "1"}},
		{"hddm_w", map[string]string{"lambda_val": "0"}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xs := decodeStream(data)
		var detectors []Detector
		for _, name := range Names() {
			detectors = append(detectors, newDetector(t, name, nil))
		}
		for _, s := range settings {
			detectors = append(detectors, newDetector(t, s.name, s.params))
		}
		for _, d := range detectors {
			for i, x := range xs {
				d.Update(x)
				if !healthy(d) {
					t.Fatalf("%T: NaN in the state after value %d (%v)", d, i, x)
				}
				if w, ok := d.(WarningDetector); ok && w.WarningDetected() && d.DriftDetected() {
					switch d.(type) {
					case *DDM:
						t.Fatalf("DDM: warning and drift at once after value %d", i)
					}
				}
				if k, ok := d.(*KSWIN); ok && !(k.PValue() >= 0 && k.PValue() <= 1 && k.Statistic() >= 0 && k.Statistic() <= 1) {
					t.Fatalf("KSWIN: p %v, stat %v after value %d", k.PValue(), k.Statistic(), i)
				}
			}
		}
	})
}

// FuzzBuild builds a detector from any parameter text: an error or a
// working detector, never a panic.
func FuzzBuild(f *testing.F) {
	f.Add("adwin", "clock", "1")
	f.Add("kswin", "window_size", "2")
	f.Add("pagehinkley", "mode", "up")
	f.Add("hddm_w", "lambda_val", "1e-300")
	f.Add("eddm", "beta", "-1e308")
	f.Fuzz(func(t *testing.T, name, key, value string) {
		d, params, err := Build(name, map[string]string{key: value})
		if err != nil {
			return
		}
		if _, jerr := params.MarshalJSON(); jerr != nil {
			t.Fatalf("Build(%q, %s=%q) params do not encode: %v", name, key, value, jerr)
		}
		for i := range 300 {
			d.Update(float64(i % 2))
			if !healthy(d) {
				t.Fatalf("Build(%q, %s=%q): NaN in the state after %d values", name, key, value, i+1)
			}
		}
	})
}

// FuzzKSTwoSample: any two equal-size samples give a statistic and a
// p-value in [0, 1], and swapping them changes neither.
func FuzzKSTwoSample(f *testing.F) {
	f.Add([]byte{2, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{1, 0xff, 0x00, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var xs []float64
		for _, x := range decodeStream(data) {
			if ValidInput(x) {
				xs = append(xs, x)
			}
		}
		n := len(xs) / 2
		if n == 0 || n > 2000 {
			return
		}
		a, b := slices.Clone(xs[:n]), slices.Clone(xs[n:2*n])
		stat, p := ksTwoSample(slices.Clone(a), slices.Clone(b))
		stat2, p2 := ksTwoSample(b, a)
		if !(stat >= 0 && stat <= 1 && p >= 0 && p <= 1) || stat != stat2 || p != p2 {
			t.Fatalf("KS(a, b) = %v, p %v; KS(b, a) = %v, p %v", stat, p, stat2, p2)
		}
	})
}

// FuzzCheckBaseline: any history gives an error or a result without NaN.
func FuzzCheckBaseline(f *testing.F) {
	f.Add(0.87, []byte{2, 80, 90, 100, 60})
	f.Add(1.0, []byte{0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	f.Fuzz(func(t *testing.T, baseline float64, data []byte) {
		var history []AccuracyPoint
		for i, x := range decodeStream(data) {
			acc := x
			if ValidInput(x) {
				acc = math.Abs(math.Mod(x, 1.0001))
			}
			history = append(history, AccuracyPoint{Time: checkNow.Add(-time.Duration(i*7) * time.Hour), Accuracy: acc})
		}
		res, err := CheckBaseline(baseline, history, checkNow, BaselineConfig{})
		if err != nil {
			return
		}
		vals := []float64{res.CurrentAccuracy, res.AccuracyDrop, res.AccuracyDropPercent}
		if res.Trend != nil {
			vals = append(vals, *res.Trend)
		}
		if !notNaN(vals...) {
			t.Fatalf("CheckBaseline(%v, %v) = %+v, has NaN", baseline, history, res)
		}
	})
}
