package ui

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
)

// maxClasses is how many classes the class distribution draws; the rest
// are "other".
const maxClasses = 7

// otherClass names the classes beyond maxClasses.
const otherClass = "(other)"

// charts draws the model version page's charts.
func (u *UI) charts(g grid, per []bucketStats, b baselineView, runs []modelwatch.DriftRun, events []modelwatch.ConceptEvent, ests []modelwatch.Estimate) []chartGroup {
	labels := make([]string, g.n)
	for i := range labels {
		labels[i] = bucketLabel(g, i)
	}
	tip := func(f func(i int, s *bucketStats) string) []string {
		out := make([]string, g.n)
		for i := range per {
			out[i] = labels[i] + "\n" + f(i, &per[i])
		}
		return out
	}

	volume := newChart(g, "chart-volume", "Predictions", "per "+pointName(g.step)).
		bars("predictions", "s0", column(per, func(s *bucketStats) float64 { return float64(s.N) }), false).
		line("labelled", "s1", column(per, func(s *bucketStats) float64 {
			if s.N == 0 {
				return math.NaN()
			}
			return float64(s.Labelled)
		})).
		tooltips(tip(func(_ int, s *bucketStats) string {
			return fmtCount(s.N) + " predictions, " + fmtCount(s.Labelled) + " labelled"
		})).build()

	est := estimatedAccuracy(g, ests)
	qualityNote := "Precision, recall and F1 are support-weighted over the classes, as scikit-learn's average='weighted'; weighted recall always equals accuracy."
	if est.any {
		qualityNote += " " + cbpeAssumptions
	}
	quality := newChart(g, "chart-quality", "Accuracy, precision, recall, F1", "labelled predictions").rate().
		line("accuracy", "s0", column(per, func(s *bucketStats) float64 { return s.Accuracy })).
		line("precision", "s1", column(per, func(s *bucketStats) float64 { return s.Precision })).
		line("recall", "s2", column(per, func(s *bucketStats) float64 { return s.Recall })).
		line("F1", "s3", column(per, func(s *bucketStats) float64 { return s.F1 })).
		rule("baseline "+b.Value, "rule-baseline", b.accuracy, true).
		rule("concept drift below "+b.Threshold, "rule-drift", b.threshold, true).
		rule("alert ModelAccuracyDrop below "+fmtRate(ruleAccuracyCritical), "rule-alert", ruleAccuracyCritical, true).
		note(qualityNote).
		tooltips(tip(func(i int, s *bucketStats) string {
			t := "accuracy " + fmtRate(s.Accuracy) + ", precision " + fmtRate(s.Precision) + ", recall " + fmtRate(s.Recall) +
				", F1 " + fmtRate(s.F1) + " (" + fmtCount(s.Labelled) + " labelled)"
			if est.any && !math.IsNaN(est.value[i]) {
				t += "\n" + est.title[i]
			}
			return t
		}))
	if est.any {
		quality.sparseLine("estimated accuracy (CBPE)", "est", est.value)
		if !math.IsNaN(est.lower) {
			quality.rule("alert EstimatedPerformanceDrop below "+fmtRate(est.lower), "rule-warn", est.lower, true)
		}
	}
	for _, e := range events {
		quality.mark(e.At, "mark-"+e.Kind, e.Detector+" "+e.Kind+" at "+fmtTime(e.At)+" (labelled prediction #"+strconv.FormatInt(e.Seq, 10)+")")
	}
	for _, r := range runs {
		if r.Kind == modelwatch.KindConcept && r.Status == modelwatch.RunOK && r.DriftDetected {
			quality.mark(r.FinishedAt, "mark-run", "concept-drift check #"+strconv.FormatInt(r.ID, 10)+": drift, accuracy "+ptrRate(r.Accuracy))
		}
	}

	coverage := newChart(g, "chart-coverage", "Ground-truth coverage", "share labelled").yRange(0, 1).
		line("coverage", "s0", column(per, func(s *bucketStats) float64 { return s.Coverage })).
		tooltips(tip(func(_ int, s *bucketStats) string {
			return fmtPercent(s.Coverage) + " labelled (" + fmtCount(s.Labelled) + " of " + fmtCount(s.N) + ")"
		})).build()

	confidence := newChart(g, "chart-confidence", "Mean confidence", "").yRange(0, 1).
		line("mean confidence", "s0", column(per, func(s *bucketStats) float64 { return s.Confidence })).
		rule("review below "+strconv.FormatFloat(u.opts.LowConfidence, 'f', -1, 64), "rule-alert", u.opts.LowConfidence, true).
		tooltips(tip(func(_ int, s *bucketStats) string { return "mean confidence " + fmtRate(s.Confidence) })).build()

	var latency []chart
	for k, kind := range latencyKinds {
		c := newChart(g, "chart-latency-"+kind, strings.ToUpper(kind[:1])+kind[1:]+" latency", "ms")
		for q, name := range []string{"p50", "p95", "p99"} {
			c.line(name, "s"+strconv.Itoa(q), column(per, func(s *bucketStats) float64 { return s.Latency[k][q] }))
		}
		if kind == "inference" {
			c.rule("alert p50 above 200 ms", "rule-warn", ruleInferenceP50Ms, false).
				rule("alert p95 above 1 s", "rule-warn", ruleInferenceP95Ms, false).
				rule("alert p99 above 5 s", "rule-alert", ruleInferenceP99Ms, false)
		}
		c.tooltips(tip(func(_ int, s *bucketStats) string {
			return "p50 " + fmtMs(s.Latency[k][0]) + ", p95 " + fmtMs(s.Latency[k][1]) + ", p99 " + fmtMs(s.Latency[k][2])
		}))
		latency = append(latency, c.build())
	}

	return []chartGroup{
		{Title: "Traffic and labels", Charts: []chart{volume, coverage}},
		{Title: "Quality", Charts: []chart{quality.build(), confidence}},
		{Title: "Latency per stage", Charts: latency},
		{Title: "Predicted classes and data drift", Charts: []chart{classChart(g, per, tip), driftChart(g, b, runs)}},
	}
}

