package concept

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch"
)

// newDetector builds a detector by name with River's defaults, failing the
// test on error.
func newDetector(t testing.TB, name string, params map[string]string) Detector {
	t.Helper()
	d, _, err := Build(name, params)
	if err != nil {
		t.Fatalf("Build(%q, %v): %v", name, params, err)
	}
	return d
}

// bernoulli is a stream of n errors (1) with probability p each, from a
// seeded generator.
func bernoulli(r *rand.Rand, n int, p float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		if r.Float64() < p {
			xs[i] = 1
		}
	}
	return xs
}

// healthy reports whether a detector's state holds no NaN.
func healthy(d Detector) bool {
	if h, ok := d.(interface{ healthy() bool }); ok {
		return h.healthy()
	}
	return true
}

// TestHandTraced replays short streams whose River output is worked out by
// hand from River's code, step by step in the comments.
func TestHandTraced(t *testing.T) {
	zeros := func(n int) []float64 { return make([]float64, n) }
	ddmZeroStart := append(zeros(302), 1)
	ddmZeroStart = append(ddmZeroStart, zeros(20)...)
	earlyError := zeros(100)
	earlyError[10] = 1
	tests := []struct {
		name             string
		detector         string
		params           map[string]string
		stream           []float64
		drifts, warnings []int
	}{
		// DDM: after the warm start (n > 30) on zeros, p = s = 0 gives
		// p_min = s_min = 0; the first error (index 302, n = 303) has
		// p + s > 0 = p_min + 3·s_min: drift, warning cleared.
		{"ddm zero start", "ddm", nil, ddmZeroStart, []int{302}, []int{}},
		// DDM: an error before the warm start; from n = 31 on, p and s fall
		// with every zero, so p + s keeps setting the minimum and
		// p + s = p_min + s_min < p_min + 2·s_min: never a warning.
		{"ddm early error", "ddm", nil, earlyError, []int{}, []int{}},
		// PageHinkley (min_instances=1, delta=0, alpha=1, threshold=5) on
		// 0, 0, 0, 10, 0, 0, 0: the sums stay 0 (max⁻ = max(−1, 0) = 0) until
		// x = 10: μ = 2.5, d = 7.5, S⁺ = S⁻ = 7.5, min⁺ = 0, max⁻ = 7.5, so
		// S⁺ − min⁺ = 7.5 > 5: drift up at index 3. Going down only, the
		// zeros then give μ = 2, 5/3, 10/7 and S⁻ = 5.5, 3.83, 2.40, so
		// max⁻ − S⁻ = 2, 3.67, 5.10 > 5: drift down at index 6.
		{
			"pagehinkley up", "pagehinkley",
			map[string]string{"min_instances": "1", "delta": "0", "alpha": "1", "threshold": "5", "mode": "up"},
			[]float64{0, 0, 0, 10, 0, 0, 0},
			[]int{3},
			[]int{},
		},
		{
			"pagehinkley down", "pagehinkley",
			map[string]string{"min_instances": "1", "delta": "0", "alpha": "1", "threshold": "5", "mode": "down"},
			[]float64{0, 0, 0, 10, 0, 0, 0},
			[]int{6},
			[]int{},
		},
		// Both: drift at 3, then a fresh detector sees only zeros.
		{
			"pagehinkley both", "pagehinkley",
			map[string]string{"min_instances": "1", "delta": "0", "alpha": "1", "threshold": "5"},
			[]float64{0, 0, 0, 10, 0, 0, 0},
			[]int{3},
			[]int{},
		},
		// EDDM (warm_start=1) on 1 0 1 0 1 1 1, distances 1, 2, 2, 1, 1:
		// n=3: mean 1.5, sd 0.7071, m = 2.9142 sets m_max (no test);
		// n=5: mean 1.6667, sd 0.5774, m = 2.8214, ratio 0.968 ≥ 0.95: no warning;
		// n=6: mean 1.5, sd 0.5774, m = 2.6547, ratio 0.911 < 0.95: warning;
		// n=7: mean 1.4, sd 0.5477, m = 2.4954, ratio 0.856 < 0.9: drift,
		// and River leaves the warning flag set.
		{
			"eddm", "eddm",
			map[string]string{"warm_start": "1"},
			[]float64{1, 0, 1, 0, 1, 1, 1},
			[]int{6},
			[]int{5, 6},
		},
		// HDDM_A: all errors. Z's mean stays 1 and n grows, so X_min (mean
		// 1 + ε(n_X) ≥ 1 + ε(n_Z)) and X_max (1 − ε(n_X) ≤ 1 − ε(n_Z)) follow Z
		// every time, and n_X = n_Z: never a test.
		{"hddm_a all errors", "hddm_a", map[string]string{"two_sided_test": "true"}, slices.Repeat([]float64{1}, 500), []int{}, []int{}},
		// NoDrift never flags.
		{"nodrift", "nodrift", nil, []float64{0, 1, 1e9, -3}, []int{}, []int{}},
	}
	for _, tt := range tests {
		got := Replay(newDetector(t, tt.detector, tt.params), tt.stream)
		if !slices.Equal(got.DriftIndices, tt.drifts) || !slices.Equal(got.WarningIndices, tt.warnings) {
			t.Errorf("%s: drift indices = %v, warning indices = %v, want %v, %v",
				tt.name, got.DriftIndices, got.WarningIndices, tt.drifts, tt.warnings)
		}
	}
}

