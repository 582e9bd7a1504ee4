package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// statsData is a few thousand predictions over three days with known
// confidences, latencies and classes, some labelled.
func statsData() []modelwatch.Prediction {
	rng := rand.New(rand.NewPCG(7, 11))
	var ps []modelwatch.Prediction
	start := t0.Add(-50 * time.Hour).Add(17 * time.Second)
	for i := range 4000 {
		ts := start.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		class := []string{"cat", "dog", "bird"}[rng.IntN(3)]
		p := pred(fmt.Sprintf("s%05d", i), "m", "1", ts, class, rng.Float64())
		switch i % 4 {
		case 0: // stage latencies only: the total is their sum
			p.Latency.PreprocessingMs = new(rng.ExpFloat64() * 2)
			p.Latency.InferenceMs = new(20 + rng.ExpFloat64()*30)
		case 1: // an explicit total
			p.LatencyMs = new(math.Exp(rng.NormFloat64()*0.8 + 3.5))
		case 2: // no latency, confidence from probabilities
			p.Confidence = nil
			p.Probabilities = map[string]float64{class: 0.7, "other": 0.3}
		case 3: // no confidence at all
			p.Confidence = nil
			p.LatencyMs = new(5 + rng.Float64()*100)
		}
		if i%3 == 0 {
			p.GroundTruth = modelwatch.Label(class)
		}
		ps = append(ps, p)
	}
	return ps
}

// expected computes the statistics of ps in [from, to) directly.
func expected(ps []modelwatch.Prediction, from, to time.Time) (total int64, dist map[string]int64, avgConf, avgLat, coverage float64, lat []float64) {
	dist = map[string]int64{}
	var confSum float64
	var confN, labelled int64
	var latSum float64
	for _, p := range ps {
		if p.Timestamp.Before(from) || !p.Timestamp.Before(to) {
			continue
		}
		total++
		dist[string(p.Prediction)]++
		if c, ok := p.EffectiveConfidence(); ok {
			confSum += c
			confN++
		}
		if ms, ok := p.Total(); ok {
			latSum += ms
			lat = append(lat, ms)
		}
		if p.GroundTruth != "" {
			labelled++
		}
	}
	slices.Sort(lat)
	return total, dist, confSum / float64(confN), latSum / float64(len(lat)), float64(labelled) / float64(total), lat
}

// quantile is numpy's default (linear interpolation) percentile of sorted xs.
func quantile(xs []float64, q float64) float64 {
	pos := q * float64(len(xs)-1)
	i := int(math.Floor(pos))
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+1e-12
}

