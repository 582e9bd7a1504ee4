package concept

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

var checkNow = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

// daysAgo is a point d days before checkNow.
func daysAgo(d float64, acc float64) AccuracyPoint {
	return AccuracyPoint{Time: checkNow.Add(-time.Duration(d * float64(oneDay))), Accuracy: acc}
}

// TestCheckBaselineDriftBoundary pins the seed's comparison,
// current < baseline − 0.05 with the threshold computed first, in float64.
// The expected drops, percentages and verdicts were computed by CPython
// (the seed's language): threshold = b − 0.05; drift = c < threshold;
// drop = b − c; pct = (drop / b) · 100.
func TestCheckBaselineDriftBoundary(t *testing.T) {
	tests := []struct {
		baseline, current float64
		drift             bool
		drop, pct         float64
	}{
		// current == baseline − 0.05 exactly: not drift, although the drop
		// (0.050000000000000044) exceeds 0.05.
		// (0.7999999999999999 is 0.85 − 0.05 in float64; Go would fold the
		// constant expression exactly to 0.8.)
		{0.85, 0.7999999999999999, false, 0.050000000000000044, 5.882352941176476},
		{0.85, 0.8, false, 0.04999999999999993, 5.882352941176463},
		{0.85, 0.7999999999999998, true, 0.050000000000000155, 5.88235294117649}, // one ulp below
		{0.87, 0.82, false, 0.050000000000000044, 5.747126436781615},
		{0.9, 0.85, false, 0.050000000000000044, 5.55555555555556},
		{0.95, 0.9, false, 0.04999999999999993, 5.263157894736835},
		{0.95, 0.8999999999999999, false, 0.050000000000000044, 5.263157894736848},
		{0.95, 0.8999999999999998, true, 0.050000000000000155, 5.2631578947368585},
		{0.7, 0.65, false, 0.04999999999999993, 7.142857142857134},
		{0.87, 0.5, true, 0.37, 42.5287356321839},
		{0.87, 0.95, false, -0.07999999999999996, -9.19540229885057},
	}
	for _, tt := range tests {
		got, err := CheckBaseline(tt.baseline, []AccuracyPoint{daysAgo(0, tt.current)}, checkNow, BaselineConfig{})
		if err != nil {
			t.Fatalf("CheckBaseline(%v, %v): %v", tt.baseline, tt.current, err)
		}
		if got.DriftDetected != tt.drift || got.AccuracyDrop != tt.drop || got.AccuracyDropPercent != tt.pct || got.CurrentAccuracy != tt.current {
			t.Errorf("CheckBaseline(%v, current %v) = drift %v, drop %v, pct %v; want %v, %v, %v",
				tt.baseline, tt.current, got.DriftDetected, got.AccuracyDrop, got.AccuracyDropPercent, tt.drift, tt.drop, tt.pct)
		}
	}
}

func TestCheckBaselineTolerance(t *testing.T) {
	tests := []struct {
		tolerance float64
		current   float64
		drift     bool
	}{
		{0.1, 0.76, true}, // 0.76 < 0.87 − 0.1 = 0.77
		{0.1, 0.78, false},
		{0.01, 0.85, true}, // 0.85 < 0.86
		{0, 0.8, true},     // zero means the default 0.05: 0.8 < 0.82
	}
	for _, tt := range tests {
		got, err := CheckBaseline(0.87, []AccuracyPoint{daysAgo(0, tt.current)}, checkNow, BaselineConfig{Tolerance: tt.tolerance})
		if err != nil {
			t.Fatal(err)
		}
		if got.DriftDetected != tt.drift {
			t.Errorf("tolerance %v, current %v: drift = %v, want %v", tt.tolerance, tt.current, got.DriftDetected, tt.drift)
		}
	}
}

