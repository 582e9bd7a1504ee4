package storetest

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

const day = 24 * time.Hour

// pruneData is a prediction every 23 minutes (and some seconds) over the 31
// days before t0, of two model versions, a third labelled (some wrongly),
// with confidences, classes and stage latencies that vary.
func pruneData() []modelwatch.Prediction {
	var ps []modelwatch.Prediction
	start := t0.Add(-31 * day)
	for i := 0; ; i++ {
		ts := start.Add(time.Duration(i)*23*time.Minute + time.Duration(i*7919%60)*time.Second)
		if !ts.Before(t0) {
			return ps
		}
		version := []string{"1", "1", "2"}[i%3]
		class := []string{"cat", "dog", "bird"}[i%5%3]
		p := pred(fmt.Sprintf("p%05d", i), "m", version, ts, class, float64(i%97)/97)
		p.Latency.PreprocessingMs = new(float64(i%7) + 0.5)
		p.Latency.InferenceMs = new(10 + float64(i*31%200))
		if i%4 == 0 {
			p.LatencyMs = new(float64(i%500) + 1)
		}
		if i%3 != 1 {
			p.GroundTruth = modelwatch.Label([]string{class, "cat"}[i%2])
		}
		ps = append(ps, p)
	}
}

func mustStats(t *testing.T, s store.Store, from, to time.Time) modelwatch.PredictionStats {
	t.Helper()
	st, err := s.Stats(ctx(t), store.StatsQuery{From: from, To: to})
	if err != nil {
		t.Fatalf("Stats[%s, %s): %v", from, to, err)
	}
	return st
}

func mustSeries(t *testing.T, s store.Store, k modelwatch.ModelKey, from, to time.Time, step int64) []rollup.Point {
	t.Helper()
	pts, err := s.Series(ctx(t), store.SeriesQuery{Model: k, From: from, To: to, Step: step})
	if err != nil {
		t.Fatalf("Series[%s, %s) step %d: %v", from, to, step, err)
	}
	return pts
}

func mustPrune(t *testing.T, s store.Store, minuteBefore, hourBefore time.Time) store.PruneResult {
	t.Helper()
	res, err := s.PruneRollups(ctx(t), minuteBefore, hourBefore)
	if err != nil {
		t.Fatalf("PruneRollups(%s, %s): %v", minuteBefore, hourBefore, err)
	}
	return res
}

