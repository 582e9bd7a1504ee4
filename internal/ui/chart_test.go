package ui

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
	"github.com/modelwatch/modelwatch/internal/window"
)

func testGrid(n int) grid {
	s, _ := lookupSpan("1h")
	return grid{from: fakeNow.Truncate(time.Minute).Add(-time.Duration(n) * time.Minute), step: time.Minute, n: n, span: s}
}

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ raw, want float64 }{
		{0.23, 0.25}, {0.25, 0.25}, {0.26, 0.5}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {140, 200}, {0, 1}, {math.NaN(), 1},
	} {
		if got := niceStep(c.raw); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", c.raw, got, c.want)
		}
	}
}

func TestAxisNumber(t *testing.T) {
	for _, c := range []struct {
		v, step float64
		want    string
	}{{0.5, 0.25, "0.50"}, {200, 50, "200"}, {1.5, 0.5, "1.5"}, {25000, 5000, "25k"}, {1e-17, 0.1, "0.0"}} {
		if got := axisNumber(c.v, c.step); got != c.want {
			t.Errorf("axisNumber(%v, %v) = %q, want %q", c.v, c.step, got, c.want)
		}
	}
}

// TestPathGaps checks that missing values break the line and an isolated
// value is drawn as a dot.
func TestPathGaps(t *testing.T) {
	nan := math.NaN()
	y := func(v float64) float64 { return 100 - v }
	got := path([]float64{1, 2, nan, 3, nan, nan, 4, 5}, 10, y)
	want := "M57.0 99.0L67.0 98.0M87.0 97.0h0.1M117.0 96.0L127.0 95.0"
	if got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got := path([]float64{nan, nan}, 10, y); got != "" {
		t.Errorf("path of no values = %q, want empty", got)
	}
}

// TestChartScale checks the vertical scale: it covers the data and the
// thresholds near it, and lists a threshold far above the data instead of
// squashing the data under it.
func TestChartScale(t *testing.T) {
	g := testGrid(4)
	c := newChart(g, "x", "t", "ms").line("p95", "s0", []float64{10, 20, 30, 42}).
		rule("near", "r1", 50, false).rule("far", "r2", 5000, false).build()
	if len(c.Rules) != 1 || c.Rules[0].Label != "near" {
		t.Errorf("rules drawn = %+v, want only the one near the data", c.Rules)
	}
	if !strings.Contains(c.Note, "Off the scale: far.") {
		t.Errorf("note = %q, want the far threshold listed", c.Note)
	}
	top := c.YTicks[len(c.YTicks)-1].Label
	if top != "60" {
		t.Errorf("top tick = %s, want 60 (covers 42 and the threshold at 50 in steps of 20)", top)
	}
	if c.Empty || len(c.Lines) != 1 || !strings.HasPrefix(c.Lines[0].D, "M") {
		t.Errorf("chart = %+v, want one drawn line", c)
	}
	// The line's highest point is the largest value: its y is the smallest.
	ys := regexp.MustCompile(`[ML][0-9.]+ ([0-9.]+)`).FindAllStringSubmatch(c.Lines[0].D, -1)
	if len(ys) != 4 {
		t.Fatalf("path %q has %d points, want 4", c.Lines[0].D, len(ys))
	}
	last, _ := strconv.ParseFloat(ys[3][1], 64)
	want := plotTop + float64(chartH-plotTop-plotBottom)*(1-42.0/60)
	if math.Abs(last-want) > 0.05 {
		t.Errorf("y of 42 = %v, want %v", last, want)
	}

	rate := newChart(g, "q", "t", "").rate().line("acc", "s0", []float64{0.91, 0.93, math.NaN(), 0.95}).
		rule("baseline", "b", 0.92, true).rule("drift", "d", 0.87, true).build()
	if first := rate.YTicks[0].Label; first != "0.80" {
		t.Errorf("rate chart starts at %s, want 0.80 (below the drift threshold at 0.87)", first)
	}
	if len(rate.Rules) != 2 {
		t.Errorf("rate chart draws %d thresholds, want 2", len(rate.Rules))
	}
}

// TestChartStackedBars checks that stacked bars sit on each other.
func TestChartStackedBars(t *testing.T) {
	c := newChart(testGrid(2), "c", "t", "").yRange(0, 1).
		bars("a", "c0", []float64{0.25, 1}, false).bars("b", "c1", []float64{0.75, 0}, true).build()
	if len(c.Bars) != 2 || len(c.Bars[0].Rects) != 2 || len(c.Bars[1].Rects) != 1 {
		t.Fatalf("bars = %+v, want 2 + 1 rectangles (no rectangle for 0)", c.Bars)
	}
	a, b := c.Bars[0].Rects[0], c.Bars[1].Rects[0]
	if b.Y != "10.0" || f(b.Y)+f(b.H) != f(a.Y) || math.Abs(f(a.Y)+f(a.H)-166) > 0.05 {
		t.Errorf("stack: a = %+v, b = %+v; want b from the top (10) down to a, a down to the axis (166)", a, b)
	}
	empty := newChart(testGrid(3), "e", "t", "").bars("n", "s0", []float64{0, 0, 0}, false).line("l", "s1", []float64{math.NaN(), math.NaN(), math.NaN()}).build()
	if !empty.Empty {
		t.Error("a chart of zero bars and missing values is not marked empty")
	}
}