// cbpeAssumptions is what the estimated accuracy takes for granted; the
// chart says it wherever it draws an estimate.
const cbpeAssumptions = "Estimated accuracy (CBPE, NannyML's confidence-based performance estimation) is computed from predicted probabilities alone " +
	"and holds only under its assumptions: calibrated probabilities (after the isotonic calibration fitted on the reference), " +
	"covariate shift only (the inputs may drift), and no concept drift (how inputs relate to labels must not change). " +
	"When they fail the estimate is wrong and does not show it: compare it with the realised accuracy as labels arrive (model_estimation_error)."

// estimateSeries is the accuracy CBPE estimated per point, from the newest
// estimate whose chunk ends in it, with the newest lower threshold.
type estimateSeries struct {
	any   bool
	value []float64
	title []string
	lower float64
}

func estimatedAccuracy(g grid, ests []modelwatch.Estimate) estimateSeries {
	e := estimateSeries{value: make([]float64, g.n), title: make([]string, g.n), lower: math.NaN()}
	for i := range e.value {
		e.value[i] = math.NaN()
	}
	type metric struct {
		Value          *float64 `json:"value"`
		Realized       *float64 `json:"realized"`
		LowerThreshold *float64 `json:"lower_threshold"`
	}
	// Estimates come newest first: the newest of a point wins.
	for j, est := range slices.Backward(ests) {
		var r struct {
			Accuracy *metric `json:"accuracy"`
		}
		if json.Unmarshal(est.Result, &r) != nil || r.Accuracy == nil || r.Accuracy.Value == nil {
			continue
		}
		if j == 0 && r.Accuracy.LowerThreshold != nil {
			e.lower = *r.Accuracy.LowerThreshold
		}
		if est.To.Before(g.from) || !est.To.Before(g.to()) {
			continue
		}
		i := int(est.To.Sub(g.from) / g.step)
		e.any = true
		e.value[i] = *r.Accuracy.Value
		e.title[i] = "estimated accuracy " + fmtRate(*r.Accuracy.Value) + " over " + fmtCount(int64(est.Rows)) + " predictions"
		if r.Accuracy.Realized != nil {
			e.title[i] += ", realised " + fmtRate(*r.Accuracy.Realized) + " on " + fmtCount(int64(est.Labelled)) + " labelled"
		}
	}
	return e
}

