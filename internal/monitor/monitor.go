package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/scheduler"
	"github.com/modelwatch/modelwatch/internal/store"
)

// Store is what the monitor reads and writes.
type Store interface {
	ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error)
	ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error)
	Reference(ctx context.Context, key modelwatch.ModelKey, withData bool) (modelwatch.Reference, error)
	ScanFeatures(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, fn func(ts time.Time, features []byte) error) error
	Accuracy(ctx context.Context, key modelwatch.ModelKey, from, to time.Time) (labelled, correct int64, err error)
	FirstLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (labelled, correct int64, err error)
	LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) ([]store.LabelEvent, int64, error)
	LatestPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error)
	FirstLabelledPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error)
	PredictionsBetween(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, n int) ([]modelwatch.Prediction, error)
	AddEstimate(ctx context.Context, e modelwatch.Estimate) (int64, error)
	UpdateEstimate(ctx context.Context, e modelwatch.Estimate) error
	Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error)
	AddDriftRun(ctx context.Context, run modelwatch.DriftRun, report []byte) (int64, error)
	DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error)
	DriftRun(ctx context.Context, key modelwatch.ModelKey, id int64) (modelwatch.DriftRun, error)
	AddConceptEvents(ctx context.Context, evs []modelwatch.ConceptEvent) error
	ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error)
	LastRun(ctx context.Context, name string) (time.Time, error)
	RecordRun(ctx context.Context, name string, scheduledFor time.Time) error
}

// Recorder is what the monitor reports to Prometheus.
type Recorder interface {
	DataDrift(key modelwatch.ModelKey, report drift.Report)
	ConceptDrift(key modelwatch.ModelKey, detected bool, dropPercent float64)
	DriftCheckRun(key modelwatch.ModelKey, kind string, finished time.Time)
	DriftCheckDuration(kind string, took time.Duration)
	DetectorsConfigured(key modelwatch.ModelKey, detectors []string)
	ConceptEvent(key modelwatch.ModelKey, detector string)
	ConceptWarning(key modelwatch.ModelKey, detector string)
	Estimated(key modelwatch.ModelKey, res estimate.ChunkResult)
	// EstimationError publishes the estimation error of a labelled chunk
	// (a zero ChunkResult removes it).
	EstimationError(key modelwatch.ModelKey, res estimate.ChunkResult)
}

// Alerter is where the monitor raises and clears its own alerts.
type Alerter interface {
	Fire(labels, annotations map[string]string, generatorURL string)
	Resolve(labels map[string]string)
}

// ReportInfo describes the data of a data-drift run for its report.
type ReportInfo struct {
	Run           modelwatch.DriftRun
	ReferenceName string // the uploaded file's name, or the production range
	ReferenceRows int
}

// Renderer renders a data-drift run's HTML report.
type Renderer func(info ReportInfo, report drift.Report) ([]byte, error)

// Options configure a Monitor. Zero values give the defaults.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Locker makes scheduled checks run once across replicas (default: in
	// process).
	Locker scheduler.Locker
	// Interval is how often due checks are looked for (default 30s).
	Interval time.Duration
	// Alerter receives modelwatch's own alerts; nil sends none.
	Alerter Alerter
	// Render makes the HTML report of data-drift runs; nil stores none.
	Render Renderer
	// ExternalURL is modelwatch's address as users reach it, for links in
	// alerts (default: none).
	ExternalURL string
	// ReplayLimit bounds how many labels a streaming detector replays when
	// it is rebuilt (default 100000).
	ReplayLimit int
	// StreamingAlertHold is how long a streaming detection keeps its alert
	// firing (default 1h).
	StreamingAlertHold time.Duration
	// LabelQueue bounds the label events waiting for the streaming
	// detectors (default 65536). The events that do not fit are not lost:
	// the detectors of their model versions catch up from the store.
	LabelQueue int
}

// Monitor runs the scheduled drift checks and the streaming concept-drift
// detectors of every model version.
type Monitor struct {
	store Store
	rec   Recorder
	opts  Options
	log   *slog.Logger
	refs  *referenceCache
	sched *scheduler.Scheduler

	checkMu sync.Mutex // one check of a model version and kind at a time, in process
	running map[string]bool

	est estimators

	cfgMu sync.Mutex
	cfg   map[modelwatch.ModelKey]string // settings and reference last seen, per version

	detMu     sync.Mutex
	detectors map[modelwatch.ModelKey]*detectorSet
	streaming map[streamKey]modelwatch.ConceptEvent // the latest drift of each firing streaming alert

	qMu      sync.Mutex // guards queue
	queue    labelQueue
	streamMu sync.Mutex  // one Drain at a time, so labels are fed in order
	draining atomic.Bool // Run's drainer takes the queued labels

	pubMu     sync.Mutex
	published map[runKey]publishedRun // what the gauges and alerts show
}