func f(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// TestGroupPoints checks that rollup points land in their chart bucket,
// merged, and that per-bucket metrics are the window package's.
func TestGroupPoints(t *testing.T) {
	s, _ := lookupSpan("6h") // minute rollups, 5-minute points
	g := gridFor(s, fakeNow)
	if g.n != 72 || !g.to().After(fakeNow) || g.to().Sub(fakeNow) > 5*time.Minute || g.from.Minute()%5 != 0 {
		t.Fatalf("grid = %d points %v – %v, want 72 five-minute points ending just after %v", g.n, g.from, g.to(), fakeNow)
	}
	mk := func(at time.Time, pairs ...string) rollup.Point {
		a := &rollup.Agg{}
		for i := 0; i < len(pairs); i += 2 {
			a.AddPrediction(&modelwatch.Prediction{Prediction: modelwatch.Label(pairs[i+1]), GroundTruth: modelwatch.Label(pairs[i]), LatencyMs: new(float64(10 * (i + 1)))})
		}
		return rollup.Point{Start: at, Agg: a}
	}
	pts := []rollup.Point{
		mk(g.from.Add(-time.Minute), "a", "a"),                      // before the grid: ignored
		mk(g.from, "a", "a", "a", "b"),                              // bucket 0
		mk(g.from.Add(4*time.Minute), "b", "b", "b", "a", "c", "c"), // bucket 0
		mk(g.from.Add(5*time.Minute), "a", "a"),                     // bucket 1
		mk(g.to(), "a", "b"),                                        // after: ignored
	}
	buckets, err := groupPoints(g, pts)
	if err != nil {
		t.Fatal(err)
	}
	per, total, err := rangeStats(buckets)
	if err != nil {
		t.Fatal(err)
	}
	if per[0].N != 5 || per[1].N != 1 || per[2].N != 0 || total.N != 6 {
		t.Errorf("counts = %d, %d, %d, total %d; want 5, 1, 0, 6", per[0].N, per[1].N, per[2].N, total.N)
	}
	var want window.Confusion
	for _, p := range [][2]string{{"a", "a"}, {"a", "b"}, {"b", "b"}, {"b", "a"}, {"c", "c"}} {
		want.Add(p[0], p[1], 1)
	}
	m := want.Metrics()
	if per[0].Accuracy != m.Accuracy || per[0].Precision != m.Precision || per[0].Recall != m.Recall || per[0].F1 != m.F1 {
		t.Errorf("bucket 0 metrics = %v %v %v %v, want window.Confusion's %+v", per[0].Accuracy, per[0].Precision, per[0].Recall, per[0].F1, m)
	}
	if !math.IsNaN(per[2].Accuracy) || !math.IsNaN(per[2].Latency[0][1]) || !math.IsNaN(per[2].Coverage) {
		t.Errorf("an empty bucket has values: %+v", per[2])
	}
	// DDSketch's p99 of 10, 10, 30, 30, 50 is the value at rank 0.99·4 = 3.96:
	// 30 (±1 %); p50 is 30 too and the two merged sketches count 5 values.
	if p99 := per[0].Latency[0][2]; math.Abs(p99-30) > 0.3 {
		t.Errorf("bucket 0 p99 latency = %v, want 30 (±1 %%)", p99)
	}
	if p99 := per[1].Latency[0][2]; math.Abs(p99-10) > 0.1 {
		t.Errorf("bucket 1 p99 latency = %v, want 10 (its only value)", p99)
	}
}

// TestThresholdsMatchRules keeps the thresholds drawn on the charts in
// step with the shipped Prometheus rules.
func TestThresholdsMatchRules(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/prometheus/alerts/ml_model_alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules := string(raw)
	for _, c := range []struct {
		alert, expr string
	}{
		{"ModelAccuracyDrop", "(model_accuracy) < " + strconv.FormatFloat(ruleAccuracyCritical, 'f', 2, 64)},
		{"ModelAccuracyWarning", "(model_accuracy) < " + strconv.FormatFloat(ruleAccuracyWarning, 'f', 2, 64)},
		{"ModelPrecisionLow", "(model_precision) < " + strconv.FormatFloat(ruleQualityLow, 'f', 2, 64)},
		{"ModelRecallLow", "(model_recall) < " + strconv.FormatFloat(ruleQualityLow, 'f', 2, 64)},
		{"ModelF1ScoreLow", "(model_f1_score) < " + strconv.FormatFloat(ruleQualityLow, 'f', 2, 64)},
		{"HighInferenceLatencyP99", ") > " + strconv.FormatFloat(ruleInferenceP99Ms/1000.0, 'f', 1, 64)},
		{"HighInferenceLatencyP95", ") > " + strconv.FormatFloat(ruleInferenceP95Ms/1000.0, 'f', 1, 64)},
		{"HighInferenceLatencyP50", ") > " + strconv.FormatFloat(ruleInferenceP50Ms/1000.0, 'f', 1, 64)},
		{"HighDriftedColumnsRatio", "(model_drifted_columns_ratio) > " + strconv.FormatFloat(ruleDriftedShare, 'f', 2, 64)},
	} {
		i := strings.Index(rules, "- alert: "+c.alert+"\n")
		if i < 0 {
			t.Errorf("rule %s is not in the rules file", c.alert)
			continue
		}
		body := rules[i:]
		if j := strings.Index(body, "\n        for:"); j > 0 {
			body = body[:j]
		}
		if !strings.Contains(body, c.expr) {
			t.Errorf("rule %s does not contain %q:\n%s", c.alert, c.expr, body)
		}
	}
}
