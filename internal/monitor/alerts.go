package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
)

// Alert names modelwatch posts to Alertmanager itself. The shipped
// Prometheus rules raise alerts of the same names from the gauges with
// source="prometheus"; the shipped Alertmanager configuration lets these
// (source="modelwatch") inhibit those, so one condition notifies once.
const (
	AlertDataDrift      = "DataDriftDetected"
	AlertConceptDrift   = "ConceptDriftDetected"
	AlertStreamingDrift = "StreamingConceptDrift"
)

func alertLabels(name, severity string, key modelwatch.ModelKey) map[string]string {
	return map[string]string{
		"alertname": name, "severity": severity, "component": "ml_model", "source": "modelwatch",
		"model_name": key.Name, "model_version": key.Version,
	}
}

// versionText writes a model version for people: "v1.2.0" for 1.2.0, and
// a version that already starts with v and a digit as it is ("v3", not
// "vv3").
func versionText(v string) string {
	if len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' {
		return v
	}
	return "v" + v
}

// runURL is a link to a run's report (data drift) or JSON (concept drift).
func (m *Monitor) runURL(run modelwatch.DriftRun) string {
	if m.opts.ExternalURL == "" {
		return ""
	}
	u := fmt.Sprintf("%s/api/v1/models/%s/versions/%s/drift-runs/%d", m.opts.ExternalURL,
		url.PathEscape(run.Model.Name), url.PathEscape(run.Model.Version), run.ID)
	if run.HasReport {
		u += "/report"
	}
	return u
}

// alert fires or resolves the alert of a successful run.
func (m *Monitor) alert(run modelwatch.DriftRun) {
	if m.opts.Alerter == nil {
		return
	}
	switch run.Kind {
	case modelwatch.KindData:
		labels := alertLabels(AlertDataDrift, "warning", run.Model)
		if !run.DriftDetected {
			m.opts.Alerter.Resolve(labels)
			return
		}
		share := 0.0
		if run.DriftedColumnsShare != nil {
			share = *run.DriftedColumnsShare
		}
		features := "features have"
		if run.DriftedColumns == 1 {
			features = "feature has"
		}
		desc := fmt.Sprintf("Model %s %s is experiencing data drift: %d %s (%.0f%% of the columns) drifted from the reference over %s – %s.",
			run.Model.Name, versionText(run.Model.Version), run.DriftedColumns, features, share*100,
			run.Window.From.Format(time.RFC3339), run.Window.To.Format(time.RFC3339))
		if u := m.runURL(run); u != "" {
			desc += " Report: " + u
		}
		m.opts.Alerter.Fire(labels, map[string]string{"summary": "Data drift detected in production", "description": desc}, m.runURL(run))
	case modelwatch.KindConcept:
		labels := alertLabels(AlertConceptDrift, "high", run.Model)
		if !run.DriftDetected {
			m.opts.Alerter.Resolve(labels)
			return
		}
		desc := fmt.Sprintf("Model %s %s accuracy dropped by %.2f%% (current: %.4f, baseline: %.4f); retraining may be required.",
			run.Model.Name, versionText(run.Model.Version), deref(run.AccuracyDropPercent), deref(run.Accuracy), deref(run.BaselineAccuracy))
		m.opts.Alerter.Fire(labels, map[string]string{"summary": "Concept drift detected - model accuracy degraded", "description": desc}, m.runURL(run))
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// streamingAlert fires the alert of a streaming drift detection; it stays
// firing for StreamingAlertHold after the latest detection. A detection no
// newer than one already alerted on changes nothing.
func (m *Monitor) streamingAlert(e modelwatch.ConceptEvent) {
	if m.opts.Alerter == nil {
		return
	}
	k := streamKey{e.Model, e.Detector}
	m.detMu.Lock()
	last, firing := m.streaming[k]
	if firing && !e.At.After(last.At) && (!e.At.Equal(last.At) || e.Seq <= last.Seq) {
		m.detMu.Unlock()
		return
	}
	m.streaming[k] = e
	m.detMu.Unlock()
	labels := alertLabels(AlertStreamingDrift, "warning", e.Model)
	labels["detector"] = e.Detector
	m.opts.Alerter.Fire(labels, map[string]string{
		"summary": "Streaming concept drift detected",
		"description": fmt.Sprintf("The %s detector flagged a change in the error rate of model %s %s at labelled prediction #%d (%s).",
			e.Detector, e.Model.Name, versionText(e.Model.Version), e.Seq, e.At.Format(time.RFC3339)),
	}, "")
}

// expireStreamingAlerts resolves streaming alerts whose last detection is
// older than StreamingAlertHold.
func (m *Monitor) expireStreamingAlerts() {
	if m.opts.Alerter == nil {
		return
	}
	now := m.opts.Now()
	m.detMu.Lock()
	var expired []streamKey
	for k, e := range m.streaming {
		if now.Sub(e.At) >= m.opts.StreamingAlertHold {
			expired = append(expired, k)
			delete(m.streaming, k)
		}
	}
	m.detMu.Unlock()
	for _, k := range expired {
		labels := alertLabels(AlertStreamingDrift, "warning", k.key)
		labels["detector"] = k.detector
		m.opts.Alerter.Resolve(labels)
	}
}

// streamingLookback is how many of a model version's latest detections
// Restore reads to find each detector's latest drift.
const streamingLookback = 500

// Restore brings gauges and alerts in line with the store: for each model
// version and kind of check, the drift gauges and the alert follow the
// newest successful run (firing with its numbers when it found drift,
// resolved otherwise) and the last-run gauge the newest run; each streaming
// detector's alert fires while its latest stored drift is younger than
// StreamingAlertHold. The server calls it at start, and Run every Interval,
// so that replicas sharing a database converge on the runs and detections
// any of them stored. It costs a query per model version and kind, plus one
// for the report of a data-drift run not published yet, and one per model
// version for the detections when alerts are on; what is already published
// is left as it is.
func (m *Monitor) Restore(ctx context.Context) error {
	mvs, err := m.store.ModelVersions(ctx)
	if err != nil {
		return err
	}
	for _, mv := range mvs {
		if changed, err := m.configChanged(ctx, mv.ModelKey); err != nil {
			return err
		} else if changed {
			m.log.Info("settings or reference changed", "model", mv.ModelKey.String())
			m.Invalidate(mv.ModelKey)
		}
		for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
			if err := m.restoreRuns(ctx, mv.ModelKey, kind); err != nil {
				return err
			}
		}
		if err := m.restoreStreaming(ctx, mv.ModelKey); err != nil {
			return err
		}
	}
	return nil
}

// configChanged reports whether a model version's settings or reference
// changed since the last call, so that a change made through another
// replica reaches this one's detectors, reference and estimator caches
// (the replica that took the change invalidated its own at once). The first
// call for a version reports no change.
func (m *Monitor) configChanged(ctx context.Context, key modelwatch.ModelKey) (bool, error) {
	set, err := m.store.ModelSettings(ctx, key)
	if err != nil {
		return false, err
	}
	b, err := json.Marshal(set)
	if err != nil {
		return false, err
	}
	ref, err := m.store.Reference(ctx, key, false)
	if err != nil && modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		return false, err
	}
	v := fmt.Sprintf("%s|%s|%d|%d", b, ref.UploadedAt.UTC().Format(time.RFC3339Nano), ref.Size, ref.Rows)
	m.cfgMu.Lock()
	old, seen := m.cfg[key]
	m.cfg[key] = v
	m.cfgMu.Unlock()
	if !seen {
		// A version that appeared since the last pass may have detectors
		// built from settings older than these.
		return m.cached(key), nil
	}
	return old != v, nil
}