// classChart draws each point's class shares as stacked bars.
func classChart(g grid, per []bucketStats, tip func(func(int, *bucketStats) string) []string) chart {
	totals := map[string]int64{}
	for i := range per {
		for c, n := range per[i].Classes {
			totals[c] += n
		}
	}
	names := topClasses(totals)
	c := newChart(g, "chart-classes", "Class distribution", "share of predictions").yRange(0, 1)
	shares := make([][]float64, len(names))
	for j := range shares {
		shares[j] = make([]float64, g.n)
	}
	for i := range per {
		if per[i].N == 0 {
			continue
		}
		for cl, n := range per[i].Classes {
			j := slices.Index(names, cl)
			if j < 0 {
				j = len(names) - 1 // other
			}
			shares[j][i] += float64(n) / float64(per[i].N)
		}
	}
	for j, name := range names {
		c.bars(name, "c"+strconv.Itoa(j), shares[j], j > 0)
	}
	c.tooltips(tip(func(i int, _ *bucketStats) string {
		var parts []string
		for j, name := range names {
			if shares[j][i] > 0 {
				parts = append(parts, name+" "+fmtPercent(shares[j][i]))
			}
		}
		return strings.Join(parts, ", ")
	}))
	return c.build()
}

// topClasses returns the most predicted classes, at most maxClasses with
// otherClass last when there are more.
func topClasses(totals map[string]int64) []string {
	names := make([]string, 0, len(totals))
	for c := range totals {
		names = append(names, c)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(totals[b], totals[a]), cmp.Compare(a, b)) })
	if len(names) > maxClasses {
		names = append(names[:maxClasses-1], otherClass)
	}
	return names
}

// driftChart draws the share of drifted columns of the data-drift runs in
// the range, with the dataset's drift share and the alert rule.
func driftChart(g grid, b baselineView, runs []modelwatch.DriftRun) chart {
	share := make([]float64, g.n)
	titles := make([]string, g.n)
	for i := range share {
		share[i] = math.NaN()
		titles[i] = bucketLabel(g, i) + "\nno data-drift run"
	}
	// Runs come newest first: the newest run of a point wins.
	for _, r := range slices.Backward(runs) {
		if r.Kind != modelwatch.KindData || r.Status != modelwatch.RunOK || r.DriftedColumnsShare == nil {
			continue
		}
		at := r.FinishedAt
		if at.Before(g.from) || !at.Before(g.to()) {
			continue
		}
		i := int(at.Sub(g.from) / g.step)
		share[i] = *r.DriftedColumnsShare
		titles[i] = bucketLabel(g, i) + "\nrun #" + strconv.FormatInt(r.ID, 10) + ": " + strconv.Itoa(r.DriftedColumns) +
			" columns drifted (" + fmtPercent(*r.DriftedColumnsShare) + ")"
	}
	return newChart(g, "chart-drift", "Data drift", "share of drifted columns").yRange(0, 1).
		sparseLine("drifted columns", "s0", share).
		rule("dataset drifts at "+b.DriftShare, "rule-drift", b.driftShare, true).
		rule("alert HighDriftedColumnsRatio above "+fmtRate(ruleDriftedShare), "rule-alert", ruleDriftedShare, true).
		tooltips(titles).build()
}

// classTable lists the range's classes, most predicted first.
func classTable(t bucketStats) []classRow {
	names := topClasses(t.Classes)
	rows := make([]classRow, 0, len(names))
	for j, name := range names {
		n := t.Classes[name]
		if name == otherClass {
			n = 0
			for c, v := range t.Classes {
				if !slices.Contains(names, c) {
					n += v
				}
			}
		}
		share := math.NaN()
		if t.N > 0 {
			share = float64(n) / float64(t.N)
		}
		rows = append(rows, classRow{Name: name, Count: fmtCount(n), Share: fmtPercent(share), Class: "c" + strconv.Itoa(j)})
	}
	return rows
}

// bucketLabel describes the period of point i.
func bucketLabel(g grid, i int) string {
	start := g.bucketStart(i)
	end := start.Add(g.step)
	if g.step >= 24*time.Hour {
		return start.Format("Mon Jan 2")
	}
	return start.Format("Jan 2 15:04") + "–" + end.Format("15:04") + " UTC"
}

// pointName names a point's width: "minute", "5 minutes", "day".
func pointName(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "minute"
	case d == time.Hour:
		return "hour"
	case d == 24*time.Hour:
		return "day"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return strconv.Itoa(int(d/time.Hour)) + " hours"
}
