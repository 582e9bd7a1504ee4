package ui

import (
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch"
)

// runRow is one drift run of the history table.
type runRow struct {
	ID, Kind, Trigger  string
	Finished, Window   string
	Verdict            verdict
	Rows, Detail       string
	ReportURL, JSONURL string
	HasReport, Drifted bool
}

// eventRow is one streaming detector event.
type eventRow struct {
	At, Detector, Kind, Class, Seq string
}

// reviewRow is one low-confidence prediction of the review queue.
type reviewRow struct {
	ID, At, Prediction, Confidence, Truth string
	Features                              []feature
	More                                  int // features left out
}

// runRows describes the drift runs, newest first.
func runRows(k modelwatch.ModelKey, runs []modelwatch.DriftRun) []runRow {
	out := make([]runRow, 0, len(runs))
	for _, r := range runs {
		row := runRow{
			ID: strconv.FormatInt(r.ID, 10), Kind: r.Kind, Trigger: r.Trigger,
			Finished: fmtTime(r.FinishedAt), Window: fmtWindow(r.Window),
			Verdict: runVerdict(k, r), Rows: fmtCount(int64(r.Rows)),
			JSONURL: runURL(k, r.ID), HasReport: r.HasReport, Drifted: r.DriftDetected,
		}
		if r.HasReport {
			row.ReportURL = reportURL(k, r.ID)
		}
		switch {
		case r.Status != modelwatch.RunOK:
			row.Detail = r.Message
		case r.Kind == modelwatch.KindData && r.DriftedColumnsShare != nil:
			row.Detail = strconv.Itoa(r.DriftedColumns) + " columns drifted (" + fmtPercent(*r.DriftedColumnsShare) + ")"
		case r.Kind == modelwatch.KindConcept:
			row.Detail = "accuracy " + ptrRate(r.Accuracy) + ", baseline " + ptrRate(r.BaselineAccuracy)
			if r.AccuracyDropPercent != nil {
				row.Detail += ", drop " + strconv.FormatFloat(*r.AccuracyDropPercent, 'f', 1, 64) + " %"
			}
		}
		out = append(out, row)
	}
	return out
}

// fmtWindow writes a checked period briefly.
func fmtWindow(w modelwatch.TimeRange) string {
	if w.From.IsZero() && w.To.IsZero() {
		return dash
	}
	const layout = "2006-01-02 15:04"
	return w.From.UTC().Format(layout) + " – " + w.To.UTC().Format(layout)
}

// eventRows describes the streaming detectors' events, newest first.
func eventRows(evs []modelwatch.ConceptEvent) []eventRow {
	out := make([]eventRow, 0, len(evs))
	for _, e := range evs {
		class := "warn"
		if e.Kind == modelwatch.RoleDrift {
			class = "bad"
		}
		out = append(out, eventRow{
			At: fmtTime(e.At), Detector: e.Detector, Kind: e.Kind, Class: class,
			Seq: strconv.FormatInt(e.Seq, 10),
		})
	}
	return out
}

// reviewRows describes the low-confidence predictions, lowest first.
func reviewRows(ps []modelwatch.Prediction) []reviewRow {
	out := make([]reviewRow, 0, len(ps))
	for _, p := range ps {
		row := reviewRow{ID: p.ID, At: p.Timestamp.UTC().Format(time.DateTime), Prediction: string(p.Prediction), Confidence: dash, Truth: dash}
		if c, ok := p.EffectiveConfidence(); ok {
			row.Confidence = fmtRate(c)
		}
		if p.GroundTruth != "" {
			row.Truth = string(p.GroundTruth)
		}
		row.Features, row.More = featureList(p.Features)
		out = append(out, row)
	}
	return out
}
