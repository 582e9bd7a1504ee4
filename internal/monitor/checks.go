package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/concept"
	"github.com/modelwatch/modelwatch/drift"
)

// dataDrift compares the features of the run's window with the reference.
// It fills run and returns the drift report when the comparison ran.
func (m *Monitor) dataDrift(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings, run *modelwatch.DriftRun) (*drift.Report, *preparedReference, error) {
	ref, err := m.refs.get(ctx, key, s)
	if errors.Is(err, errNoReference) {
		run.Status, run.Message = modelwatch.RunNoReference, modelwatch.ErrorMessage(err)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	b := newColumnBuilder(ref.names, ref.types)
	// The same window samples the same rows.
	b.sample(s.DataDrift.MaxRows, uint64(run.Window.From.UnixNano())^uint64(run.Window.To.UnixNano())<<1)
	if err := scanPipelined(ctx, m.store, key, run.Window, b); err != nil {
		return nil, nil, err
	}
	run.Rows = b.rows
	if b.rows < s.DataDrift.MinRows {
		run.Status = modelwatch.RunNotEnoughData
		run.Message = fmt.Sprintf("%d predictions in the window, fewer than the %d a data-drift check needs", b.rows, s.DataDrift.MinRows)
		return nil, nil, nil
	}
	rep, err := ref.ref.CompareContext(ctx, b.columns())
	if err != nil {
		return nil, nil, fmt.Errorf("compare with the reference: %w", err)
	}
	run.Status = modelwatch.RunOK
	if b.sampled() {
		run.Message = fmt.Sprintf("compared a uniform random sample of %d of the %d predictions in the window (data_drift.max_rows)", b.kept(), b.rows)
	}
	run.DriftDetected = rep.DatasetDrift
	run.DriftedColumns = rep.NumberOfDriftedColumns
	run.DriftedColumnsShare = new(rep.ShareOfDriftedColumns)
	if run.Result, err = json.Marshal(rep); err != nil {
		return nil, nil, fmt.Errorf("encode drift report: %w", err)
	}
	return &rep, ref, nil
}

// retention of the concept-drift history, as in the specification.
const conceptHistory = 90 * 24 * time.Hour

// conceptDrift compares the accuracy of the labelled predictions of the
// run's window with the baseline.
func (m *Monitor) conceptDrift(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings, run *modelwatch.DriftRun) error {
	labelled, correct, err := m.store.Accuracy(ctx, key, run.Window.From, run.Window.To)
	if err != nil {
		return err
	}
	run.Rows = int(labelled)
	if labelled < int64(s.ConceptDrift.MinRows) {
		run.Status = modelwatch.RunNotEnoughData
		run.Message = fmt.Sprintf("%d labelled predictions in the window, fewer than the %d a concept-drift check needs", labelled, s.ConceptDrift.MinRows)
		return nil
	}
	accuracy := float64(correct) / float64(labelled)
	run.Accuracy = new(accuracy)
	baseline, msg, err := m.baseline(ctx, key, s)
	if err != nil {
		return err
	}
	if msg != "" {
		run.Status, run.Message = modelwatch.RunNoBaseline, msg
		return nil
	}
	now := run.Window.To
	history, err := m.conceptHistory(ctx, key, now)
	if err != nil {
		return err
	}
	history = append(history, concept.AccuracyPoint{Time: now, Accuracy: accuracy})
	tolerance := *s.ConceptTolerance
	chk, err := concept.CheckBaseline(baseline, history, now, concept.BaselineConfig{Tolerance: tolerance})
	if err != nil {
		return err
	}
	if tolerance == 0 {
		// BaselineConfig reads a zero Tolerance as its default, 0.05; in
		// the settings (a pointer, nil for the default) 0 means drift as
		// soon as accuracy is below the baseline: current < baseline − 0.
		chk.DriftDetected = chk.CurrentAccuracy < chk.BaselineAccuracy
	}
	run.Status = modelwatch.RunOK
	run.DriftDetected = chk.DriftDetected
	run.BaselineAccuracy = new(baseline)
	run.AccuracyDropPercent = new(chk.AccuracyDropPercent)
	if run.Result, err = json.Marshal(chk); err != nil {
		return fmt.Errorf("encode concept check: %w", err)
	}
	return nil
}

// baseline returns a model version's baseline accuracy: the configured one,
// or the accuracy of its first labelled predictions. msg says why there is
// none yet.
func (m *Monitor) baseline(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) (float64, string, error) {
	if s.BaselineAccuracy != nil {
		return *s.BaselineAccuracy, "", nil
	}
	labelled, correct, err := m.store.FirstLabelled(ctx, key, s.BaselineSample)
	if err != nil {
		return 0, "", err
	}
	if labelled < int64(s.BaselineSample) {
		return 0, fmt.Sprintf("no baseline accuracy: set baseline_accuracy in the model version's settings, or wait until %d predictions are labelled to measure it (%d so far)",
			s.BaselineSample, labelled), nil
	}
	if correct == 0 {
		return 0, "no baseline accuracy: the first labelled predictions are all wrong; set baseline_accuracy in the model version's settings", nil
	}
	return float64(correct) / float64(labelled), "", nil
}

// conceptHistory returns the accuracies of the model version's earlier
// successful concept-drift checks of the last 90 days.
func (m *Monitor) conceptHistory(ctx context.Context, key modelwatch.ModelKey, now time.Time) ([]concept.AccuracyPoint, error) {
	runs, err := m.store.DriftRuns(ctx, key, modelwatch.KindConcept, 1000)
	if err != nil {
		return nil, err
	}
	var out []concept.AccuracyPoint
	for _, r := range runs {
		if r.Status != modelwatch.RunOK || r.Accuracy == nil || !r.Window.To.After(now.Add(-conceptHistory)) {
			continue
		}
		out = append(out, concept.AccuracyPoint{Time: r.Window.To, Accuracy: *r.Accuracy})
	}
	return out, nil
}
