package concept

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch"
)

// oneDay is the length of one day of CheckBaseline's daily means.
const oneDay = 24 * time.Hour

// AccuracyPoint is one measurement of a model version's accuracy, such as
// the one the daily concept-drift check takes over the last week of
// labelled predictions.
type AccuracyPoint struct {
	Time     time.Time `json:"time"`
	Accuracy float64   `json:"accuracy"`
}

// BaselineConfig configures CheckBaseline. The zero value of each field means
// the seed's default, shown in brackets.
type BaselineConfig struct {
	// Tolerance is the absolute accuracy drop that is not yet drift: drift
	// when current < baseline − Tolerance [0.05]. Must not be negative.
	Tolerance float64
	// TrendWindow is the span of each side of the trend [7 days].
	TrendWindow time.Duration
	// MinDecliningDays is how many consecutive daily declines set Declining
	// [3].
	MinDecliningDays int
	// Retention is how far back history is kept [90 days].
	Retention time.Duration
}

func (c BaselineConfig) withDefaults() BaselineConfig {
	if c.Tolerance == 0 {
		c.Tolerance = 0.05
	}
	if c.TrendWindow == 0 {
		c.TrendWindow = 7 * oneDay
	}
	if c.MinDecliningDays == 0 {
		c.MinDecliningDays = 3
	}
	if c.Retention == 0 {
		c.Retention = 90 * oneDay
	}
	return c
}

// BaselineCheck is the outcome of CheckBaseline; its JSON keys are the
// seed's drift_metrics keys plus the declining run.
type BaselineCheck struct {
	// Time is the now the check was made at.
	Time time.Time `json:"timestamp"`
	// BaselineAccuracy is the model version's expected accuracy.
	BaselineAccuracy float64 `json:"baseline_accuracy"`
	// CurrentAccuracy is the accuracy of the newest point of the history.
	CurrentAccuracy float64 `json:"current_accuracy"`
	// AccuracyDrop is BaselineAccuracy − CurrentAccuracy (negative when the
	// model does better than its baseline).
	AccuracyDrop float64 `json:"accuracy_drop"`
	// AccuracyDropPercent is the drop relative to the baseline, in percent:
	// (baseline − current) / baseline · 100, the seed's accuracy_drop_pct.
	AccuracyDropPercent float64 `json:"accuracy_drop_pct"`
	// DriftDetected is current < baseline − Tolerance, compared in float64
	// exactly as the seed does (the threshold is computed first).
	DriftDetected bool `json:"drift_detected"`
	// Trend is the mean accuracy of the points in the last TrendWindow
	// minus that of the TrendWindow before it; nil when either side has no
	// point.
	Trend *float64 `json:"trend"`
	// DecliningDays is the length of the current run of daily declines: the
	// largest k such that, for each d < k, days d and d+1 both have points
	// and day d's mean accuracy is strictly lower than day d+1's. Day d is
	// the 24 hours (now − (d+1)·24h, now − d·24h]; points after now count in
	// day 0.
	DecliningDays int `json:"declining_days"`
	// Declining is DecliningDays ≥ MinDecliningDays: accuracy has declined
	// for that many consecutive days (which takes MinDecliningDays+1 days
	// with points).
	Declining bool `json:"declining"`
	// History is the input kept for next time: points newer than
	// now − Retention, oldest first (stable for equal times).
	History []AccuracyPoint `json:"-"`
}