// TestConstantStreamNeverDrifts: a stream that does not change never drifts,
// nor warns, whatever the constant.
func TestConstantStreamNeverDrifts(t *testing.T) {
	for _, name := range Names() {
		values := []float64{0, 1}
		if !BinaryInput(name) {
			values = append(values, 0.37, -5, 1e15)
		}
		for _, c := range values {
			got := Replay(newDetector(t, name, nil), slices.Repeat([]float64{c}, 5000))
			if len(got.DriftIndices) > 0 || len(got.WarningIndices) > 0 {
				t.Errorf("%s on 5000 × %v: drift indices = %v, warning indices = %v, want none",
					name, c, got.DriftIndices, got.WarningIndices)
			}
		}
	}
}

// TestAbruptChangeDetected: an error rate jumping from 0.1 to 0.6 is caught
// within k values of the change by every detector with River's defaults
// (k from the worst delay over 200 seeds, with a margin; DDM judges against
// its best error rate since the start and is the slowest).
func TestAbruptChangeDetected(t *testing.T) {
	within := map[string]int{"adwin": 100, "kswin": 100, "pagehinkley": 200, "ddm": 400, "eddm": 150, "hddm_a": 150, "hddm_w": 100}
	const change = 2000
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 4))
		stream := append(bernoulli(r, change, 0.1), bernoulli(r, 1000, 0.6)...)
		for name, k := range within {
			got := Replay(newDetector(t, name, nil), stream)
			i, _ := slices.BinarySearch(got.DriftIndices, change)
			if i == len(got.DriftIndices) || got.DriftIndices[i] >= change+k {
				t.Errorf("seed %d: %s drift indices after %d = %v, want one before %d", seed, name, change, got.DriftIndices[i:], change+k)
			}
		}
	}
}

// TestResetOnNextUpdate checks River's reset semantics, which is also what
// lets a server replay only the values after the last drift: after a drift
// at index i, the detector behaves exactly as a new one fed stream[i+1:].
func TestResetOnNextUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var stream []float64
	for range 6 {
		stream = append(stream, bernoulli(r, 700, 0.1)...)
		stream = append(stream, bernoulli(r, 700, 0.7)...)
	}
	for _, name := range Names() {
		full := Replay(newDetector(t, name, nil), stream)
		if name != "nodrift" && len(full.DriftIndices) < 2 {
			t.Fatalf("%s found %v, want several drifts to test with", name, full.DriftIndices)
		}
		for _, i := range full.DriftIndices {
			tail := Replay(newDetector(t, name, nil), stream[i+1:])
			if want := shift(after(full.DriftIndices, i), -(i + 1)); !slices.Equal(tail.DriftIndices, want) {
				t.Errorf("%s from stream[%d]: drift indices = %v, want %v", name, i+1, tail.DriftIndices, want)
			}
			if want := shift(after(full.WarningIndices, i), -(i + 1)); !slices.Equal(tail.WarningIndices, want) {
				t.Errorf("%s from stream[%d]: warning indices = %v, want %v", name, i+1, tail.WarningIndices, want)
			}
		}
	}
}

func after(xs []int, i int) []int {
	j, found := slices.BinarySearch(xs, i)
	if found {
		j++
	}
	return xs[j:]
}

func shift(xs []int, by int) []int {
	out := make([]int, len(xs))
	for j, x := range xs {
		out[j] = x + by
	}
	return out
}

// TestReplayDeterministic: the same config and stream give the same trace,
// which is how a restarted server rebuilds its detectors.
func TestReplayDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	stream := append(bernoulli(r, 1500, 0.2), bernoulli(r, 1500, 0.5)...)
	for _, name := range Names() {
		a := Replay(newDetector(t, name, map[string]string{}), stream)
		b := Replay(newDetector(t, name, nil), stream)
		if !slices.Equal(a.DriftIndices, b.DriftIndices) || !slices.Equal(a.WarningIndices, b.WarningIndices) {
			t.Errorf("%s replayed twice: %v / %v, want equal", name, a, b)
		}
	}
}

