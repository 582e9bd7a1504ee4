package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/dataset"
)

// fitted is a model version's CBPE estimator with how it maps predictions to
// the estimator's classes.
type fitted struct {
	version  string // the settings (and uploaded reference) it was fitted with
	est      *estimate.Estimator
	classes  []string
	index    map[string]int // class → column
	positive int            // binary: the column of the positive class
	source   string         // what it was fitted on, for the status and the log
	lastTo   time.Time      // the newest prediction of the last estimate
	shown    bool           // whether this process has published an estimate
	waiting  bool           // err says it waits for reference data
	final    bool           // err stays until the settings or the reference change
	err      string         // why there is no estimator yet
	// unused says why the uploaded reference is not used (reference
	// "auto" falling back to production predictions).
	unused string
	// checked holds, per stored estimate not fully labelled, the labelled
	// predictions its time range had when its chunk was last read.
	checked map[int64]int64
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
	// One replica at a time estimates a model version.
	unlock, ok, err := m.opts.Locker.TryLock(ctx, "estimate/"+key.String())
	if err != nil || !ok {
		return false, err
	}
	defer unlock()
	made, err := m.estimateLatest(ctx, key, f, s)
	if err != nil {
		return false, err
	}
	return made, m.revisit(ctx, key, f, s)
}

