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

// detection is a detector's signal on one label: a stored event, and
// whether the detector drifted (and so starts over on its next label).
type detection struct {
	event modelwatch.ConceptEvent
	reset bool
}

// labelError is the value the detectors are fed: 1 for a wrong prediction,
// 0 for a right one.
func labelError(e store.LabelEvent) float64 {
	if e.Truth != e.Prediction {
		return 1
	}
	return 0
}

// feed updates the detectors with one label and returns their detections:
// drifts, and entries into a warning zone. How a signal is stored depends on
// the detector's role:
//
//	signal             role drift   role warning
//	drift (resets)     "drift"      "warning", reset
//	warning zone       "warning"    "warning"
//
// so a stored "drift" always marks a reset, a stored "warning" may or may
// not; detection.reset tells them apart.
func (s *detectorSet) feed(e store.LabelEvent, now time.Time) []detection {
	if e.Seq <= s.lastSeq {
		return nil
	}
	s.lastSeq = e.Seq
	x := labelError(e)
	var out []detection
	for i, d := range s.dets {
		d.Update(x)
		drift, warn := d.DriftDetected(), false
		if w, ok := d.(concept.WarningDetector); ok {
			warn = w.WarningDetected()
		}
		ev := modelwatch.ConceptEvent{Model: e.Model, Detector: s.names[i], Kind: modelwatch.RoleWarning, At: now, Seq: e.Seq}
		switch {
		case drift:
			if !s.warnOnly[i] {
				ev.Kind = modelwatch.RoleDrift
			}
			out = append(out, detection{event: ev, reset: true})
		case warn && !s.warning[i]:
			out = append(out, detection{event: ev})
		}
		s.warning[i] = warn && !drift
	}
	return out
}

// detectorSet returns the detectors of a model version, building them from
// its settings on first use. A new detector replays the version's labels
// since its last reset (at most ReplayLimit of the latest, and only those
// before seq, which the caller feeds live) without recording anything: a
// drift resets a detector, so this rebuilds the state it had.
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

// resetName names the record of the label at which a detector of a model
// version last reset, kept with the store's job runs (see lastReset).
func resetName(key modelwatch.ModelKey, detector string) string {
	return "concept-reset/" + detector + "/" + key.String()
}

// recordReset remembers that a detector reset at label seq. A reset of a
// detector in the drift role is also its stored "drift" event; one in the
// warning role is stored as a "warning", like the entries into its warning
// zone that do not reset it, so the label is kept beside the events. The
// store's job-run register holds it: one row per detector, the label
// sequence number as the Unix time in microseconds.
func (m *Monitor) recordReset(ctx context.Context, key modelwatch.ModelKey, detector string, seq int64) error {
	return m.store.RecordRun(ctx, resetName(key, detector), time.UnixMicro(seq))
}

// lastReset returns the label at which a detector last reset, 0 when
// unknown: the newer of its latest "drift" event (evs, newest first) and
// the reset recorded by recordReset.
func (m *Monitor) lastReset(ctx context.Context, key modelwatch.ModelKey, detector string, evs []modelwatch.ConceptEvent) (int64, error) {
	var from int64
	for _, e := range evs {
		if e.Detector == detector && e.Kind == modelwatch.RoleDrift {
			from = e.Seq
			break
		}
	}
	at, err := m.store.LastRun(ctx, resetName(key, detector))
	if err != nil {
		return 0, err
	}
	if !at.IsZero() {
		from = max(from, at.UnixMicro())
	}
	return from, nil
}

// replay feeds each detector of a new set the labels before seq that follow
// its last reset.
func (m *Monitor) replay(ctx context.Context, key modelwatch.ModelKey, set *detectorSet, seq int64) error {
	evs, err := m.store.ConceptEvents(ctx, key, 10000)
	if err != nil {
		return err
	}
	labels, _, err := m.store.LatestLabelled(ctx, key, m.opts.ReplayLimit)
	if err != nil {
		return err
	}
	for i, d := range set.dets {
		from, err := m.lastReset(ctx, key, set.names[i], evs)
		if err != nil {
			return err
		}
		for _, l := range labels {
			if l.Seq <= from || l.Seq >= seq {
				continue
			}
			d.Update(labelError(l))
		}
		if w, ok := d.(concept.WarningDetector); ok {
			set.warning[i] = w.WarningDetected() && !d.DriftDetected()
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
