package concept

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/modelwatch/modelwatch"
)

func mustADWIN(t testing.TB, cfg ADWINConfig) *ADWIN {
	t.Helper()
	a, err := NewADWIN(cfg)
	if err != nil {
		t.Fatalf("NewADWIN(%+v): %v", cfg, err)
	}
	return a
}

// TestADWINStatistics follows River's test_adwin_regression.py
// (TestStatistics, TestEdgeCases, TestAdaptiveWindowing).
func TestADWINStatistics(t *testing.T) {
	a := mustADWIN(t, ADWINConfig{})
	if a.Estimation() != 0 || a.Width() != 0 {
		t.Errorf("empty ADWIN: estimation %v, width %d, want 0, 0", a.Estimation(), a.Width())
	}
	a.Update(42)
	if a.Width() != 1 || a.Total() != 42 || a.Estimation() != 42 || a.Variance() != 0 {
		t.Errorf("ADWIN after 42: width %d, total %v, estimation %v, variance %v; want 1, 42, 42, 0",
			a.Width(), a.Total(), a.Estimation(), a.Variance())
	}
	a.Update(43)
	if a.Width() != 2 || a.Total() != 85 || a.Estimation() != 42.5 || a.Variance() != 0.5 {
		t.Errorf("ADWIN after 42, 43: width %d, total %v, estimation %v, variance %v; want 2, 85, 42.5, 0.5",
			a.Width(), a.Total(), a.Estimation(), a.Variance())
	}

	// clock = 1e6: never checked; the compressed histogram still has the
	// exact width and total, and the variance of the values.
	a = mustADWIN(t, ADWINConfig{Clock: 1000000})
	var sum float64
	values := make([]float64, 200)
	for i := range values {
		values[i] = float64(i % 7)
		sum += values[i]
		a.Update(values[i])
	}
	var ss float64
	for _, v := range values {
		ss += (v - sum/200) * (v - sum/200)
	}
	if a.Width() != 200 || a.Total() != sum || math.Abs(a.Variance()-ss) > 1e-9*ss {
		t.Errorf("ADWIN on i%%7, i < 200: width %d, total %v, variance %v; want 200, %v, %v",
			a.Width(), a.Total(), a.Variance(), sum, ss)
	}
}

// TestADWINResetAfterDrift is River's test_reset_on_drift_detected: the
// update after a drift starts from an empty window.
func TestADWINResetAfterDrift(t *testing.T) {
	a := mustADWIN(t, ADWINConfig{Clock: 1})
	for range 500 {
		a.Update(0)
	}
	found := false
	for range 500 {
		a.Update(100)
		if a.DriftDetected() {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("ADWIN(clock=1) found no drift from 0 to 100")
	}
	if a.Width() >= 500 {
		t.Errorf("ADWIN width at drift = %d, want the window cut", a.Width())
	}
	a.Update(50)
	if a.Width() != 1 || a.Total() != 50 || a.DriftDetected() {
		t.Errorf("ADWIN after the update following a drift: width %d, total %v, drift %v; want 1, 50, false",
			a.Width(), a.Total(), a.DriftDetected())
	}
}

// TestADWINClock: with clock c, a drift can only be found on the c-th,
// 2c-th, ... update since the last reset.
func TestADWINClock(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, clock := range []int{1, 7, 32, 100} {
		a := mustADWIN(t, ADWINConfig{Clock: clock})
		since, drifts := 0, 0
		for i := range 20000 {
			x := r.Float64()
			if (i/1500)%2 == 1 {
				x += 0.5
			}
			a.Update(x)
			since++
			if a.DriftDetected() {
				drifts++
				if since%clock != 0 {
					t.Errorf("clock %d: drift %d values after the last reset", clock, since)
				}
				since = 0
			}
		}
		if drifts == 0 {
			t.Errorf("clock %d: no drift on a stream that shifts every 1500 values", clock)
		}
	}
}

// TestADWINImmediateLargeShift is River's test_immediate_large_shift.
func TestADWINImmediateLargeShift(t *testing.T) {
	a := mustADWIN(t, ADWINConfig{Delta: 0.01})
	for range 200 {
		a.Update(0)
	}
	for range 200 {
		a.Update(100)
		if a.DriftDetected() {
			return
		}
	}
	t.Error("ADWIN(delta=0.01) did not detect 0 → 100 within 200 values")
}

// TestADWINSmallBuckets: one bucket per row (row 0 always empty after a
// merge) and zero minimum window lengths, which River reaches only through
// its literal arguments, must neither panic nor leave NaN.
func TestADWINSmallBuckets(t *testing.T) {
	for _, params := range []map[string]string{
		{"max_buckets": "1"},
		{"max_buckets": "1", "min_window_length": "0", "clock": "1"},
		{"max_buckets": "2", "min_window_length": "0", "grace_period": "0", "clock": "1"},
		{"min_window_length": "-3", "clock": "1"},
	} {
		d := newDetector(t, "adwin", params)
		r := rand.New(rand.NewPCG(3, 4))
		for i := range 5000 {
			x := r.Float64()
			if i%1000 > 500 {
				x *= 10
			}
			d.Update(x)
			if !healthy(d) {
				t.Fatalf("ADWIN %v: NaN in the state after %d values", params, i+1)
			}
		}
	}
}

func TestADWINConfigErrors(t *testing.T) {
	for _, cfg := range []ADWINConfig{
		{Delta: -0.1},
		{Delta: math.NaN()},
		{Delta: math.Inf(1)},
		{Clock: -1},
		{MaxBuckets: -5},
	} {
		if _, err := NewADWIN(cfg); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
			t.Errorf("NewADWIN(%+v) error = %v, want code invalid", cfg, err)
		}
	}
}

// TestADWINSteadyStateAllocs: once its rows exist, ADWIN allocates nothing.
func TestADWINSteadyStateAllocs(t *testing.T) {
	a := mustADWIN(t, ADWINConfig{})
	r := rand.New(rand.NewPCG(5, 6))
	xs := bernoulli(r, 1<<16, 0.2)
	for _, x := range xs {
		a.Update(x)
	}
	i := 0
	allocs := testing.AllocsPerRun(10000, func() {
		a.Update(xs[i%len(xs)])
		i++
	})
	if allocs != 0 {
		t.Errorf("ADWIN.Update allocates %v times per call in steady state, want 0", allocs)
	}
}