type streamKey struct {
	key      modelwatch.ModelKey
	detector string
}

// New returns a Monitor.
func New(st Store, rec Recorder, opts Options) *Monitor {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Locker == nil {
		opts.Locker = &scheduler.LocalLocker{}
	}
	if opts.ReplayLimit <= 0 {
		opts.ReplayLimit = 100000
	}
	if opts.StreamingAlertHold <= 0 {
		opts.StreamingAlertHold = time.Hour
	}
	if opts.LabelQueue <= 0 {
		opts.LabelQueue = 65536
	}
	m := &Monitor{
		store: st, rec: rec, opts: opts, log: opts.Logger,
		refs:      newReferenceCache(st),
		est:       estimators{m: map[modelwatch.ModelKey]*fitted{}},
		cfg:       map[modelwatch.ModelKey]string{},
		running:   map[string]bool{},
		detectors: map[modelwatch.ModelKey]*detectorSet{},
		streaming: map[streamKey]modelwatch.ConceptEvent{},
		queue:     labelQueue{behind: map[modelwatch.ModelKey]int64{}, wake: make(chan struct{}, 1)},
		published: map[runKey]publishedRun{},
	}
	m.sched = scheduler.New(m.jobs, scheduler.Options{Locker: opts.Locker, Now: opts.Now, Interval: opts.Interval, Logger: opts.Logger})
	return m
}

// Run runs scheduled checks, feeds the streaming detectors the labels
// OnLabel queues, and every Interval brings gauges and alerts in line with
// the latest stored runs and detections (those of other replicas too; see
// Restore) and expires streaming alerts, until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { m.sched.Run(ctx) })
	m.draining.Store(true)
	defer m.draining.Store(false)
	wg.Go(func() { m.drain(ctx, m.opts.Interval) })
	t := time.NewTicker(m.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			if err := m.Restore(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("bring drift gauges and alerts up to date", "err", err)
			}
			m.expireStreamingAlerts()
			if _, err := m.EstimateAll(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("performance estimation", "err", err)
			}
		}
	}
}

// Tick runs the checks that are due now; tests and the demo call it.
func (m *Monitor) Tick(ctx context.Context) (int, error) { return m.sched.Tick(ctx) }

// jobs returns the scheduled checks of every model version.
func (m *Monitor) jobs(ctx context.Context) ([]scheduler.Job, error) {
	mvs, err := m.store.ModelVersions(ctx)
	if err != nil {
		return nil, err
	}
	var jobs []scheduler.Job
	for _, mv := range mvs {
		raw, err := m.store.ModelSettings(ctx, mv.ModelKey)
		if err != nil {
			return nil, err
		}
		s := raw.WithDefaults()
		for _, c := range []struct {
			kind  string
			check modelwatch.CheckSettings
		}{{modelwatch.KindData, s.DataDrift}, {modelwatch.KindConcept, s.ConceptDrift}} {
			if c.check.Schedule == "off" {
				continue
			}
			sched, err := scheduler.Parse(c.check.Schedule)
			if err != nil {
				m.log.Error("bad schedule in model settings", "model", mv.ModelKey.String(), "kind", c.kind, "err", err)
				continue
			}
			key, kind, window := mv.ModelKey, c.kind, time.Duration(c.check.Window)
			jobs = append(jobs, scheduler.Job{
				Name:     kind + "-drift:" + key.String(),
				Schedule: sched,
				Since:    mv.CreatedAt,
				Last:     func(ctx context.Context) (time.Time, error) { return m.lastScheduled(ctx, key, kind) },
				Run: func(ctx context.Context, at time.Time) error {
					_, err := m.RunCheck(ctx, key, kind, modelwatch.TimeRange{From: at.Add(-window), To: at}, at)
					return err
				},
			})
		}
	}
	return jobs, nil
}

// lastScheduled returns the schedule time of a model version's latest
// scheduled run of a kind.
func (m *Monitor) lastScheduled(ctx context.Context, key modelwatch.ModelKey, kind string) (time.Time, error) {
	runs, err := m.store.DriftRuns(ctx, key, kind, 100)
	if err != nil {
		return time.Time{}, err
	}
	for _, r := range runs {
		if r.Trigger == "schedule" {
			return r.ScheduledFor, nil
		}
	}
	return time.Time{}, nil
}