// estimateLatest estimates the latest chunk of a model version's
// predictions if new predictions arrived since the last estimate, stores
// it and publishes it. A chunk another replica (or this one before a
// restart) already stored is estimated again only to publish its gauges,
// not stored twice.
func (m *Monitor) estimateLatest(ctx context.Context, key modelwatch.ModelKey, f *fitted, s modelwatch.EstimationSettings) (bool, error) {
	ps, err := m.store.LatestPredictions(ctx, key, s.ChunkSize)
	if err != nil || len(ps) < s.ChunkSize {
		return false, err // a chunk not yet full
	}
	last := ps[len(ps)-1].Timestamp
	if !last.After(f.lastTo) {
		return false, nil // nothing new since the last estimate
	}
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
// on the uploaded reference dataset or on the first labelled predictions,
// as the settings' reference says. A returned fitted without est says why
// in err.
func (m *Monitor) estimatorFor(ctx context.Context, key modelwatch.ModelKey, s modelwatch.EstimationSettings) (*fitted, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	version := string(b)
	var upload *modelwatch.Reference
	if s.Reference != modelwatch.EstimationProduction {
		ref, err := m.store.Reference(ctx, key, false)
		switch {
		case err == nil:
			upload = &ref
			version += "|" + ref.UploadedAt.Format(time.RFC3339Nano)
		case modelwatch.ErrorCode(err) != modelwatch.ENotFound:
			return nil, err
		}
	}
	m.est.mu.Lock()
	old := m.est.m[key]
	m.est.mu.Unlock()
	if old != nil && old.version == version && (old.est != nil || old.final) {
		return old, nil
	}
	f := &fitted{version: version}
	switch s.Reference {
	case modelwatch.EstimationAuto, modelwatch.EstimationUploaded, modelwatch.EstimationProduction:
	default:
		f.err, f.final = fmt.Sprintf("estimation.reference %q: want auto, uploaded or production", s.Reference), true
		m.setEstimator(key, f)
		return f, nil
	}
	if upload != nil {
		if old != nil && old.version == version && old.unused != "" {
			f.unused = old.unused // the same file: no need to read it again
		} else {
			done, err := m.fitUploaded(ctx, key, *upload, s, f)
			if err != nil {
				return nil, err
			}
			if done {
				m.setEstimator(key, f)
				return f, nil
			}
			m.log.Info("performance estimation: the uploaded reference is not used", "model", key.String(), "why", f.unused)
		}
	}
	if s.Reference == modelwatch.EstimationUploaded {
		if upload == nil {
			f.err, f.waiting = "waiting for a reference dataset with the columns of modelwatch estimate (y_pred_proba or proba_<class>, y_pred, y_true): upload one", true
		} else {
			f.err, f.final = "the uploaded reference cannot be used: "+f.unused, true
		}
		m.setEstimator(key, f)
		return f, nil
	}
	ref, err := m.store.FirstLabelledPredictions(ctx, key, s.ReferenceSize)
	if err != nil {
		return nil, err
	}
	usable := ref[:0:0]
	for _, p := range ref {
		if len(p.Probabilities) > 0 {
			usable = append(usable, p)
		}
	}
	if len(usable) < s.ReferenceSize {
		f.err = fmt.Sprintf("waiting for %d labelled predictions with probabilities to fit on (%d so far)", s.ReferenceSize, len(usable))
		if f.unused != "" {
			f.err += "; the uploaded reference is not used: " + f.unused
		}
		f.waiting = true
		m.setEstimator(key, f)
		return f, nil
	}
	if err := f.fit(usable, s, true); err != nil {
		f.err = err.Error()
		m.setEstimator(key, f)
		m.log.Warn("performance estimation unavailable", "model", key.String(), "err", err)
		return f, nil
	}
	f.source = fmt.Sprintf("the first %d labelled predictions", len(usable))
	m.setEstimator(key, f)
	m.logFitted(key, f)
	return f, nil
}

// fitUploaded fits f on the uploaded reference dataset when it has the
// columns of modelwatch estimate. It returns false, with f.unused saying
// why, when the dataset lacks them; true when f is fitted, or cannot be
// fitted on the dataset (f.err), which is then not read again.
func (m *Monitor) fitUploaded(ctx context.Context, key modelwatch.ModelKey, meta modelwatch.Reference, s modelwatch.EstimationSettings, f *fitted) (bool, error) {
	name := meta.Filename
	if name == "" {
		name = "uploaded " + meta.UploadedAt.Format(time.RFC3339)
	}
	ref, err := m.store.Reference(ctx, key, true)
	if err != nil {
		return false, err
	}
	fail := func(err error) (bool, error) {
		f.err, f.final = fmt.Sprintf("the uploaded reference %s: %v", name, err), true
		m.log.Warn("performance estimation unavailable", "model", key.String(), "err", f.err)
		return true, nil
	}
	table, err := ParseReference(ref.Format, ref.Data, modelwatch.ModelSettings{})
	if err != nil {
		return fail(err)
	}
	ps, unused, err := referencePredictions(table, s)
	switch {
	case unused != "":
		f.unused = unused
		return false, nil
	case err != nil:
		return fail(err)
	}
	if err := f.fit(ps, s, false); err != nil {
		return fail(err)
	}
	f.source = fmt.Sprintf("the uploaded reference %s (%d rows)", name, len(ps))
	m.logFitted(key, f)
	return true, nil
}

// logFitted logs a newly fitted estimator.
func (m *Monitor) logFitted(key modelwatch.ModelKey, f *fitted) {
	m.log.Info("performance estimator fitted", "model", key.String(), "source", f.source,
		"classes", len(f.classes), "calibrated", f.est.NeedsCalibration())
	for _, w := range f.est.Warnings() {
		m.log.Warn("performance estimation", "model", key.String(), "warning", w)
	}
}

// EstimationStatus says whether a model version's estimator is fitted:
// "fitted" (the message says on what: the uploaded reference or the first
// labelled predictions, and why an uploaded reference was not used),
// "waiting" (for labelled predictions with probabilities, or for an
// uploaded reference) or "unavailable" (fitting failed), with a message
// saying why. It is "waiting" before the first estimation pass after a
// start.
func (m *Monitor) EstimationStatus(key modelwatch.ModelKey) (status, message string) {
	m.est.mu.Lock()
	f := m.est.m[key]
	m.est.mu.Unlock()
	switch {
	case f == nil:
		return "waiting", "no estimator fitted yet"
	case f.est != nil:
		msg := "fitted on " + f.source
		if f.unused != "" {
			msg += "; the uploaded reference is not used: " + f.unused
		}
		for _, w := range f.est.Warnings() {
			msg += "; warning: " + w
		}
		return "fitted", msg
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
// predictions; withTime orders them by their timestamps first.
func (f *fitted) fit(ref []modelwatch.Prediction, s modelwatch.EstimationSettings, withTime bool) error {
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
		var err error
		if f.positive, err = positiveClass(f.classes, s); err != nil {
			return err
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
	if !withTime {
		data.Time = nil
	}
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

// positiveClass returns the index of a binary model's positive class among
// its two sorted classes: the settings' positive_class, else "1", "true"
// or "yes" when one is a class, else the second.
func positiveClass(classes []string, s modelwatch.EstimationSettings) (int, error) {
	if s.PositiveClass != "" {
		i := slices.Index(classes, s.PositiveClass)
		if i < 0 {
			return 0, fmt.Errorf("positive_class %q is not one of the classes %s", s.PositiveClass, strings.Join(classes, ", "))
		}
		return i, nil
	}
	positive := 1
	for _, c := range []string{"1", "true", "yes"} {
		if i := slices.Index(classes, c); i >= 0 {
			positive = i
		}
	}
	return positive, nil
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

// The columns of modelwatch estimate that an uploaded reference needs for
// the estimator to be fitted on it (the command's default names).
const (
	refProbaColumn  = "y_pred_proba"
	refProbaPrefix  = "proba_"
	refPredColumn   = "y_pred"
	refTruthColumn  = "y_true"
	refColumnsHuman = "y_pred_proba or proba_<class> columns, y_pred and y_true"
)

// referencePredictions turns an uploaded reference dataset with the
// columns of modelwatch estimate into labelled predictions: y_pred_proba,
// the probability of the positive class of a binary model (chosen as for
// production predictions), or one proba_<class> column per class; y_pred
// and y_true, the predicted and the true class of every row. Classes are
// written as a model service sends them: integral numbers as integers,
// booleans as true and false. When a column is missing it returns why in
// unused; a bad value is an error naming the row and the column.
func referencePredictions(t *dataset.Table, s modelwatch.EstimationSettings) (ps []modelwatch.Prediction, unused string, err error) {
	cols := map[string]drift.Column{}
	var probaClasses []string
	for _, c := range t.Columns {
		cols[c.Name] = c
		if cls, ok := strings.CutPrefix(c.Name, refProbaPrefix); ok && cls != "" {
			probaClasses = append(probaClasses, cls)
		}
	}
	_, binary := cols[refProbaColumn]
	switch {
	case !binary && len(probaClasses) < 2:
		return nil, "it has no " + refProbaColumn + " column and fewer than two " + refProbaPrefix + "<class> columns (it needs " + refColumnsHuman + ")", nil
	case !has(cols, refPredColumn):
		return nil, "it has no " + refPredColumn + " column (it needs " + refColumnsHuman + ")", nil
	case !has(cols, refTruthColumn):
		return nil, "it has no " + refTruthColumn + " column (it needs " + refColumnsHuman + ")", nil
	}
	pred, truth := make([]string, t.Rows), make([]string, t.Rows)
	for i := range t.Rows {
		var ok bool
		if pred[i], ok = classText(cols[refPredColumn], i); !ok {
			return nil, "", fmt.Errorf("row %d: column %s: missing: every reference row needs its predicted class", i+1, refPredColumn)
		}
		if truth[i], ok = classText(cols[refTruthColumn], i); !ok {
			return nil, "", fmt.Errorf("row %d: column %s: missing: every reference row needs its true class", i+1, refTruthColumn)
		}
	}
	var classes []string
	if binary {
		for i := range pred {
			for _, c := range []string{pred[i], truth[i]} {
				if !slices.Contains(classes, c) {
					classes = append(classes, c)
				}
			}
		}
		slices.Sort(classes)
		if len(classes) != 2 {
			return nil, "", fmt.Errorf("%s is the probability of the positive class of a binary model: %s and %s must hold two classes, not %d (%s)",
				refProbaColumn, refPredColumn, refTruthColumn, len(classes), strings.Join(classes, ", "))
		}
	} else {
		classes = slices.Sorted(slices.Values(probaClasses))
	}
	positive := 0
	if binary {
		if positive, err = positiveClass(classes, s); err != nil {
			return nil, "", err
		}
	}
	probability := func(name string, i int) (float64, error) {
		c := cols[name]
		if c.Type != drift.Numerical {
			return 0, fmt.Errorf("column %s: not numeric: want probabilities in [0, 1]", name)
		}
		v := c.Numbers[i]
		if math.IsNaN(v) || v < 0 || v > 1 {
			return 0, fmt.Errorf("row %d: column %s: %v is not a probability in [0, 1]", i+1, name, v)
		}
		return v, nil
	}
	ps = make([]modelwatch.Prediction, t.Rows)
	for i := range t.Rows {
		for col, c := range map[string]string{refPredColumn: pred[i], refTruthColumn: truth[i]} {
			if !slices.Contains(classes, c) {
				return nil, "", fmt.Errorf("row %d: column %s: %q is not one of the classes %s", i+1, col, c, strings.Join(classes, ", "))
			}
		}
		probs := make(map[string]float64, len(classes))
		if binary {
			p, err := probability(refProbaColumn, i)
			if err != nil {
				return nil, "", err
			}
			probs[classes[positive]], probs[classes[1-positive]] = p, 1-p
		} else {
			for _, c := range classes {
				if probs[c], err = probability(refProbaPrefix+c, i); err != nil {
					return nil, "", err
				}
			}
		}
		ps[i] = modelwatch.Prediction{Prediction: modelwatch.Label(pred[i]), GroundTruth: modelwatch.Label(truth[i]), Probabilities: probs}
	}
	return ps, "", nil
}

func has(cols map[string]drift.Column, name string) bool {
	_, ok := cols[name]
	return ok
}

// classText returns row i of a class column as a model service would send
// the class (see modelwatch.ParseLabel): an integral number as an integer,
// a boolean (which internal/dataset reads as True or False) as true or
// false; false when the value is missing.
func classText(c drift.Column, i int) (string, bool) {
	if c.Type == drift.Numerical {
		v := c.Numbers[i]
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return "", false
		case v == math.Trunc(v) && math.Abs(v) < 1<<53:
			return strconv.FormatInt(int64(v), 10), true
		}
		return strconv.FormatFloat(v, 'g', -1, 64), true
	}
	if c.Codes[i] < 0 {
		return "", false
	}
	l := c.Levels[c.Codes[i]]
	switch l {
	case "True":
		return "true", true
	case "False":
		return "false", true
	}
	return l, true
}

// Which stored estimates are read again for late labels.
const (
	revisitLimit = 20                 // the most recent estimates
	revisitAge   = 7 * 24 * time.Hour // made at most this long ago
)

// revisit reads again the chunks of a model version's recent estimates
// that are not fully labelled (the last revisitLimit made within
// revisitAge); when more of their rows have labels now, it stores their
// realised values. It then publishes the estimation error of the newest
// recent chunk that is at least half labelled, or removes it when there is
// none.
func (m *Monitor) revisit(ctx context.Context, key modelwatch.ModelKey, f *fitted, s modelwatch.EstimationSettings) error {
	ests, err := m.store.Estimates(ctx, key, revisitLimit)
	if err != nil {
		return err
	}
	now := m.opts.Now()
	checked := map[int64]int64{}
	var labelled *estimate.ChunkResult
	for _, e := range ests {
		if now.Sub(e.At) > revisitAge {
			break
		}
		var res estimate.ChunkResult
		if err := json.Unmarshal(e.Result, &res); err != nil {
			m.log.Warn("performance estimation: unreadable stored estimate", "model", key.String(), "estimate", e.ID, "err", err)
			continue
		}
		if e.Labelled < e.Rows {
			if e, res, err = m.relabel(ctx, f, s, e, res, checked); err != nil {
				return err
			}
		}
		if labelled == nil && e.Labelled > 0 && 2*e.Labelled >= e.Rows {
			labelled = &res
		}
	}
	f.checked = checked
	if labelled == nil {
		labelled = &estimate.ChunkResult{}
	}
	m.rec.EstimationError(key, *labelled)
	return nil
}

// relabel reads the chunk of a stored estimate again when labels arrived
// in its time range since it was last read, and when more of its rows are
// labelled now, replaces its realised values (computed by the estimator,
// the estimates themselves kept as they were made) and stores it. A chunk
// whose rows changed — predictions added to its range later, a new chunk
// size — is left as it is.
func (m *Monitor) relabel(ctx context.Context, f *fitted, s modelwatch.EstimationSettings, e modelwatch.Estimate, res estimate.ChunkResult, checked map[int64]int64) (modelwatch.Estimate, estimate.ChunkResult, error) {
	// Rollups count labels cheaply: read the chunk only when they changed.
	n, _, err := m.store.Accuracy(ctx, e.Model, e.From.Truncate(time.Minute), e.To.Truncate(time.Minute).Add(time.Minute))
	if err != nil {
		return e, res, err
	}
	checked[e.ID] = n
	if prev, ok := f.checked[e.ID]; ok && prev == n {
		return e, res, nil
	}
	ps, err := m.store.PredictionsBetween(ctx, e.Model, e.From, e.To, s.ChunkSize)
	if err != nil {
		return e, res, err
	}
	data := f.data(ps)
	if len(ps) == 0 || data.Len() != e.Rows || !ps[0].Timestamp.Equal(e.From) || !ps[len(ps)-1].Timestamp.Equal(e.To) {
		m.log.Debug("performance estimation: the chunk of a stored estimate changed; its realised values are not updated",
			"model", e.Model.String(), "estimate", e.ID, "rows", data.Len(), "stored_rows", e.Rows)
		return e, res, nil
	}
	now, err := f.est.Estimate(data)
	if err != nil {
		return e, res, fmt.Errorf("estimate: %w", err)
	}
	if now.Labelled <= e.Labelled {
		return e, res, nil
	}
	for i, r := range res.Metrics {
		if nr, ok := now.Metric(r.Name); ok {
			res.Metrics[i].Realized, res.Metrics[i].HasRealized = nr.Realized, nr.HasRealized
		}
	}
	res.Labelled = now.Labelled
	body, err := json.Marshal(res)
	if err != nil {
		return e, res, err
	}
	e.Labelled, e.Result = now.Labelled, body
	if err := m.store.UpdateEstimate(ctx, e); err != nil {
		return e, res, err
	}
	m.log.Info("performance estimate checked against late labels", "model", e.Model.String(), "estimate", e.ID,
		"labelled", e.Labelled, "rows", e.Rows)
	return e, res, nil
}