// cached reports whether the monitor holds state derived from a model
// version's settings or reference.
func (m *Monitor) cached(key modelwatch.ModelKey) bool {
	m.detMu.Lock()
	_, det := m.detectors[key]
	m.detMu.Unlock()
	m.refs.mu.Lock()
	_, ref := m.refs.refs[key]
	m.refs.mu.Unlock()
	m.est.mu.Lock()
	_, est := m.est.m[key]
	m.est.mu.Unlock()
	return det || ref || est
}

// restoreRuns publishes the newest runs of a model version's kind of check.
func (m *Monitor) restoreRuns(ctx context.Context, key modelwatch.ModelKey, kind string) error {
	runs, err := m.store.DriftRuns(ctx, key, kind, 50)
	if err != nil || len(runs) == 0 {
		return err
	}
	newest := runs[0]
	for _, r := range runs {
		if r.Status != modelwatch.RunOK {
			continue
		}
		if r.ID <= m.publishedID(runKey{key, kind}) {
			break
		}
		var rep *drift.Report
		if kind == modelwatch.KindData {
			full, err := m.store.DriftRun(ctx, key, r.ID)
			if err != nil {
				return err
			}
			rep = &drift.Report{}
			if err := json.Unmarshal(full.Result, rep); err != nil {
				return fmt.Errorf("restore drift run %d of %s: %w", r.ID, key, err)
			}
		}
		m.publish(r, rep)
		break
	}
	m.publish(newest, nil) // the last-run gauge
	return nil
}

// restoreStreaming fires the alerts of a model version's recent streaming
// drift detections.
func (m *Monitor) restoreStreaming(ctx context.Context, key modelwatch.ModelKey) error {
	if m.opts.Alerter == nil {
		return nil
	}
	evs, err := m.store.ConceptEvents(ctx, key, streamingLookback)
	if err != nil {
		return err
	}
	now, seen := m.opts.Now(), map[string]bool{}
	for _, e := range evs { // newest first
		if e.Kind != modelwatch.RoleDrift || seen[e.Detector] {
			continue
		}
		seen[e.Detector] = true
		if now.Sub(e.At) < m.opts.StreamingAlertHold {
			m.streamingAlert(e)
		}
	}
	return nil
}
