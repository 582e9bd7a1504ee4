package ui

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/store"
)

// chartRuns is how many of the latest drift runs and detector events the
// charts can draw: a daily data-drift and concept-drift check over 90 days
// with room for manual runs. Runs are listed without their results, so this
// stays cheap.
const chartRuns = 1000

// versionPage is the data of a model version's page.
type versionPage struct {
	Title    string
	Key      modelwatch.ModelKey
	Now      string
	From     string
	Created  string
	Span     span
	Ranges   []rangeLink
	Cards    []card
	Window   windowView
	Baseline baselineView
	Alerts   []alertView
	Charts   []chartGroup
	Classes  []classRow
	Runs     []runRow
	Events   []eventRow
	Review   []reviewRow
	// ReviewThreshold is the confidence below which predictions are queued.
	ReviewThreshold string
	APIURL          string
}

// rangeLink is one choice of the range selector.
type rangeLink struct {
	Key, Label, URL string
	Current         bool
}

// card is one headline figure.
type card struct{ Label, Value, Sub, Class string }

// windowView is the current sliding window.
type windowView struct {
	Count, Need                     string
	Ready                           bool
	Accuracy, Precision, Recall, F1 cell
}

// baselineView says where the baseline comes from and what the drift
// threshold is.
type baselineView struct {
	Value, Source, Tolerance, Threshold string
	DriftShare, DataSchedule            string
	ConceptSchedule                     string
	accuracy, threshold, driftShare     float64 // NaN when unknown
}

// chartGroup is a titled row of charts.
type chartGroup struct {
	Title  string
	Charts []chart
}

// classRow is one predicted class's share of the range.
type classRow struct{ Name, Count, Share, Class string }

func (u *UI) handleVersion(w http.ResponseWriter, r *http.Request) {
	k := modelwatch.ModelKey{Name: r.PathValue("name"), Version: r.PathValue("version")}
	sp, ok := lookupSpan(r.URL.Query().Get("range"))
	if !ok {
		var keys []string
		for _, s := range spans() {
			keys = append(keys, s.Key)
		}
		u.fail(w, r, modelwatch.Errorf(modelwatch.EInvalid, "range must be one of %v, not %q", keys, r.URL.Query().Get("range")))
		return
	}
	page, err := u.version(r.Context(), k, sp)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "version", page)
}

// version reads everything the model version page shows.
func (u *UI) version(ctx context.Context, k modelwatch.ModelKey, sp span) (*versionPage, error) {
	now := u.opts.Now().UTC()
	mvs, err := u.store.ModelVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("list model versions: %w", err)
	}
	var mv *modelwatch.ModelVersion
	for i := range mvs {
		if mvs[i].ModelKey == k {
			mv = &mvs[i]
		}
	}
	if mv == nil {
		return nil, modelwatch.Errorf(modelwatch.ENotFound, "model %q version %q is not known", k.Name, k.Version)
	}
	g := gridFor(sp, now)
	page := &versionPage{
		Title: k.Name + " " + k.Version, Key: k, Now: fmtTime(now), Span: sp,
		From: fmtTime(g.from), Created: fmtTime(mv.CreatedAt),
		ReviewThreshold: strconv.FormatFloat(u.opts.LowConfidence, 'f', -1, 64),
		APIURL:          "/api/v1/models/" + url.PathEscape(k.Name) + "/versions/" + url.PathEscape(k.Version),
	}
	for _, s := range spans() {
		page.Ranges = append(page.Ranges, rangeLink{Key: s.Key, Label: s.Label, URL: versionURL(k, s.Key), Current: s.Key == sp.Key})
	}
	raw, err := u.store.ModelSettings(ctx, k)
	if err != nil {
		return nil, fmt.Errorf("read settings of %s: %w", k, err)
	}
	if page.Baseline, err = u.baseline(ctx, k, raw.WithDefaults()); err != nil {
		return nil, err
	}
	page.Window = u.windowView(k)
	page.Alerts = u.alertsByModel()[k]

	pts, err := u.store.Series(ctx, store.SeriesQuery{Model: k, From: g.from, To: g.to(), Step: sp.Res})
	if err != nil {
		return nil, fmt.Errorf("read %s series of %s: %w", sp.Key, k, err)
	}
	buckets, err := groupPoints(g, pts)
	if err != nil {
		return nil, err
	}
	per, total, err := rangeStats(buckets)
	if err != nil {
		return nil, fmt.Errorf("compute %s series of %s: %w", sp.Key, k, err)
	}
	// The charts mark every run of the range; the table lists the newest.
	runs, err := u.store.DriftRuns(ctx, k, "", max(u.opts.RunLimit, chartRuns))
	if err != nil {
		return nil, fmt.Errorf("list drift runs of %s: %w", k, err)
	}
	events, err := u.store.ConceptEvents(ctx, k, max(u.opts.RunLimit, chartRuns))
	if err != nil {
		return nil, fmt.Errorf("list detector events of %s: %w", k, err)
	}
	ests, err := u.store.Estimates(ctx, k, chartRuns)
	if err != nil {
		return nil, fmt.Errorf("list performance estimates of %s: %w", k, err)
	}
	review, err := u.store.LowConfidence(ctx, store.LowConfidenceQuery{
		Model: k.Name, Version: k.Version, Since: g.from, Threshold: u.opts.LowConfidence, Limit: u.opts.ReviewLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("read review queue of %s: %w", k, err)
	}
	page.Cards = summaryCards(total, page.Baseline)
	page.Classes = classTable(total)
	page.Charts = u.charts(g, per, page.Baseline, runs, events, ests)
	page.Runs = runRows(k, runs[:min(len(runs), u.opts.RunLimit)])
	page.Events = eventRows(events[:min(len(events), u.opts.RunLimit)])
	page.Review = reviewRows(review)
	return page, nil
}