// RunCheck runs a data-drift or concept-drift check of a model version over
// window now, stores it, updates metrics and alerts, and returns it. A zero
// scheduledFor marks a manual run.
func (m *Monitor) RunCheck(ctx context.Context, key modelwatch.ModelKey, kind string, window modelwatch.TimeRange, scheduledFor time.Time) (modelwatch.DriftRun, error) {
	if kind != modelwatch.KindData && kind != modelwatch.KindConcept {
		return modelwatch.DriftRun{}, modelwatch.Errorf(modelwatch.EInvalid, "kind must be %q or %q, not %q", modelwatch.KindData, modelwatch.KindConcept, kind)
	}
	if !window.From.Before(window.To) {
		return modelwatch.DriftRun{}, modelwatch.Errorf(modelwatch.EInvalid, "the window must end after it starts")
	}
	lock := kind + ":" + key.String()
	m.checkMu.Lock()
	if m.running[lock] {
		m.checkMu.Unlock()
		return modelwatch.DriftRun{}, modelwatch.Errorf(modelwatch.EConflict, "a %s-drift check of %s is already running", kind, key)
	}
	m.running[lock] = true
	m.checkMu.Unlock()
	defer func() {
		m.checkMu.Lock()
		delete(m.running, lock)
		m.checkMu.Unlock()
	}()

	raw, err := m.store.ModelSettings(ctx, key)
	if err != nil {
		return modelwatch.DriftRun{}, err
	}
	s := raw.WithDefaults()
	run := modelwatch.DriftRun{Model: key, Kind: kind, Trigger: "manual", ScheduledFor: scheduledFor, Window: window, StartedAt: m.opts.Now()}
	if !scheduledFor.IsZero() {
		run.Trigger = "schedule"
	}
	var report []byte
	var rep *drift.Report
	var ref *preparedReference
	if kind == modelwatch.KindData {
		rep, ref, err = m.dataDrift(ctx, key, s, &run)
	} else {
		err = m.conceptDrift(ctx, key, s, &run)
	}
	if err != nil {
		if ctx.Err() != nil {
			return run, err
		}
		run.Status, run.Message = modelwatch.RunFailed, modelwatch.ErrorMessage(err)
		if modelwatch.ErrorCode(err) == modelwatch.EInternal {
			run.Message = err.Error()
		}
		m.log.Error("drift check failed", "model", key.String(), "kind", kind, "err", err)
	}
	run.FinishedAt = m.opts.Now()
	if rep != nil && m.opts.Render != nil {
		info := ReportInfo{Run: run, ReferenceName: ref.name, ReferenceRows: ref.rows}
		if report, err = m.opts.Render(info, *rep); err != nil {
			m.log.Error("render drift report", "model", key.String(), "err", err)
			report = nil
		}
	}
	run.HasReport = report != nil
	id, err := m.store.AddDriftRun(ctx, run, report)
	if err != nil {
		return run, fmt.Errorf("store %s-drift run of %s: %w", kind, key, err)
	}
	run.ID = id
	m.rec.DriftCheckDuration(kind, run.FinishedAt.Sub(run.StartedAt))
	m.publish(run, rep)
	m.log.Info("drift check done", "model", key.String(), "kind", kind, "trigger", run.Trigger, "status", run.Status,
		"rows", run.Rows, "drift", run.DriftDetected, "took", run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond))
	return run, nil
}

// runKey is a model version's kind of check.
type runKey struct {
	key  modelwatch.ModelKey
	kind string
}

// publishedRun is what the gauges and alerts of a runKey show.
type publishedRun struct {
	id       int64     // the successful run they show, 0 for none
	finished time.Time // when the latest run (of any outcome) finished
}

// publish updates metrics and alerts after a run: the time of the last
// check always, the drift gauges and alerts only after a successful one.
// Runs older than those already published (by id) change nothing, so
// replicas that learn of runs in different orders agree.
func (m *Monitor) publish(run modelwatch.DriftRun, rep *drift.Report) {
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	k := runKey{run.Model, run.Kind}
	p := m.published[k]
	if run.FinishedAt.After(p.finished) {
		p.finished = run.FinishedAt
		m.rec.DriftCheckRun(run.Model, run.Kind, run.FinishedAt)
	}
	if run.Status == modelwatch.RunOK && run.ID > p.id {
		p.id = run.ID
		if run.Kind == modelwatch.KindData && rep != nil {
			m.rec.DataDrift(run.Model, *rep)
		}
		if run.Kind == modelwatch.KindConcept && run.AccuracyDropPercent != nil {
			m.rec.ConceptDrift(run.Model, run.DriftDetected, *run.AccuracyDropPercent)
		}
		m.alert(run)
	}
	m.published[k] = p
}

// publishedID returns the id of the successful run of a runKey that the
// gauges and alerts show.
func (m *Monitor) publishedID(k runKey) int64 {
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	return m.published[k].id
}