// sameStats reports how got differs from want: counts exactly, sums and
// percentiles to 1e-9 (sums of the same numbers added in another order).
func sameStats(got, want modelwatch.PredictionStats) string {
	if got.TotalPredictions != want.TotalPredictions || !maps.Equal(got.PredictionDistribution, want.PredictionDistribution) {
		return fmt.Sprintf("total %d %v, want %d %v", got.TotalPredictions, got.PredictionDistribution, want.TotalPredictions, want.PredictionDistribution)
	}
	for _, f := range []struct {
		name      string
		got, want *float64
	}{
		{"avg_confidence", got.AvgConfidence, want.AvgConfidence},
		{"avg_latency_ms", got.AvgLatencyMs, want.AvgLatencyMs},
		{"p95_latency_ms", got.P95LatencyMs, want.P95LatencyMs},
		{"p99_latency_ms", got.P99LatencyMs, want.P99LatencyMs},
		{"ground_truth_coverage", got.GroundTruthCoverage, want.GroundTruthCoverage},
	} {
		if (f.got == nil) != (f.want == nil) || f.got != nil && !near(*f.got, *f.want, 1e-9) {
			return fmt.Sprintf("%s = %v, want %v", f.name, deref(f.got), deref(f.want))
		}
	}
	if !near(got.PredictionsPerDay, want.PredictionsPerDay, 1e-12) {
		return fmt.Sprintf("predictions_per_day = %v, want %v", got.PredictionsPerDay, want.PredictionsPerDay)
	}
	return ""
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// samePoints reports how two series differ: bucket starts and widths, every
// count, sums to 1e-9 and the latency sketches' counts and ranges.
func samePoints(got, want []rollup.Point) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d points, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		switch {
		case !g.Start.Equal(w.Start) || g.Res != w.Res:
			return fmt.Sprintf("point %d starts at %s (%d s), want %s (%d s)", i, g.Start, g.Res, w.Start, w.Res)
		case g.N != w.N || g.ConfN != w.ConfN || g.Labelled != w.Labelled || g.Correct != w.Correct:
			return fmt.Sprintf("point %s: n %d conf_n %d labelled %d correct %d, want %d %d %d %d",
				g.Start, g.N, g.ConfN, g.Labelled, g.Correct, w.N, w.ConfN, w.Labelled, w.Correct)
		case !near(g.ConfSum, w.ConfSum, 1e-9) || !near(g.LatSum, w.LatSum, 1e-9):
			return fmt.Sprintf("point %s: sums %v %v, want %v %v", g.Start, g.ConfSum, g.LatSum, w.ConfSum, w.LatSum)
		case !maps.Equal(g.Classes, w.Classes) || !maps.Equal(g.Confusion, w.Confusion):
			return fmt.Sprintf("point %s: classes %v confusion %v, want %v %v", g.Start, g.Classes, g.Confusion, w.Classes, w.Confusion)
		}
		gs := [4]*rollup.Sketch{&g.Latency, &g.Stages[0], &g.Stages[1], &g.Stages[2]}
		ws := [4]*rollup.Sketch{&w.Latency, &w.Stages[0], &w.Stages[1], &w.Stages[2]}
		for k := range gs {
			if gs[k].N != ws[k].N || gs[k].Min != ws[k].Min || gs[k].Max != ws[k].Max {
				return fmt.Sprintf("point %s: sketch %d has %d in [%v, %v], want %d in [%v, %v]",
					g.Start, k, gs[k].N, gs[k].Min, gs[k].Max, ws[k].N, ws[k].Min, ws[k].Max)
			}
		}
	}
	return ""
}

// sumPoints merges a series into one summary.
func sumPoints(t *testing.T, pts []rollup.Point) *rollup.Agg {
	t.Helper()
	all := &rollup.Agg{}
	for _, p := range pts {
		if err := all.Merge(p.Agg); err != nil {
			t.Fatal(err)
		}
	}
	return all
}

