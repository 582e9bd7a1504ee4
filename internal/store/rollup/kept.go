package rollup

import (
	"math"
	"slices"
	"time"
)

// Kept says which rollups a store still has. Minute rollups of buckets that
// start before Minute, and hour rollups of buckets that start before Hour,
// may have been pruned; day rollups are kept forever. Both are Unix seconds,
// Minute a multiple of an hour and Hour a multiple of a day, Hour ≤ Minute;
// zero says nothing of that resolution was pruned.
//
// A period is read at the finest resolution kept for it: minutes from Minute
// on, hours from Hour on, days before. Each resolution's rollups count the
// same predictions, so reading a coarser one changes only where a range's
// edges may fall (see Cover).
type Kept struct {
	Minute, Hour int64
}

// NewKept returns the horizons of pruning minute rollups older than
// minuteBefore and hour rollups older than hourBefore: minuteBefore rounded
// down to the hour, hourBefore rounded down to the day and to at most the
// minute horizon, so that every period has a finest resolution whose
// buckets it holds whole.
func NewKept(minuteBefore, hourBefore time.Time) Kept {
	m := floor(minuteBefore.Unix(), Hour)
	return Kept{Minute: m, Hour: floor(min(hourBefore.Unix(), m), Day)}
}

// Max returns the later horizon of k and o at each resolution: horizons never
// move back, because what was pruned does not return.
func (k Kept) Max(o Kept) Kept {
	return Kept{Minute: max(k.Minute, o.Minute), Hour: max(k.Hour, o.Hour)}
}

// From returns the start of the first bucket of resolution res that is
// kept, math.MinInt64 when every one is (days are never pruned).
func (k Kept) From(res int64) int64 {
	var h int64
	switch res {
	case Minute:
		h = k.Minute
	case Hour:
		h = k.Hour
	}
	if h == 0 {
		return math.MinInt64
	}
	return h
}

// Pruned returns the ranges of buckets that may have been pruned: minutes
// and hours before their horizons (From is math.MinInt64), for the
// horizons that are set.
func (k Kept) Pruned() []Range {
	var out []Range
	for _, res := range []int64{Minute, Hour} {
		if h := k.From(res); h != math.MinInt64 {
			out = append(out, Range{Res: res, From: math.MinInt64, To: h})
		}
	}
	return out
}

// Res returns the finest resolution kept for the time s (Unix seconds).
func (k Kept) Res(s int64) int64 {
	switch {
	case s >= k.From(Minute):
		return Minute
	case s >= k.From(Hour):
		return Hour
	}
	return Day
}

// SeriesRanges returns the ranges a series of resolution step over
// [from, to) reads: buckets of resolution step from where they are kept,
// and before that buckets of the finest coarser resolution kept, each range
// holding the buckets that start in [From, To). A series thus has a point
// for every bucket with data, coarser where finer rollups were pruned; the
// first point may start before from (at most one bucket of its
// resolution). The ranges come oldest first.
func SeriesRanges(from, to time.Time, step int64, k Kept) []Range {
	f, t := BucketStart(from, step), to.Unix()
	if t <= f {
		return nil
	}
	var out []Range
	end := t
	for _, res := range Resolutions {
		if res < step {
			continue
		}
		lo, kept := floor(f, res), k.From(res)
		if start := max(lo, kept); start < end {
			out = append(out, Range{Res: res, From: start, To: end})
		}
		if lo >= kept {
			break
		}
		end = min(end, kept)
	}
	slices.Reverse(out)
	return out
}
