package ui

import (
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// span is one of the selectable ranges of the model version page: how far
// back it looks, which rollups it reads, and how wide a chart point is.
type span struct {
	Key        string        // the ?range= value
	Label      string        // the selector's text
	Length     time.Duration // how far back from now
	Res        int64         // rollup resolution read (rollup.Minute, Hour or Day)
	Point      time.Duration // width of a chart point, a multiple of Res
	Tick       time.Duration // distance between time axis labels
	TickFormat string        // time.Format layout of the labels
}

// defaultSpan is the range shown when the URL names none.
const defaultSpan = "7d"

// spans lists the selectable ranges, shortest first. Each reads at most
// 1440 rollup rows per kind (the 24-hour range, per minute), and draws at
// most 168 points.
func spans() []span {
	const day = 24 * time.Hour
	return []span{
		{"1h", "1 hour", time.Hour, rollup.Minute, time.Minute, 10 * time.Minute, "15:04"},
		{"6h", "6 hours", 6 * time.Hour, rollup.Minute, 5 * time.Minute, time.Hour, "15:04"},
		{"24h", "24 hours", day, rollup.Minute, 15 * time.Minute, 3 * time.Hour, "15:04"},
		{"7d", "7 days", 7 * day, rollup.Hour, time.Hour, day, "Jan 2"},
		{"30d", "30 days", 30 * day, rollup.Hour, 6 * time.Hour, 5 * day, "Jan 2"},
		{"90d", "90 days", 90 * day, rollup.Day, day, 15 * day, "Jan 2"},
	}
}

// lookupSpan returns the range with this key ("" for the default).
func lookupSpan(key string) (span, bool) {
	if key == "" {
		key = defaultSpan
	}
	for _, s := range spans() {
		if s.Key == key {
			return s, true
		}
	}
	return span{}, false
}

// gridFor returns the chart grid of a range ending at now: points aligned
// to their width (UTC), the last one holding now.
func gridFor(s span, now time.Time) grid {
	end := now.UTC().Truncate(s.Point).Add(s.Point)
	n := int(s.Length / s.Point)
	return grid{from: end.Add(-s.Length), step: s.Point, n: n, span: s}
}

// groupPoints merges rollup points into the grid's buckets. A bucket
// without data is nil; points outside the grid are ignored. A point wider
// than the span's resolution (the store read a coarser one where the finer
// rollups were pruned, see rollup.SeriesRanges) goes whole into the bucket
// its start falls in, or into the first bucket when it starts before the
// grid and ends inside it: its predictions are all shown, if less finely.
func groupPoints(g grid, pts []rollup.Point) ([]*rollup.Agg, error) {
	out := make([]*rollup.Agg, g.n)
	for _, p := range pts {
		if p.Agg == nil {
			continue
		}
		start := p.Start
		if start.Before(g.from) && start.Add(time.Duration(p.Res)*time.Second).After(g.from) {
			start = g.from
		}
		if start.Before(g.from) {
			continue
		}
		i := int(start.Sub(g.from) / g.step)
		if i >= g.n {
			continue
		}
		if out[i] == nil {
			out[i] = &rollup.Agg{}
		}
		if err := out[i].Merge(p.Agg); err != nil {
			return nil, fmt.Errorf("merge rollups of %s: %w", p.Start.Format(time.RFC3339), err)
		}
	}
	return out, nil
}

// bucketStart returns the start of bucket i.
func (g grid) bucketStart(i int) time.Time { return g.from.Add(time.Duration(i) * g.step) }