// CheckBaseline is the seed's daily concept-drift check
// (ConceptDriftDetector.check_concept_drift) made pure: given the model
// version's baseline accuracy, its accuracy history (the newest point is
// the current accuracy; order does not matter) and the time now, it prunes
// the history to the retention window (keeping points with time after
// now − Retention, as the seed's ts > cutoff), and reports the drop, drift,
// trend and declining run. The seed's trend windows are kept: the recent
// side is time > now − TrendWindow, the previous side
// now − 2·TrendWindow < time ≤ now − TrendWindow.
//
// The caller records today's accuracy as a new point, calls CheckBaseline
// and stores the returned History for tomorrow. history is not modified.
//
// It fails with code modelwatch.EInvalid when the baseline is not in
// (0, 1], an accuracy is not in [0, 1], the config is negative, or no point
// is left in the retention window.
func CheckBaseline(baseline float64, history []AccuracyPoint, now time.Time, cfg BaselineConfig) (BaselineCheck, error) {
	cfg = cfg.withDefaults()
	switch {
	case !(baseline > 0 && baseline <= 1):
		return BaselineCheck{}, modelwatch.Errorf(modelwatch.EInvalid, "check baseline: baseline accuracy must be in (0, 1], got %v", baseline)
	case !(cfg.Tolerance >= 0) || math.IsInf(cfg.Tolerance, 0):
		return BaselineCheck{}, modelwatch.Errorf(modelwatch.EInvalid, "check baseline: tolerance must be a non-negative number, got %v", cfg.Tolerance)
	case cfg.TrendWindow < 0 || cfg.Retention < 0 || cfg.MinDecliningDays < 0:
		return BaselineCheck{}, modelwatch.Errorf(modelwatch.EInvalid, "check baseline: trend window, retention and declining days must not be negative")
	}
	cutoff := now.Add(-cfg.Retention)
	kept := make([]AccuracyPoint, 0, len(history))
	for i, p := range history {
		if !(p.Accuracy >= 0 && p.Accuracy <= 1) {
			return BaselineCheck{}, modelwatch.Errorf(modelwatch.EInvalid, "check baseline: history[%d] (%s): accuracy must be in [0, 1], got %v", i, p.Time.Format(time.RFC3339), p.Accuracy)
		}
		if p.Time.After(cutoff) {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return BaselineCheck{}, modelwatch.Errorf(modelwatch.EInvalid, "check baseline: no accuracy measured after %s", cutoff.Format(time.RFC3339))
	}
	slices.SortStableFunc(kept, func(a, b AccuracyPoint) int { return a.Time.Compare(b.Time) })

	current := kept[len(kept)-1].Accuracy
	threshold := baseline - cfg.Tolerance
	drop := baseline - current
	res := BaselineCheck{
		Time:                now,
		BaselineAccuracy:    baseline,
		CurrentAccuracy:     current,
		AccuracyDrop:        drop,
		AccuracyDropPercent: drop / baseline * 100,
		DriftDetected:       current < threshold,
		Trend:               trend(kept, now, cfg.TrendWindow),
		History:             kept,
	}
	res.DecliningDays = decliningDays(kept, now)
	res.Declining = res.DecliningDays >= cfg.MinDecliningDays
	return res, nil
}

// trend is the mean accuracy after now − w minus the mean in
// (now − 2w, now − w], or nil when either is empty.
func trend(points []AccuracyPoint, now time.Time, w time.Duration) *float64 {
	recentCut, previousCut := now.Add(-w), now.Add(-2*w)
	var recent, previous float64
	var nRecent, nPrevious int
	for _, p := range points {
		switch {
		case p.Time.After(recentCut):
			recent += p.Accuracy
			nRecent++
		case p.Time.After(previousCut):
			previous += p.Accuracy
			nPrevious++
		}
	}
	if nRecent == 0 || nPrevious == 0 {
		return nil
	}
	t := recent/float64(nRecent) - previous/float64(nPrevious)
	return &t
}

// decliningDays counts the current run of strictly declining daily means;
// see BaselineCheck.DecliningDays.
func decliningDays(points []AccuracyPoint, now time.Time) int {
	type day struct {
		sum float64
		n   int
	}
	days := map[int64]*day{}
	for _, p := range points {
		d := int64(0)
		if age := now.Sub(p.Time); age > 0 {
			d = int64(age / oneDay)
		}
		if days[d] == nil {
			days[d] = &day{}
		}
		days[d].sum += p.Accuracy
		days[d].n++
	}
	meanOf := func(d int64) (float64, bool) {
		x, ok := days[d]
		if !ok {
			return 0, false
		}
		return x.sum / float64(x.n), true
	}
	run := 0
	for d := int64(0); ; d++ {
		m, ok := meanOf(d)
		prev, okPrev := meanOf(d + 1)
		if !ok || !okPrev || cmp.Compare(m, prev) >= 0 {
			return run
		}
		run++
	}
}
