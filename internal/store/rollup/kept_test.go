package rollup

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestNewKept(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name         string
		minute, hour time.Time
		want         Kept
	}{
		{"rounded down", day.Add(14*time.Hour + 59*time.Minute), day.Add(-3*24*time.Hour + 23*time.Hour), Kept{sec(day, 14*time.Hour), sec(day, -3*24*time.Hour)}},
		{"aligned", day.Add(time.Hour), day.Add(-24 * time.Hour), Kept{sec(day, time.Hour), sec(day, -24*time.Hour)}},
		// An hour horizon after the minute horizon would leave a period
		// with minutes and no hours: it is held back to the minute one's day.
		{"hours not after minutes", day.Add(10 * time.Hour), day.Add(48 * time.Hour), Kept{sec(day, 10*time.Hour), sec(day, 0)}},
	}
	for _, c := range cases {
		if got := NewKept(c.minute, c.hour); got != c.want {
			t.Errorf("NewKept(%s) = %v, want %v", c.name, got, c.want)
		}
	}
	if got := (Kept{Minute: 100, Hour: 50}).Max(Kept{Minute: 60, Hour: 70}); got != (Kept{Minute: 100, Hour: 70}) {
		t.Errorf("Max = %v, want {100 70}", got)
	}
}

func TestKeptRes(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	k := Kept{Minute: sec(day, 10*time.Hour), Hour: sec(day, -3*24*time.Hour)}
	for _, c := range []struct {
		at   time.Duration
		want int64
	}{
		{10 * time.Hour, Minute}, {10*time.Hour - time.Second, Hour}, {-3 * 24 * time.Hour, Hour}, {-3*24*time.Hour - time.Second, Day},
	} {
		if got := k.Res(sec(day, c.at)); got != c.want {
			t.Errorf("Res(day%+v) = %d, want %d", c.at, got, c.want)
		}
	}
	var none Kept
	if none.Res(-1e9) != Minute || none.From(Hour) != math.MinInt64 || len(none.Pruned()) != 0 {
		t.Errorf("the zero Kept prunes something: Res %d, From(Hour) %d, Pruned %v", none.Res(-1e9), none.From(Hour), none.Pruned())
	}
	want := []Range{{Minute, math.MinInt64, k.Minute}, {Hour, math.MinInt64, k.Hour}}
	if got := k.Pruned(); !slices.Equal(got, want) {
		t.Errorf("Pruned = %v, want %v", got, want)
	}
}

