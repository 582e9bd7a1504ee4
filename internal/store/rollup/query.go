package rollup

import (
	"time"

	"github.com/modelwatch/modelwatch"
)

// Range is a half-open range [From, To) of bucket starts, in Unix seconds, at
// one resolution.
type Range struct {
	Res      int64
	From, To int64
}

// Cover splits [from, to) into the fewest ranges of whole buckets that the
// store keeps (see Kept): days where whole days fit, hours where whole hours
// fit, minutes at the edges. A query then reads at most 59+23+days+23+59
// rows per model version.
//
// The edges are rounded outward to the finest resolution kept where they
// fall: from down and to up to the minute, or to the hour where minute
// rollups were pruned, or to the day where hour rollups were too. So a range
// whose edges are whole hours (whole days past the hour horizon) counts
// exactly the predictions in it; one whose edge falls inside a pruned hour
// also counts the rest of that hour's predictions.
func Cover(from, to time.Time, k Kept) []Range {
	f := floor(from.Unix(), Minute)
	t := ceil(to.Unix(), Minute)
	if t <= f {
		return nil
	}
	// Horizons are whole hours (minutes) and whole days (hours), so every
	// piece below lies on one side of each horizon.
	f = floor(f, k.Res(f))
	t = ceil(t, k.Res(t-Minute))
	h1 := min(ceil(f, Hour), t)
	h2 := max(floor(t, Hour), h1)
	d1 := min(ceil(h1, Day), h2)
	d2 := max(floor(h2, Day), d1)
	var out []Range
	add := func(res, a, b int64) {
		if a < b {
			out = append(out, Range{Res: res, From: a, To: b})
		}
	}
	add(Minute, f, h1)
	add(Hour, h1, d1)
	add(Day, d1, d2)
	add(Hour, d2, h2)
	add(Minute, h2, t)
	return out
}

func floor(s, res int64) int64 {
	r := s % res
	if r < 0 {
		r += res
	}
	return s - r
}

func ceil(s, res int64) int64 {
	f := floor(s, res)
	if f == s {
		return s
	}
	return f + res
}

// Stats turns the merged summary of a period of the given length into the
// specification's statistics.
func Stats(a *Agg, period time.Duration) (modelwatch.PredictionStats, error) {
	st := modelwatch.PredictionStats{
		TotalPredictions:       a.N,
		PredictionDistribution: map[string]int64{},
	}
	if days := period.Hours() / 24; days > 0 {
		st.PredictionsPerDay = float64(a.N) / days
	}
	for c, n := range a.Classes {
		if n != 0 {
			st.PredictionDistribution[c] = n
		}
	}
	if a.ConfN > 0 {
		st.AvgConfidence = new(a.ConfSum / float64(a.ConfN))
	}
	if a.Latency.N > 0 {
		st.AvgLatencyMs = new(a.LatSum / float64(a.Latency.N))
	}
	if a.N > 0 {
		st.GroundTruthCoverage = new(float64(a.Labelled) / float64(a.N))
	}
	for _, q := range []struct {
		q   float64
		dst **float64
	}{{0.95, &st.P95LatencyMs}, {0.99, &st.P99LatencyMs}} {
		v, ok, err := a.Latency.Quantile(q.q)
		if err != nil {
			return st, err
		}
		if ok {
			*q.dst = new(v)
		}
	}
	return st, nil
}