// baseline returns the accuracy the concept-drift check compares with, the
// way the monitor finds it: the configured baseline_accuracy, else the
// accuracy of the first baseline_sample labelled predictions once that
// many are labelled.
func (u *UI) baseline(ctx context.Context, k modelwatch.ModelKey, s modelwatch.ModelSettings) (baselineView, error) {
	b := baselineView{
		accuracy: math.NaN(), threshold: math.NaN(), Value: dash, Threshold: dash,
		Tolerance:  fmtRate(*s.ConceptTolerance),
		driftShare: drift.DefaultDriftShare, DataSchedule: s.DataDrift.Schedule, ConceptSchedule: s.ConceptDrift.Schedule,
	}
	if s.DriftShare != nil {
		b.driftShare = *s.DriftShare
	}
	b.DriftShare = fmtRate(b.driftShare)
	switch {
	case s.BaselineAccuracy != nil:
		b.accuracy, b.Source = *s.BaselineAccuracy, "configured"
	default:
		labelled, correct, err := u.store.FirstLabelled(ctx, k, s.BaselineSample)
		if err != nil {
			return b, fmt.Errorf("measure baseline of %s: %w", k, err)
		}
		if labelled < int64(s.BaselineSample) || correct == 0 {
			b.Source = fmt.Sprintf("not measured yet: %d of the first %d predictions labelled", labelled, s.BaselineSample)
			break
		}
		b.accuracy = float64(correct) / float64(labelled)
		b.Source = fmt.Sprintf("measured on the first %d labelled predictions", labelled)
	}
	if !math.IsNaN(b.accuracy) {
		b.Value = fmtRate(b.accuracy)
		b.threshold = b.accuracy - *s.ConceptTolerance
		b.Threshold = fmtRate(b.threshold)
	}
	return b, nil
}

// windowView reads the current sliding window.
func (u *UI) windowView(k modelwatch.ModelKey) windowView {
	v := windowView{Count: "0", Need: strconv.Itoa(u.opts.WindowMinCount)}
	m, ok := u.windows.Stat(k)
	if !ok {
		return v
	}
	v.Count = fmtCount(int64(m.Count))
	if m.Count < u.opts.WindowMinCount {
		return v
	}
	v.Ready = true
	grade := func(x, warn, crit float64) cell {
		c := cell{Text: fmtRate(x), Class: "ok"}
		switch {
		case x < crit:
			c.Class = "bad"
		case x < warn:
			c.Class = "warn"
		}
		return c
	}
	v.Accuracy = grade(m.Accuracy, ruleAccuracyWarning, ruleAccuracyCritical)
	v.Precision = grade(m.Precision, ruleQualityLow, ruleQualityLow)
	v.Recall = grade(m.Recall, ruleQualityLow, ruleQualityLow)
	v.F1 = grade(m.F1, ruleQualityLow, ruleQualityLow)
	return v
}

// summaryCards are the range's headline figures.
func summaryCards(t bucketStats, b baselineView) []card {
	acc := card{Label: "Accuracy", Value: fmtRate(t.Accuracy), Sub: "of " + fmtCount(t.Labelled) + " labelled"}
	if !math.IsNaN(t.Accuracy) && !math.IsNaN(b.threshold) {
		acc.Class = "ok"
		if t.Accuracy < b.threshold {
			acc.Class = "bad"
		}
	}
	return []card{
		{Label: "Predictions", Value: fmtCount(t.N)},
		{Label: "Ground truth", Value: fmtPercent(t.Coverage), Sub: fmtCount(t.Labelled) + " labelled"},
		acc,
		{Label: "Precision / recall", Value: fmtRate(t.Precision) + " / " + fmtRate(t.Recall), Sub: "support-weighted"},
		{Label: "F1", Value: fmtRate(t.F1), Sub: "support-weighted"},
		{Label: "p95 latency", Value: fmtMs(t.Latency[0][1]), Sub: "p50 " + fmtMs(t.Latency[0][0]) + ", p99 " + fmtMs(t.Latency[0][2])},
		{Label: "Mean confidence", Value: fmtRate(t.Confidence)},
	}
}