// testPruneRollups prunes minute rollups older than 14 days, then hour
// rollups older than 20 days, and checks that every read still counts
// every prediction, at the finest resolution kept, with the edges of a
// range rounded out only where they fall in a pruned bucket.
func testPruneRollups(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	ps := pruneData()
	for i := 0; i < len(ps); i += 500 {
		mustIngest(t, s, ps[i:min(i+500, len(ps))]...)
	}
	minuteBefore, hourBefore := t0.Add(-14*day), t0.Add(-20*day)
	kept := rollup.NewKept(minuteBefore, hourBefore)
	hm, hh := time.Unix(kept.Minute, 0).UTC(), time.Unix(kept.Hour, 0).UTC()
	if !hm.Equal(t0.Add(-14*day).Truncate(time.Hour)) || !hh.Equal(t0.Add(-20*day).Truncate(day)) {
		t.Fatalf("horizons %s and %s", hm, hh)
	}
	k2 := modelwatch.ModelKey{Name: "m", Version: "2"}

	// Ranges and what they read before any pruning.
	hourAligned := t0.Add(-30 * day).Truncate(time.Hour)
	dayAligned := t0.Add(-30 * day).Truncate(day)
	oddFrom := hm.Add(-5*day + 50*time.Minute)               // in an hour whose minutes are pruned
	oddTo := hm.Add(-2*day + 10*time.Minute + 7*time.Second) // likewise
	recentFrom := hm.Add(2*time.Hour + 13*time.Minute)       // minutes kept
	type snapshot struct {
		hourAligned, dayAligned, odd, oddRounded, recent modelwatch.PredictionStats
		minutesKept, hoursAll, daysAll, hoursKept        []rollup.Point
		minutesOld, hoursOld                             []rollup.Point
		labelled, correct                                int64
	}
	read := func() snapshot {
		var sn snapshot
		sn.hourAligned = mustStats(t, s, hourAligned, t0)
		sn.dayAligned = mustStats(t, s, dayAligned, t0)
		sn.odd = mustStats(t, s, oddFrom, oddTo)
		sn.oddRounded = mustStats(t, s, oddFrom.Truncate(time.Hour), oddTo.Truncate(time.Hour).Add(time.Hour))
		sn.recent = mustStats(t, s, recentFrom, t0)
		sn.minutesKept = mustSeries(t, s, key, hm, t0, rollup.Minute)
		sn.hoursAll = mustSeries(t, s, key, t0.Add(-32*day), t0, rollup.Hour)
		sn.hoursKept = mustSeries(t, s, k2, hh, t0, rollup.Hour)
		sn.daysAll = mustSeries(t, s, key, t0.Add(-32*day), t0, rollup.Day)
		sn.minutesOld = mustSeries(t, s, key, hm.Add(-3*day), hm.Add(-2*day), rollup.Minute)
		sn.hoursOld = mustSeries(t, s, k2, hh.Add(-3*day+5*time.Hour), hh.Add(-2*day), rollup.Hour)
		var err error
		if sn.labelled, sn.correct, err = s.Accuracy(ctx(t), key, hourAligned, t0); err != nil {
			t.Fatal(err)
		}
		return sn
	}
	before := read()
	if before.hourAligned.TotalPredictions < 1000 || len(before.minutesOld) < 30 || before.odd.TotalPredictions >= before.oddRounded.TotalPredictions {
		t.Fatalf("test data: %d predictions in 30 days, %d minute points in a day, %d and %d around odd edges",
			before.hourAligned.TotalPredictions, len(before.minutesOld), before.odd.TotalPredictions, before.oddRounded.TotalPredictions)
	}

	// Minutes first: hours are kept for 400 days.
	res := mustPrune(t, s, minuteBefore, t0.Add(-400*day))
	if res.Kept.Minute != kept.Minute || res.Buckets == 0 || res.Rows <= res.Buckets {
		t.Fatalf("PruneRollups(minutes) = %+v, want minutes kept from %s and rows deleted", res, hm)
	}
	after := read()
	// Hour-aligned edges are exact; so are edges where minutes are kept.
	for _, c := range []struct {
		name      string
		got, want modelwatch.PredictionStats
	}{
		{"30 days from a whole hour", after.hourAligned, before.hourAligned},
		{"30 days from a whole day", after.dayAligned, before.dayAligned},
		{"a range where minutes are kept", after.recent, before.recent},
		{"rounded range", after.oddRounded, before.oddRounded},
	} {
		if d := sameStats(c.got, c.want); d != "" {
			t.Errorf("after pruning minutes, Stats of %s: %s", c.name, d)
		}
	}
	// Edges inside pruned hours count those whole hours; the rate per day
	// still divides by the range asked for.
	wantOdd := before.oddRounded
	wantOdd.PredictionsPerDay = float64(wantOdd.TotalPredictions) / (oddTo.Sub(oddFrom).Hours() / 24)
	if d := sameStats(after.odd, wantOdd); d != "" {
		t.Errorf("after pruning minutes, Stats of a range with edges in pruned hours: %s; want the whole hours", d)
	}
	if after.labelled != before.labelled || after.correct != before.correct {
		t.Errorf("Accuracy after pruning minutes = %d/%d, want %d/%d", after.correct, after.labelled, before.correct, before.labelled)
	}
	// Nothing newer than the horizon, and no hour or day, was touched.
	for _, c := range []struct {
		name      string
		got, want []rollup.Point
	}{
		{"minutes since the horizon", after.minutesKept, before.minutesKept},
		{"every hour", after.hoursAll, before.hoursAll},
		{"every day", after.daysAll, before.daysAll},
		{"hours of version 2", after.hoursKept, before.hoursKept},
	} {
		if d := samePoints(c.got, c.want); d != "" {
			t.Errorf("after pruning minutes, Series of %s: %s", c.name, d)
		}
	}
	// A minute series of a pruned day has its hours.
	wantHours := mustSeries(t, s, key, hm.Add(-3*day), hm.Add(-2*day), rollup.Hour)
	if d := samePoints(after.minutesOld, wantHours); d != "" || len(wantHours) != 24 {
		t.Errorf("minute Series of a pruned day: %s; want its %d hours", d, len(wantHours))
	}
	// Across the horizon: hours, then minutes, counting everything.
	across := mustSeries(t, s, key, hm.Add(-2*time.Hour-30*time.Minute), hm.Add(2*time.Hour), rollup.Minute)
	if len(across) < 6 || across[0].Res != rollup.Hour || !across[0].Start.Equal(hm.Add(-3*time.Hour)) || across[len(across)-1].Res != rollup.Minute {
		t.Errorf("minute Series across the horizon: %d points from %s (%d s)", len(across), across[0].Start, across[0].Res)
	}
	if got, want := sumPoints(t, across).N, sumPoints(t, mustSeries(t, s, key, hm.Add(-3*time.Hour), hm.Add(2*time.Hour), rollup.Hour)).N; got != want {
		t.Errorf("minute Series across the horizon counts %d predictions, want %d", got, want)
	}

	// Pruning again deletes nothing, and horizons never move back.
	if res := mustPrune(t, s, minuteBefore, t0.Add(-400*day)); res.Buckets != 0 || res.Rows != 0 {
		t.Errorf("PruneRollups again deleted %+v, want nothing", res)
	}
	if res := mustPrune(t, s, minuteBefore.Add(-5*day), t0.Add(-500*day)); res.Kept.Minute != kept.Minute || res.Buckets != 0 {
		t.Errorf("PruneRollups with older horizons = %+v, want the horizons kept at %s", res, hm)
	}

	// Then hours older than 20 days.
	res = mustPrune(t, s, minuteBefore, hourBefore)
	if res.Kept != kept || res.Buckets == 0 {
		t.Fatalf("PruneRollups(hours) = %+v, want %+v and rows deleted", res, kept)
	}
	after = read()
	if d := sameStats(after.dayAligned, before.dayAligned); d != "" {
		t.Errorf("after pruning hours, Stats of 30 days from a whole day: %s", d)
	}
	// A whole hour past the hour horizon counts its whole day.
	wantDay := mustStats(t, s, dayAligned, t0)
	wantDay.PredictionsPerDay = float64(wantDay.TotalPredictions) / (t0.Sub(hourAligned).Hours() / 24)
	if d := sameStats(after.hourAligned, wantDay); d != "" {
		t.Errorf("after pruning hours, Stats from a whole hour past the hour horizon: %s; want the whole day", d)
	}
	if d := samePoints(after.hoursKept, before.hoursKept); d != "" {
		t.Errorf("after pruning hours, Series of the hours kept: %s", d)
	}
	if d := samePoints(after.daysAll, before.daysAll); d != "" {
		t.Errorf("after pruning hours, Series of every day: %s", d)
	}
	// An hour series of a pruned day has its day (starting before the range).
	wantDays := mustSeries(t, s, k2, hh.Add(-4*day), hh.Add(-2*day), rollup.Day)
	if d := samePoints(after.hoursOld, wantDays[1:]); d != "" || len(after.hoursOld) != 1 {
		t.Errorf("hour Series of a day whose hours were pruned: %s; want the day", d)
	}
	if sumPoints(t, after.hoursAll).N != sumPoints(t, before.hoursAll).N {
		t.Errorf("hour Series of 32 days counts %d predictions after pruning hours, want %d", sumPoints(t, after.hoursAll).N, sumPoints(t, before.hoursAll).N)
	}

	// Predictions and labels still arrive for pruned periods (backfills):
	// they count at every resolution kept.
	l0, c0, err := s.Accuracy(ctx(t), key, dayAligned, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := hm.Add(-3*day + 7*time.Minute)
	late := pred("late", "m", "1", old, "cat", 0.5)
	late.GroundTruth = "dog"
	mustIngest(t, s, late)
	// p00036 was predicted "dog" and labelled "dog" at ingest, on a day
	// whose hours are pruned.
	mustLabel(t, s, gt("p00036", "bird"))
	st := mustStats(t, s, dayAligned, t0)
	if st.TotalPredictions != before.dayAligned.TotalPredictions+1 {
		t.Errorf("after a backfill, Stats counts %d, want %d", st.TotalPredictions, before.dayAligned.TotalPredictions+1)
	}
	if l, c, err := s.Accuracy(ctx(t), key, dayAligned, t0); err != nil || l != l0+1 || c != c0-1 {
		t.Errorf("after a backfill and a relabel, Accuracy = %d/%d (%v), want %d/%d", c, l, err, c0-1, l0+1)
	}
	if pts := mustSeries(t, s, key, old, old.Add(time.Minute), rollup.Minute); len(pts) != 1 || pts[0].Res != rollup.Hour || pts[0].N != wantHours[0].N+1 {
		t.Errorf("minute Series of a backfilled pruned hour = %d points, want its hour with one more prediction", len(pts))
	}
	// Both wrote rollups below the horizons again, which reads ignore and
	// the next run deletes: the backfill's minute, the relabel's minute and
	// hour.
	if res := mustPrune(t, s, minuteBefore, hourBefore); res.Buckets != 3 {
		t.Errorf("PruneRollups after a backfill and a relabel deleted %d buckets, want 3", res.Buckets)
	}

	// The horizons survive a restart.
	s = h.Reopen(t, s, clock.Now)
	if d := sameStats(mustStats(t, s, dayAligned, t0), st); d != "" {
		t.Errorf("after a restart, Stats: %s", d)
	}
	if pts := mustSeries(t, s, key, hm.Add(-3*day), hm.Add(-2*day), rollup.Minute); len(pts) != 24 || pts[0].Res != rollup.Hour {
		t.Errorf("after a restart, minute Series of a pruned day = %d points", len(pts))
	}
}

// testPruneWhileIngesting prunes while predictions and labels arrive, for
// old and new buckets: nothing is lost and nothing deadlocks.
func testPruneWhileIngesting(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	ps := pruneData()
	for i := 0; i < len(ps); i += 500 {
		mustIngest(t, s, ps[i:min(i+500, len(ps))]...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 3 {
		wg.Go(func() {
			for i := range 20 {
				batch := make([]modelwatch.Prediction, 0, 20)
				for j := range 20 {
					// Spread over the pruned and the kept days.
					ts := t0.Add(-time.Duration((i*20+j)*(w+1)*97) * time.Minute)
					batch = append(batch, pred(fmt.Sprintf("c%d-%d-%d", w, i, j), "m", "1", ts, "cat", 0.5))
				}
				if _, err := s.IngestPredictions(ctx(t), batch); err != nil {
					errs <- err
					return
				}
				if _, err := s.AddGroundTruth(ctx(t), []modelwatch.GroundTruth{gt(batch[0].ID, "dog"), gt(ps[i*50+w].ID, "x")}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 5 {
			if _, err := s.PruneRollups(ctx(t), t0.Add(-time.Duration(20-i)*day), t0.Add(-time.Duration(25-i)*day)); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := int64(len(ps) + 3*20*20)
	if st := mustStats(t, s, t0.Add(-400*day), t0.Add(time.Minute)); st.TotalPredictions != want {
		t.Errorf("Stats after pruning during ingest counts %d, want %d", st.TotalPredictions, want)
	}
	if l, _, err := s.Accuracy(ctx(t), key, t0.Add(-400*day), t0.Add(time.Minute)); err != nil || l == 0 {
		t.Errorf("Accuracy = %d labelled, %v", l, err)
	}
}
