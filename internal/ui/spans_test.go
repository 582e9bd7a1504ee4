package ui

import (
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// TestGroupPointsCoarse checks where points wider than the span's
// resolution go (the store returns hours where minute rollups were pruned):
// whole into the bucket of their start, or the first bucket when they start
// before the grid and end inside it.
func TestGroupPointsCoarse(t *testing.T) {
	s, _ := lookupSpan("24h") // minute rollups, 15-minute points
	g := gridFor(s, fakeNow)
	mk := func(at time.Time, res int64, n int) rollup.Point {
		a := &rollup.Agg{}
		for range n {
			a.AddPrediction(&modelwatch.Prediction{Prediction: "x"})
		}
		return rollup.Point{Start: at, Res: res, Agg: a}
	}
	pts := []rollup.Point{
		mk(g.from.Add(-time.Hour), rollup.Hour, 1),               // ends where the grid starts: ignored
		mk(g.from.Add(-20*time.Minute), rollup.Hour, 2),          // overlaps the grid: bucket 0
		mk(g.from.Add(-time.Minute), rollup.Minute, 4),           // before the grid: ignored
		mk(g.from.Add(time.Hour+15*time.Minute), rollup.Hour, 8), // bucket 5
	}
	buckets, err := groupPoints(g, pts)
	if err != nil {
		t.Fatal(err)
	}
	per, total, err := rangeStats(buckets)
	if err != nil {
		t.Fatal(err)
	}
	if per[0].N != 2 || per[5].N != 8 || per[6].N != 0 || total.N != 10 {
		t.Errorf("counts = bucket 0: %d, 5: %d, 6: %d, total %d; want 2, 8, 0, 10", per[0].N, per[5].N, per[6].N, total.N)
	}
}
