package ui

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
	"github.com/modelwatch/modelwatch/internal/window"
)

// fakeNow is the clock of the handler tests.
var fakeNow = time.Date(2026, 11, 20, 14, 37, 12, 0, time.UTC)

// fakeStore answers the UI's queries from predictions in memory, with
// rollups computed by the rollup package as the real stores do.
type fakeStore struct {
	mvs       []modelwatch.ModelVersion
	preds     map[modelwatch.ModelKey][]modelwatch.Prediction
	settings  map[modelwatch.ModelKey]modelwatch.ModelSettings
	runs      map[modelwatch.ModelKey][]modelwatch.DriftRun // newest first
	events    map[modelwatch.ModelKey][]modelwatch.ConceptEvent
	estimates map[modelwatch.ModelKey][]modelwatch.Estimate // newest first
	err       error                                         // returned by every method when set
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		preds:     map[modelwatch.ModelKey][]modelwatch.Prediction{},
		settings:  map[modelwatch.ModelKey]modelwatch.ModelSettings{},
		runs:      map[modelwatch.ModelKey][]modelwatch.DriftRun{},
		events:    map[modelwatch.ModelKey][]modelwatch.ConceptEvent{},
		estimates: map[modelwatch.ModelKey][]modelwatch.Estimate{},
	}
}

func (f *fakeStore) add(ps ...modelwatch.Prediction) {
	for _, p := range ps {
		k := modelwatch.ModelKey{Name: p.ModelName, Version: p.ModelVersion}
		if _, ok := f.preds[k]; !ok {
			f.mvs = append(f.mvs, modelwatch.ModelVersion{ModelKey: k, CreatedAt: p.Timestamp})
			slices.SortFunc(f.mvs, func(a, b modelwatch.ModelVersion) int {
				return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
			})
		}
		f.preds[k] = append(f.preds[k], p)
	}
}

func (f *fakeStore) ModelVersions(context.Context) ([]modelwatch.ModelVersion, error) {
	return f.mvs, f.err
}

func (f *fakeStore) Stats(_ context.Context, q store.StatsQuery) (modelwatch.PredictionStats, error) {
	var a rollup.Agg
	for _, p := range f.preds[modelwatch.ModelKey{Name: q.Model, Version: q.Version}] {
		if !p.Timestamp.Before(q.From) && p.Timestamp.Before(q.To) {
			a.AddPrediction(&p)
		}
	}
	if f.err != nil {
		return modelwatch.PredictionStats{}, f.err
	}
	return rollup.Stats(&a, q.To.Sub(q.From))
}

func (f *fakeStore) Series(_ context.Context, q store.SeriesQuery) ([]rollup.Point, error) {
	byBucket := map[int64]*rollup.Agg{}
	for _, p := range f.preds[q.Model] {
		b := rollup.BucketStart(p.Timestamp, q.Step)
		if b < rollup.BucketStart(q.From, q.Step) || p.Timestamp.Unix() >= q.To.Unix() {
			continue
		}
		if byBucket[b] == nil {
			byBucket[b] = &rollup.Agg{}
		}
		byBucket[b].AddPrediction(&p)
	}
	var out []rollup.Point
	for b, a := range byBucket {
		out = append(out, rollup.Point{Start: time.Unix(b, 0).UTC(), Agg: a})
	}
	slices.SortFunc(out, func(x, y rollup.Point) int { return x.Start.Compare(y.Start) })
	return out, f.err
}

func (f *fakeStore) ModelSettings(_ context.Context, k modelwatch.ModelKey) (modelwatch.ModelSettings, error) {
	return f.settings[k], f.err
}

func (f *fakeStore) FirstLabelled(_ context.Context, k modelwatch.ModelKey, n int) (labelled, correct int64, err error) {
	for _, p := range f.preds[k] {
		if p.GroundTruth == "" || labelled == int64(n) {
			continue
		}
		labelled++
		if p.GroundTruth == p.Prediction {
			correct++
		}
	}
	return labelled, correct, f.err
}

func (f *fakeStore) DriftRuns(_ context.Context, k modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error) {
	var out []modelwatch.DriftRun
	for _, r := range f.runs[k] {
		if (kind == "" || r.Kind == kind) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, f.err
}

func (f *fakeStore) ConceptEvents(_ context.Context, k modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error) {
	evs := f.events[k]
	return evs[:min(limit, len(evs))], f.err
}

func (f *fakeStore) Estimates(_ context.Context, k modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error) {
	es := f.estimates[k]
	return es[:min(limit, len(es))], f.err
}

func (f *fakeStore) LowConfidence(_ context.Context, q store.LowConfidenceQuery) ([]modelwatch.Prediction, error) {
	var out []modelwatch.Prediction
	for _, p := range f.preds[modelwatch.ModelKey{Name: q.Model, Version: q.Version}] {
		if p.Confidence != nil && *p.Confidence < q.Threshold && p.Timestamp.After(q.Since) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b modelwatch.Prediction) int { return cmp.Compare(*a.Confidence, *b.Confidence) })
	return out[:min(q.Limit, len(out))], f.err
}

// fakeWindows returns fixed window metrics.
type fakeWindows map[modelwatch.ModelKey]window.Metrics

func (w fakeWindows) Stat(k modelwatch.ModelKey) (window.Metrics, bool) {
	m, ok := w[k]
	return m, ok
}

// fakeAlerts returns fixed alerts.
type fakeAlerts []alerting.Alert

func (a fakeAlerts) Firing() []alerting.Alert { return a }

// traffic makes n predictions of a model version spread evenly over the
// period before fakeNow, with accuracy acc among the labelled ones (every
// labelEvery-th is labelled) and latencies around latMs.
func traffic(k modelwatch.ModelKey, n int, period time.Duration, acc float64, labelEvery int, latMs float64, seed uint64) []modelwatch.Prediction {
	rng := rand.New(rand.NewPCG(seed, 1))
	classes := []string{"approve", "review", "reject"}
	out := make([]modelwatch.Prediction, n)
	for i := range out {
		pred := classes[rng.IntN(len(classes))]
		if i%5 == 0 {
			pred = classes[0]
		}
		p := modelwatch.Prediction{
			ID: fmt.Sprintf("%s-%s-%d", k.Name, k.Version, i), ModelName: k.Name, ModelVersion: k.Version,
			Timestamp:  fakeNow.Add(-period + time.Duration(i)*period/time.Duration(n)),
			Features:   modelwatch.Features(fmt.Sprintf(`{"amount":%d,"country":"%s","new_customer":%t}`, 10+i%90, []string{"DE", "FR", "NL"}[i%3], i%2 == 0)),
			Prediction: modelwatch.Label(pred), Confidence: new(0.5 + 0.5*float64((i*37)%100)/100),
		}
		p.Latency.PreprocessingMs = new(latMs * 0.1 * (1 + float64(i%7)/7))
		p.Latency.InferenceMs = new(latMs * 0.8 * (1 + float64(i%11)/11))
		p.Latency.PostprocessingMs = new(latMs * 0.1 * (1 + float64(i%5)/5))
		if labelEvery > 0 && i%labelEvery == 0 {
			p.GroundTruth = p.Prediction
			if rng.Float64() >= acc {
				p.GroundTruth = modelwatch.Label(classes[(slices.Index(classes, pred)+1)%len(classes)])
			}
		}
		out[i] = p
	}
	return out
}