func testStats(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	ps := statsData()
	// The effective confidence is what clients see stored.
	for i := range ps {
		if c, ok := ps[i].EffectiveConfidence(); ok && ps[i].Confidence == nil && ps[i].Probabilities != nil {
			ps[i].Confidence = new(c)
		}
	}
	for start := 0; start < len(ps); start += 1000 {
		mustIngest(t, s, ps[start:start+1000]...)
	}
	periods := []struct{ from, to time.Time }{
		{t0.Add(-7 * 24 * time.Hour), t0.Add(time.Minute)},               // everything
		{t0.Add(-24 * time.Hour), t0},                                    // the last day
		{t0.Add(-30*time.Hour - 17*time.Minute), t0.Add(-3 * time.Hour)}, // minutes, hours and a day boundary
		{t0.Add(-2*time.Hour - 5*time.Minute), t0.Add(-2 * time.Hour)},   // minutes only
	}
	for _, per := range periods {
		name := fmt.Sprintf("[%s,%s)", per.from.Format("01-02T15:04"), per.to.Format("01-02T15:04"))
		st, err := s.Stats(ctx(t), store.StatsQuery{From: per.from, To: per.to})
		if err != nil {
			t.Fatalf("Stats%s: %v", name, err)
		}
		total, dist, avgConf, avgLat, cov, lat := expected(ps, per.from, per.to)
		if st.TotalPredictions != total {
			t.Errorf("Stats%s total = %d, want %d", name, st.TotalPredictions, total)
		}
		if !mapsEqual(st.PredictionDistribution, dist) {
			t.Errorf("Stats%s distribution = %v, want %v", name, st.PredictionDistribution, dist)
		}
		days := per.to.Sub(per.from).Hours() / 24
		if !near(st.PredictionsPerDay, float64(total)/days, 1e-12) {
			t.Errorf("Stats%s per day = %v, want %v", name, st.PredictionsPerDay, float64(total)/days)
		}
		if total == 0 {
			continue
		}
		check := func(field string, got *float64, want, rel float64) {
			if got == nil {
				t.Errorf("Stats%s %s = null, want %v", name, field, want)
			} else if !near(*got, want, rel) {
				t.Errorf("Stats%s %s = %v, want %v (±%g relative)", name, field, *got, want, rel)
			}
		}
		check("avg_confidence", st.AvgConfidence, avgConf, 1e-9)
		check("avg_latency_ms", st.AvgLatencyMs, avgLat, 1e-9)
		check("ground_truth_coverage", st.GroundTruthCoverage, cov, 1e-12)
		if len(lat) >= 100 {
			check("p95_latency_ms", st.P95LatencyMs, quantile(lat, 0.95), 0.02)
			check("p99_latency_ms", st.P99LatencyMs, quantile(lat, 0.99), 0.02)
		}
	}
	// An empty period has zeros and nulls, never NaN.
	st, err := s.Stats(ctx(t), store.StatsQuery{From: t0.Add(30 * time.Hour), To: t0.Add(31 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalPredictions != 0 || st.AvgConfidence != nil || st.P95LatencyMs != nil || st.GroundTruthCoverage != nil || len(st.PredictionDistribution) != 0 {
		t.Errorf("Stats of an empty period = %+v, want zero and nulls", st)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testStatsFilters(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	mustIngest(t, s,
		pred("1", "a", "v1", t0, "x", 0.1), pred("2", "a", "v1", t0, "x", 0.2),
		pred("3", "a", "v2", t0, "y", 0.3), pred("4", "b", "v1", t0, "z", 0.4))
	cases := []struct {
		model, version string
		want           int64
	}{
		{"", "", 4}, {"a", "", 3}, {"a", "v1", 2}, {"a", "v2", 1}, {"b", "", 1}, {"", "v1", 3}, {"c", "", 0}, {"a", "v3", 0},
	}
	for _, c := range cases {
		st, err := s.Stats(ctx(t), store.StatsQuery{Model: c.model, Version: c.version, From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if st.TotalPredictions != c.want {
			t.Errorf("Stats(model %q, version %q) total = %d, want %d", c.model, c.version, st.TotalPredictions, c.want)
		}
	}
}

func testStatsCoverage(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	var ps []modelwatch.Prediction
	for i := range 10 {
		// Two days apart: labels must update the rollups of the prediction's
		// time, not the label's.
		ps = append(ps, pred(fmt.Sprint(i), "m", "1", t0.Add(-48*time.Hour+time.Duration(i)*time.Minute), "x", 0.5))
	}
	mustIngest(t, s, ps...)
	clock.Advance(48 * time.Hour)
	mustLabel(t, s, gt("0", "x"), gt("1", "y"), gt("2", "x"), gt("3", "x"))
	mustLabel(t, s, gt("0", "y")) // a relabel does not count twice
	q := store.StatsQuery{From: t0.Add(-49 * time.Hour), To: t0.Add(-47 * time.Hour)}
	st, err := s.Stats(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != 0.4 {
		t.Errorf("coverage = %v, want 0.4", st.GroundTruthCoverage)
	}
	// Labels for predictions that arrive later are counted when they join.
	mustLabel(t, s, gt("late", "x"))
	mustIngest(t, s, pred("late", "m", "1", t0.Add(-48*time.Hour+30*time.Minute), "x", 0.5))
	st, err = s.Stats(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if st.GroundTruthCoverage == nil || math.Abs(*st.GroundTruthCoverage-5.0/11) > 1e-15 || st.TotalPredictions != 11 {
		t.Errorf("coverage after a late join = %v of %d, want 5/11 of 11", st.GroundTruthCoverage, st.TotalPredictions)
	}
}
