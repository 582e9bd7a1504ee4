package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/estimate"
)

// fitted is a model version's CBPE estimator with how it maps predictions to
// the estimator's classes.
type fitted struct {
	version  string // the settings it was fitted with
	est      *estimate.Estimator
	classes  []string
	index    map[string]int // class → column
	positive int            // binary: the column of the positive class
	lastTo   time.Time      // the newest prediction of the last estimate
	shown    bool           // whether this process has published an estimate
	waiting  bool           // err says it waits for reference data
	err      string         // why there is no estimator yet
}

// estimators holds the fitted estimators by model version.
type estimators struct {
	mu sync.Mutex
	m  map[modelwatch.ModelKey]*fitted
}

// EstimateAll estimates, for every model version that logs probabilities
// and has enough labelled reference data, the performance of its latest
// chunk of predictions, if new predictions arrived since the last estimate.
// It returns how many estimates it made.
func (m *Monitor) EstimateAll(ctx context.Context) (int, error) {
	mvs, err := m.store.ModelVersions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, mv := range mvs {
		ok, err := m.estimateOne(ctx, mv.ModelKey)
		if err != nil {
			m.log.Error("performance estimation", "model", mv.ModelKey.String(), "err", err)
			continue
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (m *Monitor) estimateOne(ctx context.Context, key modelwatch.ModelKey) (bool, error) {
	raw, err := m.store.ModelSettings(ctx, key)
	if err != nil {
		return false, err
	}
	s := raw.WithDefaults().Estimation
	if s.Off {
		return false, nil
	}
	f, err := m.estimatorFor(ctx, key, s)
	if err != nil || f.est == nil {
		return false, err
	}
	ps, err := m.store.LatestPredictions(ctx, key, s.ChunkSize)
	if err != nil {
		return false, err
	}
	last := ps[len(ps)-1].Timestamp
	if len(ps) < s.ChunkSize || !last.After(f.lastTo) {
		return false, nil // a chunk not yet full, or nothing new since the last estimate
	}
	// One replica at a time estimates a model version, and a chunk another
	// replica (or this one before a restart) already stored is estimated
	// again only to publish its gauges, not stored twice.
	unlock, ok, err := m.opts.Locker.TryLock(ctx, "estimate/"+key.String())
	if err != nil || !ok {
		return false, err
	}
	defer unlock()
	prev, err := m.store.Estimates(ctx, key, 1)
	if err != nil {
		return false, err
	}
	stored := len(prev) > 0 && !last.After(prev[0].To)
	if stored && f.shown {
		f.lastTo = last
		return false, nil
	}
	data := f.data(ps)
	if data.Len() < s.ChunkSize/2 {
		return false, nil // most of the chunk has no usable probabilities
	}
	res, err := f.est.Estimate(data)
	if err != nil {
		return false, fmt.Errorf("estimate: %w", err)
	}
	f.lastTo, f.shown = last, true
	if stored {
		m.rec.Estimated(key, res)
		return false, nil
	}
	body, err := json.Marshal(res)
	if err != nil {
		return false, err
	}
	e := modelwatch.Estimate{
		Model: key, At: m.opts.Now().UTC(), From: ps[0].Timestamp, To: ps[len(ps)-1].Timestamp,
		Rows: data.Len(), Labelled: res.Labelled, Result: body,
	}
	if _, err := m.store.AddEstimate(ctx, e); err != nil {
		return false, err
	}
	m.rec.Estimated(key, res)
	return true, nil
}

// estimatorFor returns the fitted estimator of a model version, fitting it
// on the first labelled predictions once enough have probabilities. A
// returned fitted without est says why in err.
func (m *Monitor) estimatorFor(ctx context.Context, key modelwatch.ModelKey, s modelwatch.EstimationSettings) (*fitted, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	version := string(b)
	m.est.mu.Lock()
	f := m.est.m[key]
	m.est.mu.Unlock()
	if f != nil && f.version == version && f.est != nil {
		return f, nil
	}
	ref, err := m.store.FirstLabelledPredictions(ctx, key, s.ReferenceSize)
	if err != nil {
		return nil, err
	}
	f = &fitted{version: version}
	usable := ref[:0:0]
	for _, p := range ref {
		if len(p.Probabilities) > 0 {
			usable = append(usable, p)
		}
	}
	if len(usable) < s.ReferenceSize {
		f.err = fmt.Sprintf("waiting for %d labelled predictions with probabilities to fit on (%d so far)", s.ReferenceSize, len(usable))
		f.waiting = true
		m.setEstimator(key, f)
		return f, nil
	}
	if err := f.fit(usable, s); err != nil {
		f.err = err.Error()
		m.setEstimator(key, f)
		m.log.Warn("performance estimation unavailable", "model", key.String(), "err", err)
		return f, nil
	}
	m.log.Info("performance estimator fitted", "model", key.String(), "reference", len(usable),
		"classes", len(f.classes), "calibrated", f.est.NeedsCalibration())
	m.setEstimator(key, f)
	return f, nil
}

// EstimationStatus says whether a model version's estimator is fitted:
// "fitted", "waiting" (for labelled predictions with probabilities) or
// "unavailable" (fitting failed), with a message for the last two. It is
// "waiting" before the first estimation pass after a start.
func (m *Monitor) EstimationStatus(key modelwatch.ModelKey) (status, message string) {
	m.est.mu.Lock()
	f := m.est.m[key]
	m.est.mu.Unlock()
	switch {
	case f == nil:
		return "waiting", "no estimator fitted yet"
	case f.est != nil:
		return "fitted", ""
	case f.waiting:
		return "waiting", f.err
	default:
		return "unavailable", f.err
	}
}

func (m *Monitor) setEstimator(key modelwatch.ModelKey, f *fitted) {
	m.est.mu.Lock()
	defer m.est.mu.Unlock()
	if old := m.est.m[key]; old != nil && old.version == f.version {
		f.lastTo, f.shown = old.lastTo, old.shown
	}
	m.est.m[key] = f
}

// fit chooses the classes and fits the estimator on labelled reference
// predictions.
func (f *fitted) fit(ref []modelwatch.Prediction, s modelwatch.EstimationSettings) error {
	seen := map[string]bool{}
	for _, p := range ref {
		for c := range p.Probabilities {
			seen[c] = true
		}
		seen[string(p.Prediction)] = true
	}
	for c := range seen {
		f.classes = append(f.classes, c)
	}
	slices.Sort(f.classes)
	if len(f.classes) < 2 {
		return fmt.Errorf("the reference predictions have a single class")
	}
	f.index = map[string]int{}
	for i, c := range f.classes {
		f.index[c] = i
	}
	if len(f.classes) == 2 {
		f.positive = 1
		if s.PositiveClass != "" {
			i, ok := f.index[s.PositiveClass]
			if !ok {
				return fmt.Errorf("positive_class %q is not one of the classes %s", s.PositiveClass, strings.Join(f.classes, ", "))
			}
			f.positive = i
		} else {
			for _, c := range []string{"1", "true", "yes"} {
				if i, ok := f.index[c]; ok {
					f.positive = i
				}
			}
		}
	}
	cal, err := estimate.ParseCalibration(s.Calibration)
	if err != nil {
		return err
	}
	var metrics []estimate.Metric
	if len(s.Metrics) > 0 {
		if metrics, err = estimate.ParseMetrics(strings.Join(s.Metrics, ",")); err != nil {
			return err
		}
	}
	opts := estimate.Options{Metrics: metrics, Calibration: cal, Chunker: estimate.SizeChunker{Size: s.ChunkSize}}
	data := f.data(ref)
	if len(f.classes) > 2 {
		opts.Classes = f.classes
	}
	est, err := estimate.Fit(data, opts)
	if err != nil {
		return fmt.Errorf("fit the estimator: %w", err)
	}
	f.est = est
	return nil
}

// data turns predictions into the estimator's columns: for a binary model
// the probability of the positive class, else one probability column per
// class; the predicted class and the ground truth as class indices. Rows
// without probabilities, or with a predicted class the estimator does not
// know, are left out.
func (f *fitted) data(ps []modelwatch.Prediction) estimate.Data {
	binary := len(f.classes) == 2
	cols := len(f.classes)
	if binary {
		cols = 1
	}
	d := estimate.Data{Scores: make([][]float64, cols)}
	for _, p := range ps {
		pred, ok := f.index[string(p.Prediction)]
		if !ok || len(p.Probabilities) == 0 {
			continue
		}
		label := estimate.NoLabel
		if p.GroundTruth != "" {
			if l, ok := f.index[string(p.GroundTruth)]; ok {
				label = l
			}
		}
		if binary {
			pos, ok := p.Probabilities[f.classes[f.positive]]
			if !ok {
				neg, okNeg := p.Probabilities[f.classes[1-f.positive]]
				if !okNeg {
					continue
				}
				pos = 1 - neg
			}
			d.Scores[0] = append(d.Scores[0], pos)
			if f.positive == 0 { // class index 1 must be the positive class
				pred = 1 - pred
				if label != estimate.NoLabel {
					label = 1 - label
				}
			}
		} else {
			for i, c := range f.classes {
				d.Scores[i] = append(d.Scores[i], p.Probabilities[c])
			}
		}
		d.Pred = append(d.Pred, pred)
		d.Label = append(d.Label, label)
		d.Time = append(d.Time, p.Timestamp)
	}
	return d
}