// TestInvalidInputIgnored: NaN, ±Inf and huge values change nothing; they
// still take an index in a Trace.
func TestInvalidInputIgnored(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	clean := append(bernoulli(r, 1000, 0.1), bernoulli(r, 500, 0.8)...)
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 2 * MaxInput, -2 * MaxInput}
	var dirty []float64
	var at []int // index in dirty of each clean value
	for i, x := range clean {
		if i%50 == 0 {
			dirty = append(dirty, bad[(i/50)%len(bad)])
		}
		at = append(at, len(dirty))
		dirty = append(dirty, x)
	}
	for _, name := range Names() {
		want := Replay(newDetector(t, name, nil), clean)
		got := Replay(newDetector(t, name, nil), dirty)
		if got.N != len(dirty) {
			t.Errorf("%s: N = %d, want %d", name, got.N, len(dirty))
		}
		for _, idx := range [][]int{want.DriftIndices, want.WarningIndices} {
			for j := range idx {
				idx[j] = at[idx[j]]
			}
		}
		if !slices.Equal(got.DriftIndices, want.DriftIndices) || !slices.Equal(got.WarningIndices, want.WarningIndices) {
			t.Errorf("%s with invalid values: %v, %v, want %v, %v", name, got.DriftIndices, got.WarningIndices, want.DriftIndices, want.WarningIndices)
		}
	}
}

// TestBinaryDetectorsNonBinaryInput pins River's handling of values other
// than 0 and 1: DDM and the HDDMs average them as given, EDDM counts only 1
// as an error.
func TestBinaryDetectorsNonBinaryInput(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	stream := append(bernoulli(r, 1000, 0.1), bernoulli(r, 500, 0.8)...)
	halves := make([]float64, len(stream))
	for i, x := range stream {
		halves[i] = x / 2
	}
	for _, name := range []string{"ddm", "hddm_a", "hddm_w", "eddm"} {
		ones := Replay(newDetector(t, name, nil), stream)
		half := Replay(newDetector(t, name, nil), halves)
		if slices.Equal(ones.DriftIndices, half.DriftIndices) {
			t.Errorf("%s: errors of 0.5 give the same drifts as errors of 1 (%v), want River's arithmetic on the value", name, ones.DriftIndices)
		}
	}
	eddm := newDetector(t, "eddm", nil)
	for range 1000 {
		eddm.Update(0.5)
	}
	if e := eddm.(*EDDM); e.nErrors != 0 || e.n != 1000 {
		t.Errorf("EDDM after 1000 × 0.5: %d errors of %d values, want 0 of 1000 (River: if x == 1)", e.nErrors, e.n)
	}
}

// TestDriftClearsWarning: DDM and the HDDMs (one-sided) never report drift
// and warning after the same update; River's EDDM may.
func TestDriftClearsWarning(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	var stream []float64
	for range 5 {
		stream = append(stream, bernoulli(r, 800, 0.1)...)
		stream = append(stream, bernoulli(r, 800, 0.5)...)
	}
	for _, name := range []string{"ddm", "hddm_a", "hddm_w"} {
		got := Replay(newDetector(t, name, nil), stream)
		for _, i := range got.DriftIndices {
			if _, both := slices.BinarySearch(got.WarningIndices, i); both {
				t.Errorf("%s: drift and warning both at %d", name, i)
			}
		}
	}
}

// TestHealthyOnRandomStreams: no value leaves NaN in a detector's state.
func TestHealthyOnRandomStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for _, name := range Names() {
		d := newDetector(t, name, map[string]string{})
		for i := range 20000 {
			var x float64
			switch i % 4 {
			case 0:
				x = r.NormFloat64() * 1e90
			case 1:
				x = float64(r.IntN(2))
			case 2:
				x = math.Float64frombits(r.Uint64())
			default:
				x = r.Float64()
			}
			d.Update(x)
			if !healthy(d) {
				t.Fatalf("%s: NaN in the state after value %d (%v)", name, i, x)
			}
		}
	}
}

func TestParseInput(t *testing.T) {
	tests := []struct {
		s      string
		binary bool
		want   float64
		err    string
	}{
		{"0", true, 0, ""},
		{" 1 \r", true, 1, ""},
		{"1.0", true, 1, ""},
		{"True", true, 1, ""},
		{"false", true, 0, ""},
		{"0.5", true, 0, `"0.5" is not 0 (correct) or 1 (error)`},
		{"2", true, 0, `"2" is not 0 (correct) or 1 (error)`},
		{"true", false, 0, `"true" is not a number`},
		{"-3.5e2", false, -350, ""},
		{"", false, 0, "empty value"},
		{"abc", false, 0, `"abc" is not a number`},
		{"nan", false, 0, `"nan" is not a finite number`},
		{"-Inf", false, 0, `"-Inf" is not a finite number`},
		{"1e309", false, 0, `"1e309" is not a finite number`},
		{"1e101", false, 0, `"1e101" is not a finite number of magnitude at most 1e+100`},
		{"1e100", false, 1e100, ""},
	}
	for _, tt := range tests {
		got, err := ParseInput(tt.s, tt.binary)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseInput(%q, %v) = %v, %v, want %v", tt.s, tt.binary, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(modelwatch.ErrorMessage(err), tt.err)):
			t.Errorf("ParseInput(%q, %v) error = %v, want %q", tt.s, tt.binary, err, tt.err)
		}
	}
}
