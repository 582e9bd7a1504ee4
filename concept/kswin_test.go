package concept

import (
	"math"
	"testing"

	"github.com/modelwatch/modelwatch"
)

func TestKSWINConfigErrors(t *testing.T) {
	for _, cfg := range []KSWINConfig{
		{Alpha: -0.1},
		{Alpha: 1.1},
		{Alpha: math.NaN()},            // River: ValueError
		{WindowSize: 10, StatSize: 30}, // River: ValueError
		{WindowSize: 50, StatSize: 30}, // River fails at the first test
		{WindowSize: -10},
		{StatSize: -1},
	} {
		if _, err := NewKSWIN(cfg); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
			t.Errorf("NewKSWIN(%+v) error = %v, want code invalid", cfg, err)
		}
	}
	if _, err := NewKSWIN(KSWINConfig{WindowSize: 60, StatSize: 30}); err != nil {
		t.Errorf("NewKSWIN(window 60, stat 30): %v", err)
	}
}

// countingSampler draws 0, 1, 2, ... (or its fixed positions) and counts
// calls.
type countingSampler struct {
	calls int
	fixed []int
}

func (c *countingSampler) Sample(dst []int, n int) {
	c.calls++
	for i := range dst {
		if c.fixed != nil {
			dst[i] = c.fixed[i%len(c.fixed)]
		} else {
			dst[i] = i
		}
	}
}

func TestKSWINWindow(t *testing.T) {
	s := &countingSampler{}
	resets := 0
	k, err := NewKSWIN(KSWINConfig{WindowSize: 10, StatSize: 3, NewSampler: func() Sampler { resets++; return s }})
	if err != nil {
		t.Fatal(err)
	}
	if k.PValue() != 0 || k.Statistic() != 0 {
		t.Errorf("KSWIN before a test: p %v, stat %v, want 0, 0", k.PValue(), k.Statistic())
	}
	for i := range 9 {
		k.Update(float64(i))
	}
	if s.calls != 0 {
		t.Errorf("KSWIN tested %d times before its window was full", s.calls)
	}
	// Window 0..9: positions 0, 1, 2 (values 0, 1, 2) against 7, 8, 9.
	k.Update(9)
	if s.calls != 1 || k.Statistic() != 1 || math.Abs(k.PValue()-0.1) > 1e-15 || k.DriftDetected() {
		// P(D_{3,3} ≥ 1) = 2·C(6, 0)/C(6, 3) = 0.1 > alpha.
		t.Errorf("KSWIN on 0..9: calls %d, stat %v, p %v, drift %v; want 1, 1, 0.1, false",
			s.calls, k.Statistic(), k.PValue(), k.DriftDetected())
	}
	k.Update(10) // window 1..10: values 1, 2, 3 against 8, 9, 10
	if s.calls != 2 || k.Statistic() != 1 {
		t.Errorf("KSWIN on 1..10: calls %d, stat %v, want 2, 1", s.calls, k.Statistic())
	}
	if resets != 1 {
		t.Errorf("NewSampler called %d times before any drift, want 1", resets)
	}
}

func TestKSWINDriftResets(t *testing.T) {
	s := &countingSampler{}
	resets := 0
	k, err := NewKSWIN(KSWINConfig{Alpha: 0.5, WindowSize: 40, StatSize: 20, NewSampler: func() Sampler { resets++; return s }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		k.Update(float64(i)) // positions 0..19 against 20..39: D = 1
	}
	if !k.DriftDetected() {
		t.Fatalf("KSWIN on 0..39: p %v, stat %v, want drift", k.PValue(), k.Statistic())
	}
	k.Update(1)
	if k.DriftDetected() || k.count != 1 || k.PValue() != 0 || resets != 2 {
		t.Errorf("KSWIN after drift: drift %v, window %d, p %v, samplers made %d; want false, 1, 0, 2",
			k.DriftDetected(), k.count, k.PValue(), resets)
	}
}

func TestKSWINPrefilledWindow(t *testing.T) {
	pre := make([]float64, 120)
	for i := range pre {
		pre[i] = float64(i)
	}
	pre[119] = math.NaN() // ignored
	k, err := NewKSWIN(KSWINConfig{Window: pre})
	if err != nil {
		t.Fatal(err)
	}
	if k.count != 100 || k.at(0) != 19 || k.at(99) != 118 {
		t.Errorf("pre-filled window: %d values from %v to %v, want 100 from 19 to 118", k.count, k.at(0), k.at(99))
	}
	k.Update(200) // the window is full: a test at once
	if k.PValue() == 0 {
		t.Error("KSWIN with a full pre-filled window ran no test on its first update")
	}
}

func TestKSWINOutOfRangePositions(t *testing.T) {
	s := &countingSampler{fixed: []int{-1, 70, 1 << 40, 5}}
	k, err := NewKSWIN(KSWINConfig{NewSampler: func() Sampler { return s }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		k.Update(float64(i % 3))
		if !healthy(k) {
			t.Fatalf("NaN in KSWIN after %d values", i+1)
		}
	}
}