// TestCheckBaselineTrend's expected trends are numpy's
// np.mean(recent) − np.mean(previous), as the seed computes them.
func TestCheckBaselineTrend(t *testing.T) {
	ptr := func(x float64) *float64 { return &x }
	tests := []struct {
		name    string
		history []AccuracyPoint
		want    *float64
	}{
		{"no history before the window", []AccuracyPoint{daysAgo(0, 0.8), daysAgo(3, 0.9)}, nil},
		{"no recent point", []AccuracyPoint{daysAgo(8, 0.8), daysAgo(10, 0.9)}, nil}, // current is 8 days old
		{"one each side", []AccuracyPoint{daysAgo(0, 0.8), daysAgo(8, 0.9)}, ptr(-0.09999999999999998)},
		{
			"means of the points",
			[]AccuracyPoint{daysAgo(0, 0.5), daysAgo(1, 0.7), daysAgo(9, 0.9), daysAgo(13.5, 1)},
			ptr(-0.35),
		},
		// Exactly 7 days ago is on the previous side, exactly 14 days ago on
		// neither (the seed's ts > cutoff and previous_cutoff < ts <= cutoff).
		{"window edges", []AccuracyPoint{daysAgo(0, 0.6), daysAgo(7, 0.8), daysAgo(14, 0.1)}, ptr(-0.20000000000000007)},
		{"older than two windows", []AccuracyPoint{daysAgo(0, 0.6), daysAgo(15, 0.8)}, nil},
	}
	for _, tt := range tests {
		got, err := CheckBaseline(0.9, tt.history, checkNow, BaselineConfig{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		switch {
		case (got.Trend == nil) != (tt.want == nil):
			t.Errorf("%s: trend = %v, want %v", tt.name, fmtPtr(got.Trend), fmtPtr(tt.want))
		case got.Trend != nil && *got.Trend != *tt.want:
			t.Errorf("%s: trend = %v, want %v", tt.name, *got.Trend, *tt.want)
		}
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestCheckBaselineDeclining(t *testing.T) {
	tests := []struct {
		name    string
		history []AccuracyPoint
		days    int
		decl    bool
	}{
		{"three declines need four days", []AccuracyPoint{
			daysAgo(3.5, 0.90), daysAgo(2.5, 0.89), daysAgo(1.5, 0.88), daysAgo(0.5, 0.87),
		}, 3, true},
		{"two declines", []AccuracyPoint{
			daysAgo(3.5, 0.85), daysAgo(2.5, 0.89), daysAgo(1.5, 0.88), daysAgo(0.5, 0.87),
		}, 2, false},
		{"equal is not a decline", []AccuracyPoint{
			daysAgo(3.5, 0.90), daysAgo(2.5, 0.88), daysAgo(1.5, 0.88), daysAgo(0.5, 0.87),
		}, 1, false},
		{"a missing day breaks the run", []AccuracyPoint{
			daysAgo(4.5, 0.95), daysAgo(3.5, 0.90), daysAgo(1.5, 0.88), daysAgo(0.5, 0.87),
		}, 1, false},
		{"daily means", []AccuracyPoint{
			daysAgo(3.2, 0.95), daysAgo(3.8, 0.85), // day 3: 0.9
			daysAgo(2.1, 0.80), daysAgo(2.9, 0.98), // day 2: 0.89
			daysAgo(1.5, 0.88),
			daysAgo(0.1, 0.90), daysAgo(0.9, 0.84),
		}, 3, true}, // day 0: 0.87
		{"today better", []AccuracyPoint{
			daysAgo(3.5, 0.90), daysAgo(2.5, 0.89), daysAgo(1.5, 0.88), daysAgo(0.5, 0.95),
		}, 0, false},
		// now − 24h exactly belongs to day 1, now itself to day 0.
		{"day edges", []AccuracyPoint{daysAgo(1, 0.9), daysAgo(0, 0.8)}, 1, false},
		{"future points count today", []AccuracyPoint{daysAgo(1.5, 0.9), daysAgo(-0.1, 0.8)}, 1, false},
	}
	for _, tt := range tests {
		got, err := CheckBaseline(0.9, tt.history, checkNow, BaselineConfig{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.DecliningDays != tt.days || got.Declining != tt.decl {
			t.Errorf("%s: declining days = %d (%v), want %d (%v)", tt.name, got.DecliningDays, got.Declining, tt.days, tt.decl)
		}
	}
	got, err := CheckBaseline(0.9, []AccuracyPoint{daysAgo(1.5, 0.9), daysAgo(0.5, 0.8)}, checkNow, BaselineConfig{MinDecliningDays: 1})
	if err != nil || !got.Declining {
		t.Errorf("MinDecliningDays 1 after one decline: declining = %v (%v), want true", got.Declining, err)
	}
}

func TestCheckBaselineRetention(t *testing.T) {
	in := []AccuracyPoint{daysAgo(0, 0.8), daysAgo(95, 0.9), daysAgo(90, 0.7), daysAgo(89.9, 0.75), daysAgo(2, 0.85)}
	orig := slices.Clone(in)
	got, err := CheckBaseline(0.9, in, checkNow, BaselineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := []AccuracyPoint{daysAgo(89.9, 0.75), daysAgo(2, 0.85), daysAgo(0, 0.8)}
	if !slices.Equal(got.History, want) {
		t.Errorf("history = %v, want %v (90 days, oldest first)", got.History, want)
	}
	if !slices.Equal(in, orig) {
		t.Errorf("CheckBaseline modified its input: %v, was %v", in, orig)
	}
	if got.CurrentAccuracy != 0.8 {
		t.Errorf("current = %v, want the newest point's 0.8", got.CurrentAccuracy)
	}
	got, err = CheckBaseline(0.9, in, checkNow, BaselineConfig{Retention: 24 * time.Hour})
	if err != nil || len(got.History) != 1 {
		t.Errorf("retention 1 day: history %v (%v), want the one point of today", got.History, err)
	}
	// Equal times: the later one in the input is the current accuracy.
	got, _ = CheckBaseline(0.9, []AccuracyPoint{daysAgo(0, 0.7), daysAgo(0, 0.6)}, checkNow, BaselineConfig{})
	if got.CurrentAccuracy != 0.6 {
		t.Errorf("current of two points at the same time = %v, want the later-listed 0.6", got.CurrentAccuracy)
	}
}

func TestCheckBaselineErrors(t *testing.T) {
	ok := []AccuracyPoint{daysAgo(0, 0.8)}
	tests := []struct {
		name     string
		baseline float64
		history  []AccuracyPoint
		cfg      BaselineConfig
	}{
		{"zero baseline", 0, ok, BaselineConfig{}},
		{"baseline above 1", 1.5, ok, BaselineConfig{}},
		{"NaN baseline", math.NaN(), ok, BaselineConfig{}},
		{"NaN accuracy", 0.9, []AccuracyPoint{daysAgo(0, math.NaN())}, BaselineConfig{}},
		{"negative accuracy", 0.9, []AccuracyPoint{daysAgo(0, -0.1)}, BaselineConfig{}},
		{"empty history", 0.9, nil, BaselineConfig{}},
		{"only old history", 0.9, []AccuracyPoint{daysAgo(91, 0.8)}, BaselineConfig{}},
		{"negative tolerance", 0.9, ok, BaselineConfig{Tolerance: -0.1}},
		{"NaN tolerance", 0.9, ok, BaselineConfig{Tolerance: math.NaN()}},
		{"negative retention", 0.9, ok, BaselineConfig{Retention: -time.Hour}},
	}
	for _, tt := range tests {
		_, err := CheckBaseline(tt.baseline, tt.history, checkNow, tt.cfg)
		if modelwatch.ErrorCode(err) != modelwatch.EInvalid {
			t.Errorf("%s: error = %v, want code invalid", tt.name, err)
		}
	}
}
