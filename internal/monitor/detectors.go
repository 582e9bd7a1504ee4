package monitor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/concept"
	"github.com/modelwatch/modelwatch/internal/store"
)

// detectorSet is the streaming concept-drift detectors of one model version.
// They are fed each labelled prediction's error (1 wrong, 0 right) in label
// sequence order; a label that arrives out of that order (read late, or a
// correction) is not fed again.
type detectorSet struct {
	mu       sync.Mutex
	names    []string
	warnOnly []bool // detectors whose detections are warnings
	dets     []concept.Detector
	warning  []bool // whether each detector was in its warning zone
	lastSeq  int64  // the newest label fed
}

// OnLabel feeds a label event to the model version's streaming detectors and
// records their detections. The windows call it for every label event, in
// revision order.
func (m *Monitor) OnLabel(e store.LabelEvent) {
	set, err := m.detectorSet(context.Background(), e.Model, e.Seq)
	if err != nil {
		m.log.Error("streaming detectors", "model", e.Model.String(), "err", err)
		return
	}
	set.mu.Lock()
	evs := set.feed(e, m.opts.Now(), true)
	set.mu.Unlock()
	if len(evs) == 0 {
		return
	}
	if err := m.store.AddConceptEvents(context.Background(), evs); err != nil {
		m.log.Error("store streaming drift detections", "model", e.Model.String(), "err", err)
	}
	for _, ev := range evs {
		m.log.Info("streaming concept drift detector", "model", e.Model.String(), "detector", ev.Detector, "kind", ev.Kind, "seq", ev.Seq)
		if ev.Kind == "drift" {
			m.rec.ConceptEvent(ev.Model, ev.Detector)
			m.streamingAlert(ev)
		} else {
			m.rec.ConceptWarning(ev.Model, ev.Detector)
		}
	}
}

// feed updates the detectors with one label and returns their detections
// (drifts, and entries into a warning zone) when record is true.
func (s *detectorSet) feed(e store.LabelEvent, now time.Time, record bool) []modelwatch.ConceptEvent {
	if e.Seq <= s.lastSeq {
		return nil
	}
	s.lastSeq = e.Seq
	x := 0.0
	if e.Truth != e.Prediction {
		x = 1
	}
	var evs []modelwatch.ConceptEvent
	for i, d := range s.dets {
		d.Update(x)
		warn := false
		if w, ok := d.(concept.WarningDetector); ok {
			warn = w.WarningDetected()
		}
		if record {
			switch {
			case d.DriftDetected() && s.warnOnly[i]:
				evs = append(evs, modelwatch.ConceptEvent{Model: e.Model, Detector: s.names[i], Kind: "warning", At: now, Seq: e.Seq})
			case d.DriftDetected():
				evs = append(evs, modelwatch.ConceptEvent{Model: e.Model, Detector: s.names[i], Kind: "drift", At: now, Seq: e.Seq})
			case warn && !s.warning[i]:
				evs = append(evs, modelwatch.ConceptEvent{Model: e.Model, Detector: s.names[i], Kind: "warning", At: now, Seq: e.Seq})
			}
		}
		s.warning[i] = warn && !d.DriftDetected()
	}
	return evs
}

// detectorSet returns the detectors of a model version, building them from
// its settings on first use. A new detector replays the version's labels
// since its last recorded drift (at most ReplayLimit of the latest, and only
// those before seq, which the caller feeds live) without recording anything:
// a drift resets a detector, so this rebuilds the state it had.
func (m *Monitor) detectorSet(ctx context.Context, key modelwatch.ModelKey, seq int64) (*detectorSet, error) {
	m.detMu.Lock()
	set := m.detectors[key]
	m.detMu.Unlock()
	if set != nil {
		return set, nil
	}
	raw, err := m.store.ModelSettings(ctx, key)
	if err != nil {
		return nil, err
	}
	specs := raw.WithDefaults().Detectors
	set = &detectorSet{lastSeq: seq - 1}
	for _, sp := range specs {
		d, _, err := concept.Build(sp.Name, sp.Params)
		if err != nil {
			return nil, fmt.Errorf("build detector %q: %w", sp.Name, err)
		}
		set.names = append(set.names, sp.Name)
		set.dets = append(set.dets, d)
		set.warnOnly = append(set.warnOnly, sp.Role == modelwatch.RoleWarning)
	}
	set.warning = make([]bool, len(set.dets))
	if len(set.dets) > 0 {
		if err := m.replay(ctx, key, set, seq); err != nil {
			return nil, err
		}
	}
	var drifters []string
	for i, n := range set.names {
		if !set.warnOnly[i] {
			drifters = append(drifters, n)
		}
	}
	m.rec.DetectorsConfigured(key, drifters)
	m.detMu.Lock()
	defer m.detMu.Unlock()
	if existing := m.detectors[key]; existing != nil {
		return existing, nil
	}
	m.detectors[key] = set
	return set, nil
}

// replay feeds each detector of a new set the labels before seq that follow
// its last recorded drift.
func (m *Monitor) replay(ctx context.Context, key modelwatch.ModelKey, set *detectorSet, seq int64) error {
	evs, err := m.store.ConceptEvents(ctx, key, 10000)
	if err != nil {
		return err
	}
	lastDrift := map[string]int64{}
	for _, e := range evs { // newest first
		if _, seen := lastDrift[e.Detector]; !seen && e.Kind == "drift" {
			lastDrift[e.Detector] = e.Seq
		}
	}
	labels, _, err := m.store.LatestLabelled(ctx, key, m.opts.ReplayLimit)
	if err != nil {
		return err
	}
	for i, d := range set.dets {
		from := lastDrift[set.names[i]]
		for _, l := range labels {
			if l.Seq <= from || l.Seq >= seq {
				continue
			}
			x := 0.0
			if l.Truth != l.Prediction {
				x = 1
			}
			d.Update(x)
		}
		if w, ok := d.(concept.WarningDetector); ok {
			set.warning[i] = w.WarningDetected()
		}
	}
	return nil
}

// Invalidate forgets what the monitor derived from a model version's
// settings and reference: detectors are rebuilt (with replay) on the next
// label, the reference is prepared again on the next check.
func (m *Monitor) Invalidate(key modelwatch.ModelKey) {
	m.detMu.Lock()
	delete(m.detectors, key)
	m.detMu.Unlock()
	m.refs.mu.Lock()
	delete(m.refs.refs, key)
	m.refs.mu.Unlock()
	m.est.mu.Lock()
	delete(m.est.m, key)
	m.est.mu.Unlock()
}
