package storetest

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

func testSeries(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	// Three hours with 10, 20 and 30 predictions; in hour h every prediction
	// has inference latency 10·(h+1) ms and preprocessing 1 ms.
	var ps []modelwatch.Prediction
	var ls []modelwatch.GroundTruth
	start := t0.Truncate(time.Hour).Add(-3 * time.Hour)
	for hr := range 3 {
		for i := range 10 * (hr + 1) {
			id := fmt.Sprintf("h%d-%d", hr, i)
			p := pred(id, "m", "1", start.Add(time.Duration(hr)*time.Hour+time.Duration(i)*time.Minute), []string{"a", "b"}[i%2], 0.5)
			p.Latency.InferenceMs = new(10 * float64(hr+1))
			p.Latency.PreprocessingMs = new(1.0)
			ps = append(ps, p)
			if i < 4 {
				ls = append(ls, gt(id, "a")) // a/a right, b/a wrong
			}
		}
	}
	ps = append(ps, pred("other-version", "m", "2", start, "a", 0.5))
	mustIngest(t, s, ps...)
	mustLabel(t, s, ls...)
	mustLabel(t, s, gt("h1-1", "b")) // a correction: b predicted, now right

	pts, err := s.Series(ctx(t), store.SeriesQuery{Model: key, From: start.Add(-time.Hour), To: t0, Step: rollup.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 3 {
		t.Fatalf("Series = %d points, want 3", len(pts))
	}
	for hr, p := range pts {
		if !p.Start.Equal(start.Add(time.Duration(hr) * time.Hour)) {
			t.Errorf("point %d starts at %s", hr, p.Start)
		}
		n := int64(10 * (hr + 1))
		wantCorrect := int64(2)
		wantConf := map[rollup.Pair]int64{{Truth: "a", Pred: "a"}: 2, {Truth: "a", Pred: "b"}: 2}
		if hr == 1 {
			wantCorrect = 3
			wantConf = map[rollup.Pair]int64{{Truth: "a", Pred: "a"}: 2, {Truth: "a", Pred: "b"}: 1, {Truth: "b", Pred: "b"}: 1}
		}
		if p.N != n || p.Labelled != 4 || p.Correct != wantCorrect || p.Classes["a"] != n/2 {
			t.Errorf("point %d: n %d labelled %d correct %d classes %v; want %d, 4, %d", hr, p.N, p.Labelled, p.Correct, p.Classes, n, wantCorrect)
		}
		for pair, c := range wantConf {
			if p.Confusion[pair] != c {
				t.Errorf("point %d: confusion %v = %d, want %d (all %v)", hr, pair, p.Confusion[pair], c, p.Confusion)
			}
		}
		inf := &p.Stages[1]
		if q, ok, err := inf.Quantile(0.5); err != nil || !ok || math.Abs(q-10*float64(hr+1)) > 1e-9 || inf.N != n {
			t.Errorf("point %d inference p50 = %v (n %d), want %v", hr, q, inf.N, 10*(hr+1))
		}
		if pre := &p.Stages[0]; pre.N != n || pre.Max != 1 {
			t.Errorf("point %d preprocessing: n %d max %v", hr, pre.N, pre.Max)
		}
		if p.Stages[2].N != 0 {
			t.Errorf("point %d has postprocessing latencies that were never sent", hr)
		}
		if tot := &p.Latency; tot.N != n || tot.Min != 10*float64(hr+1)+1 {
			t.Errorf("point %d total latency: n %d min %v", hr, tot.N, tot.Min)
		}
	}
	// Minutes, and a range that excludes the first hour.
	pts, err = s.Series(ctx(t), store.SeriesQuery{Model: key, From: start.Add(time.Hour), To: start.Add(time.Hour + 5*time.Minute), Step: rollup.Minute})
	if err != nil || len(pts) != 5 || pts[0].N != 1 {
		t.Errorf("minute series = %d points, %v", len(pts), err)
	}
	if pts, err := s.Series(ctx(t), store.SeriesQuery{Model: modelwatch.ModelKey{Name: "x", Version: "y"}, From: start, To: t0, Step: rollup.Hour}); err != nil || len(pts) != 0 {
		t.Errorf("series of an unknown version = %v, %v", pts, err)
	}
	if _, err := s.Series(ctx(t), store.SeriesQuery{Model: key, From: start, To: t0, Step: 7}); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
		t.Errorf("series with a 7-second step: %v, want invalid", err)
	}
}