func TestCoverKept(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// Minutes kept from 10:00 on day, hours from three days before.
	k := Kept{Minute: sec(day, 10*time.Hour), Hour: sec(day, -3*24*time.Hour)}
	at := func(d time.Duration) time.Time { return day.Add(d) }
	cases := []struct {
		name     string
		from, to time.Duration
		want     []Range
	}{
		{
			"after the minute horizon, as without pruning", 10*time.Hour + 5*time.Minute, 11*time.Hour + 20*time.Minute,
			[]Range{{Minute, sec(day, 10*time.Hour+5*time.Minute), sec(day, 11*time.Hour)}, {Minute, sec(day, 11*time.Hour), sec(day, 11*time.Hour+20*time.Minute)}},
		},
		{
			"from in a pruned hour: rounded down to it", 8*time.Hour + 20*time.Minute, 12*time.Hour + 5*time.Minute,
			[]Range{{Hour, sec(day, 8*time.Hour), sec(day, 12*time.Hour)}, {Minute, sec(day, 12*time.Hour), sec(day, 12*time.Hour+5*time.Minute)}},
		},
		{
			"both edges in pruned hours: rounded out to them", 7*time.Hour + 10*time.Minute, 8*time.Hour + 20*time.Minute,
			[]Range{{Hour, sec(day, 7*time.Hour), sec(day, 9*time.Hour)}},
		},
		{
			"hour-aligned edges before the minute horizon: exact", 7 * time.Hour, 9 * time.Hour,
			[]Range{{Hour, sec(day, 7*time.Hour), sec(day, 9*time.Hour)}},
		},
		{
			"to exactly at the minute horizon", 9*time.Hour + 30*time.Minute, 10 * time.Hour,
			[]Range{{Hour, sec(day, 9*time.Hour), sec(day, 10*time.Hour)}},
		},
		{
			"from past the hour horizon: rounded down to the day", -4*24*time.Hour + 5*time.Hour + 7*time.Minute, 10*time.Hour + 30*time.Minute,
			[]Range{{Day, sec(day, -4*24*time.Hour), sec(day, 0)}, {Hour, sec(day, 0), sec(day, 10*time.Hour)}, {Minute, sec(day, 10*time.Hour), sec(day, 10*time.Hour+30*time.Minute)}},
		},
		{
			"to past the hour horizon: rounded up to the day", -5*24*time.Hour + 30*time.Minute, -4*24*time.Hour + time.Minute,
			[]Range{{Day, sec(day, -5*24*time.Hour), sec(day, -3*24*time.Hour)}},
		},
	}
	for _, c := range cases {
		got := Cover(at(c.from), at(c.to), k)
		if !slices.Equal(got, c.want) {
			t.Errorf("Cover(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCoverKeptPartitions checks on many ranges and horizons that Cover's
// pieces are aligned and contiguous, never read a pruned resolution, and
// cover the range rounded out to the resolution kept at each edge.
func TestCoverKeptPartitions(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for h := range 40 {
		minuteAt := base.Add(time.Duration(h*h*3001) * time.Minute)
		k := NewKept(minuteAt, minuteAt.Add(-time.Duration(h*37)*time.Hour))
		for i := range 500 {
			from := base.Add(time.Duration(i*7919+h*1000003) * time.Second)
			to := from.Add(time.Duration(i*i*131) * time.Second)
			rs := Cover(from, to, k)
			f := floor(from.Unix(), Minute)
			tt := ceil(to.Unix(), Minute)
			if tt <= f {
				if len(rs) != 0 {
					t.Fatalf("Cover of an empty range = %v", rs)
				}
				continue
			}
			wantFrom, wantTo := floor(f, k.Res(f)), ceil(tt, k.Res(tt-Minute))
			next := wantFrom
			for _, r := range rs {
				if r.From != next || r.From%r.Res != 0 || r.To%r.Res != 0 || r.To <= r.From {
					t.Fatalf("Cover(%v, %v, %v) = %v: piece %v is not aligned and contiguous", from, to, k, rs, r)
				}
				if r.From < k.From(r.Res) {
					t.Fatalf("Cover(%v, %v, %v) = %v: piece %v reads pruned rollups", from, to, k, rs, r)
				}
				next = r.To
			}
			if next != wantTo {
				t.Fatalf("Cover(%v, %v, %v) ends at %d, want %d", from, to, k, next, wantTo)
			}
		}
	}
}

func TestSeriesRanges(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	k := Kept{Minute: sec(day, 10*time.Hour), Hour: sec(day, -3*24*time.Hour)}
	at := func(d time.Duration) time.Time { return day.Add(d) }
	cases := []struct {
		from, to time.Duration
		step     int64
		want     []Range
	}{
		{10*time.Hour + 30*time.Second, 11 * time.Hour, Minute, []Range{{Minute, sec(day, 10*time.Hour), sec(day, 11*time.Hour)}}},
		{
			8*time.Hour + 30*time.Minute, 10*time.Hour + 10*time.Minute, Minute,
			[]Range{{Hour, sec(day, 8*time.Hour), sec(day, 10*time.Hour)}, {Minute, sec(day, 10*time.Hour), sec(day, 10*time.Hour+10*time.Minute)}},
		},
		{8*time.Hour + 30*time.Minute, 9*time.Hour + 10*time.Minute, Minute, []Range{{Hour, sec(day, 8*time.Hour), sec(day, 9*time.Hour+10*time.Minute)}}},
		{
			-4*24*time.Hour + 30*time.Minute, 10*time.Hour + 10*time.Minute, Minute,
			[]Range{
				{Day, sec(day, -4*24*time.Hour), sec(day, -3*24*time.Hour)},
				{Hour, sec(day, -3*24*time.Hour), sec(day, 10*time.Hour)},
				{Minute, sec(day, 10*time.Hour), sec(day, 10*time.Hour+10*time.Minute)},
			},
		},
		{
			-4*24*time.Hour + 30*time.Minute, 5 * time.Hour, Hour,
			[]Range{{Day, sec(day, -4*24*time.Hour), sec(day, -3*24*time.Hour)}, {Hour, sec(day, -3*24*time.Hour), sec(day, 5*time.Hour)}},
		},
		{-10 * 24 * time.Hour, 0, Day, []Range{{Day, sec(day, -10*24*time.Hour), sec(day, 0)}}},
		{5 * time.Hour, 5 * time.Hour, Minute, nil},
	}
	for _, c := range cases {
		name := fmt.Sprintf("SeriesRanges(day%+v, day%+v, %d)", c.from, c.to, c.step)
		if got := SeriesRanges(at(c.from), at(c.to), c.step, k); !slices.Equal(got, c.want) {
			t.Errorf("%s = %v, want %v", name, got, c.want)
		}
	}
	// Without pruning, one range of the step.
	if got := SeriesRanges(at(-time.Hour), at(time.Hour), Minute, Kept{}); !slices.Equal(got, []Range{{Minute, sec(day, -time.Hour), sec(day, time.Hour)}}) {
		t.Errorf("SeriesRanges without pruning = %v", got)
	}
}
