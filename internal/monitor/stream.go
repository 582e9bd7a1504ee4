package monitor

import (
	"context"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// labelQueue holds the label events waiting for the streaming detectors.
// It is bounded; an event that does not fit is not kept, and its model
// version is marked behind instead: its detectors catch up from the store,
// where every label is, before they take their next event.
type labelQueue struct {
	events []store.LabelEvent
	spare  []store.LabelEvent
	// behind maps model versions with events that were not queued to the
	// lowest label sequence number among those events.
	behind map[modelwatch.ModelKey]int64
	wake   chan struct{} // signals Run's drainer; capacity 1
}

// OnLabel hands a label event to the model version's streaming detectors.
// The windows call it for every label event, in revision order, from
// ingest and ground-truth requests among others, so it does not wait: while
// Run runs, the event is queued and Run's drainer feeds it (building the
// detectors, with their replay, and raising alerts). Before Run starts or
// after it returns, OnLabel feeds it in the caller, as Drain does.
func (m *Monitor) OnLabel(e store.LabelEvent) {
	m.qMu.Lock()
	q := &m.queue
	if len(q.events) < m.opts.LabelQueue {
		q.events = append(q.events, e)
	} else if s, ok := q.behind[e.Model]; !ok || e.Seq < s {
		q.behind[e.Model] = e.Seq
	}
	m.qMu.Unlock()
	if !m.draining.Load() {
		m.Drain(context.Background())
		return
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Drain feeds every label event queued so far to the streaming detectors and
// catches up the model versions whose events did not fit in the queue, then
// returns. Run's drainer calls it whenever events arrive; tests call it to
// wait until the detectors have seen every label.
func (m *Monitor) Drain(ctx context.Context) {
	m.streamMu.Lock()
	defer m.streamMu.Unlock()
	// Model versions whose detectors could not be built or caught up
	// because the store did not answer: the next Drain catches them up.
	retry := map[modelwatch.ModelKey]int64{}
	for {
		m.qMu.Lock()
		evs, behind := m.queue.events, map[modelwatch.ModelKey]int64(nil)
		m.queue.events, m.queue.spare = m.queue.spare[:0], nil
		if len(m.queue.behind) > 0 {
			behind, m.queue.behind = m.queue.behind, map[modelwatch.ModelKey]int64{}
		}
		m.qMu.Unlock()
		if len(evs) == 0 && len(behind) == 0 {
			break
		}
		for _, e := range evs {
			if _, ok := retry[e.Model]; ok {
				continue // caught up from the store later
			}
			if from, ok := behind[e.Model]; ok && e.Seq >= from {
				// Labels before e were not queued: take them, and e
				// with them, from the store.
				delete(behind, e.Model)
				m.catchUp(ctx, e.Model, from, retry)
				continue
			}
			m.feedOne(ctx, e, retry)
		}
		for key, from := range behind {
			if _, ok := retry[key]; ok {
				markBehind(retry, key, from)
				continue
			}
			m.catchUp(ctx, key, from, retry)
		}
		m.qMu.Lock()
		m.queue.spare = evs[:0]
		m.qMu.Unlock()
	}
	if len(retry) == 0 {
		return
	}
	m.qMu.Lock()
	for key, from := range retry {
		markBehind(m.queue.behind, key, from)
	}
	m.qMu.Unlock()
}

// markBehind records in behind that a model version's detectors have not
// seen label seq.
func markBehind(behind map[modelwatch.ModelKey]int64, key modelwatch.ModelKey, seq int64) {
	if s, ok := behind[key]; !ok || seq < s {
		behind[key] = seq
	}
}

// feedOne feeds one label event to its model version's detectors and
// records their detections. When the detectors cannot be built, the
// version goes into retry.
func (m *Monitor) feedOne(ctx context.Context, e store.LabelEvent, retry map[modelwatch.ModelKey]int64) {
	set, err := m.detectorSet(ctx, e.Model, e.Seq)
	if err != nil {
		m.log.Error("streaming detectors", "model", e.Model.String(), "err", err)
		markBehind(retry, e.Model, e.Seq)
		return
	}
	set.mu.Lock()
	ds := set.feed(e, m.opts.Now())
	set.mu.Unlock()
	m.record(ctx, e.Model, ds)
}

// catchUp feeds a model version's detectors, recording their detections,
// every stored label they have not seen, from label from on when they are
// not built yet. When the store does not answer, the version goes into
// retry.
func (m *Monitor) catchUp(ctx context.Context, key modelwatch.ModelKey, from int64, retry map[modelwatch.ModelKey]int64) {
	set, err := m.detectorSet(ctx, key, from)
	if err != nil {
		m.log.Error("streaming detectors", "model", key.String(), "err", err)
		markBehind(retry, key, from)
		return
	}
	set.mu.Lock()
	after := set.lastSeq
	set.mu.Unlock()
	// The labels after `after` are the latest ones: ask for more until the
	// answer reaches back to them.
	var labels []store.LabelEvent
	for n := 1024; ; n *= 2 {
		if labels, _, err = m.store.LatestLabelled(ctx, key, n); err != nil {
			m.log.Error("streaming detectors: catch up from the store", "model", key.String(), "err", err)
			markBehind(retry, key, after+1)
			return
		}
		if len(labels) < n || labels[0].Seq <= after+1 {
			break
		}
	}
	var ds []detection
	now := m.opts.Now()
	set.mu.Lock()
	for _, l := range labels {
		ds = append(ds, set.feed(l, now)...)
	}
	set.mu.Unlock()
	m.record(ctx, key, ds)
}

// record stores detections, remembers the resets the events do not show,
// counts them and raises the alerts of drifts. The detectors have moved on
// whatever happens here, so a store failure is logged.
func (m *Monitor) record(ctx context.Context, key modelwatch.ModelKey, ds []detection) {
	if len(ds) == 0 {
		return
	}
	evs := make([]modelwatch.ConceptEvent, len(ds))
	for i, d := range ds {
		evs[i] = d.event
	}
	if err := m.store.AddConceptEvents(ctx, evs); err != nil {
		m.log.Error("store streaming drift detections", "model", key.String(), "err", err)
	}
	resets := map[string]int64{}
	for _, d := range ds {
		if d.reset && d.event.Kind != modelwatch.RoleDrift {
			resets[d.event.Detector] = max(resets[d.event.Detector], d.event.Seq)
		}
	}
	for det, seq := range resets {
		if err := m.recordReset(ctx, key, det, seq); err != nil {
			m.log.Error("record streaming detector reset", "model", key.String(), "detector", det, "err", err)
		}
	}
	for _, ev := range evs {
		m.log.Info("streaming concept drift detector", "model", key.String(), "detector", ev.Detector, "kind", ev.Kind, "seq", ev.Seq)
		if ev.Kind == modelwatch.RoleDrift {
			m.rec.ConceptEvent(ev.Model, ev.Detector)
			m.streamingAlert(ev)
		} else {
			m.rec.ConceptWarning(ev.Model, ev.Detector)
		}
	}
}

// drain runs Drain whenever label events are queued, and every interval
// to retry what failed, until ctx ends.
func (m *Monitor) drain(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.queue.wake:
		case <-t.C:
		}
		m.Drain(ctx)
	}
}
