package monitor

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// recorder keeps what the monitor reports to Prometheus.
type recorder struct {
	mu        sync.Mutex
	data      map[modelwatch.ModelKey]drift.Report
	concept   map[modelwatch.ModelKey][2]float64 // detected, drop %
	lastRun   map[string]time.Time
	durations int
	events    map[string]int
	detectors map[modelwatch.ModelKey][]string
	estimates map[modelwatch.ModelKey][]estimate.ChunkResult
	// estimationErrors holds the last chunk published as estimation error.
	estimationErrors map[modelwatch.ModelKey]estimate.ChunkResult
}

func newRecorder() *recorder {
	return &recorder{
		data: map[modelwatch.ModelKey]drift.Report{}, concept: map[modelwatch.ModelKey][2]float64{},
		lastRun: map[string]time.Time{}, events: map[string]int{}, detectors: map[modelwatch.ModelKey][]string{},
	}
}

func (r *recorder) DataDrift(k modelwatch.ModelKey, rep drift.Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data[k] = rep
}

func (r *recorder) ConceptDrift(k modelwatch.ModelKey, detected bool, drop float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := 0.0
	if detected {
		d = 1
	}
	r.concept[k] = [2]float64{d, drop}
}

func (r *recorder) DriftCheckRun(k modelwatch.ModelKey, kind string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastRun[k.String()+"/"+kind] = at
}

func (r *recorder) DriftCheckDuration(string, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.durations++
}

func (r *recorder) DetectorsConfigured(k modelwatch.ModelKey, names []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.detectors[k] = names
}

func (r *recorder) ConceptWarning(k modelwatch.ModelKey, d string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[k.String()+"/"+d+"/warning"]++
}

func (r *recorder) Estimated(k modelwatch.ModelKey, res estimate.ChunkResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.estimates == nil {
		r.estimates = map[modelwatch.ModelKey][]estimate.ChunkResult{}
	}
	r.estimates[k] = append(r.estimates[k], res)
}

func (r *recorder) EstimationError(k modelwatch.ModelKey, res estimate.ChunkResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.estimationErrors == nil {
		r.estimationErrors = map[modelwatch.ModelKey]estimate.ChunkResult{}
	}
	r.estimationErrors[k] = res
}

func (r *recorder) ConceptEvent(k modelwatch.ModelKey, d string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[k.String()+"/"+d]++
}

// alerter keeps the alerts the monitor fires and resolves.
type alerter struct {
	mu     sync.Mutex
	firing map[string]map[string]string // alertname → annotations
	log    []string
}

func (a *alerter) Fire(labels, ann map[string]string, _ string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.firing == nil {
		a.firing = map[string]map[string]string{}
	}
	a.firing[labels["alertname"]] = ann
	a.log = append(a.log, "fire "+labels["alertname"]+" "+labels["model_version"]+" "+labels["severity"]+" "+labels["source"])
}

func (a *alerter) Resolve(labels map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.firing, labels["alertname"])
	a.log = append(a.log, "resolve "+labels["alertname"])
}

var key = modelwatch.ModelKey{Name: "churn", Version: "v2"}

type fixture struct {
	t     *testing.T
	db    *sqlite.DB
	clock *storetest.Clock
	rec   *recorder
	al    *alerter
	mon   *Monitor
	path  string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, clock: storetest.NewClock(t0), rec: newRecorder(), al: &alerter{}, path: filepath.Join(t.TempDir(), "mw.db")}
	f.db = openDBWithClock(t, f.path, f.clock.Now)
	f.mon = New(f.db, f.rec, Options{Now: f.clock.Now, Alerter: f.al, Render: func(info ReportInfo, rep drift.Report) ([]byte, error) {
		return []byte(fmt.Sprintf("<html>%s %d rows vs %d</html>", info.ReferenceName, info.Run.Rows, info.ReferenceRows)), nil
	}})
	return f
}

func openDBWithClock(t *testing.T, path string, now func() time.Time) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// referenceCSV has a numerical column from N(0,1) and a categorical one.
func referenceCSV(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("amount,plan\n")
	for range n {
		fmt.Fprintf(&b, "%v,%s\n", rng.NormFloat64(), []string{"basic", "gold", "pro"}[rng.IntN(3)])
	}
	return []byte(b.String())
}

// ingestTraffic stores n predictions spread over the 7 days before the
// clock's now, with amount drawn from N(shift, 1).
func (f *fixture) ingestTraffic(n int, shift float64, prefix string) {
	f.t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), uint64(shift*100)+7))
	now := f.clock.Now()
	var ps []modelwatch.Prediction
	for i := range n {
		feats := fmt.Sprintf(`{"amount":%v,"plan":%q,"extra":1}`, rng.NormFloat64()+shift, []string{"basic", "gold", "pro"}[rng.IntN(3)])
		ps = append(ps, modelwatch.Prediction{
			ID: fmt.Sprintf("%s-%d", prefix, i), ModelName: key.Name, ModelVersion: key.Version,
			Timestamp: now.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))), Features: modelwatch.Features(feats),
			Prediction: "1", Confidence: new(0.9),
		})
	}
	if _, err := f.db.IngestPredictions(f.t.Context(), ps); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) week() modelwatch.TimeRange {
	now := f.clock.Now()
	return modelwatch.TimeRange{From: now.Add(-7 * 24 * time.Hour), To: now}
}

func TestDataDriftCheck(t *testing.T) {
	f := newFixture(t)
	f.ingestTraffic(50, 0, "a")
	// Without a reference the run says so.
	run, err := f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunNoReference {
		t.Fatalf("check without reference: %+v, %v", run, err)
	}
	if err := f.db.PutReference(t.Context(), modelwatch.Reference{
		Model: key, Format: "csv", Filename: "train.csv",
		UploadedAt: t0, Rows: 1000, Data: referenceCSV(1000),
	}); err != nil {
		t.Fatal(err)
	}
	run, err = f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunNotEnoughData || run.Rows != 50 {
		t.Fatalf("check with 50 rows: %+v, %v; want not enough data", run, err)
	}
	if len(f.al.log) != 0 {
		t.Errorf("alerts after runs that could not compare: %v", f.al.log)
	}
	f.ingestTraffic(500, 0, "b")
	run, err = f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunOK || run.DriftDetected || run.Rows != 550 {
		t.Fatalf("check of undrifted traffic: %+v, %v", run, err)
	}
	// The check agrees with comparing the same data directly.
	var rep drift.Report
	stored, err := f.db.DriftRun(t.Context(), key, run.ID)
	if err != nil || json.Unmarshal(stored.Result, &rep) != nil || len(rep.Columns) != 2 {
		t.Fatalf("stored run result: %s, %v", stored.Result, err)
	}
	if rep.Columns[0].ColumnName != "amount" || rep.Columns[0].StatTest != "ks" || rep.Columns[1].StatTest != "chisquare" {
		t.Errorf("tests chosen = %s/%s, %s/%s; want ks for amount and chisquare for plan",
			rep.Columns[0].ColumnName, rep.Columns[0].StatTest, rep.Columns[1].ColumnName, rep.Columns[1].StatTest)
	}
	html, err := f.db.DriftReport(t.Context(), key, run.ID)
	if err != nil || string(html) != "<html>train.csv 550 rows vs 1000</html>" {
		t.Errorf("stored report = %q, %v", html, err)
	}
	// Drifted traffic: the gauge, the alert, then the resolution when clean.
	f.clock.Advance(8 * 24 * time.Hour)
	f.ingestTraffic(600, 1.5, "c")
	run, err = f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), f.clock.Now())
	if err != nil || !run.DriftDetected || run.Trigger != "schedule" {
		t.Fatalf("check of drifted traffic: %+v, %v", run, err)
	}
	if rep := f.rec.data[key]; !rep.DatasetDrift || rep.ShareOfDriftedColumns != 0.5 {
		t.Errorf("recorded report = %+v, want dataset drift with half the columns", rep)
	}
	if ann := f.al.firing[AlertDataDrift]; ann == nil || !strings.Contains(ann["description"], "1 feature has (50% of the columns)") {
		t.Errorf("data drift alert = %v (log %v)", ann, f.al.log)
	}
	f.clock.Advance(8 * 24 * time.Hour)
	f.ingestTraffic(600, 0, "d")
	if run, _ = f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{}); run.DriftDetected {
		t.Fatalf("check of clean traffic drifted: %+v", run)
	}
	if _, firing := f.al.firing[AlertDataDrift]; firing {
		t.Errorf("data drift alert still firing after a clean check: %v", f.al.log)
	}
	if f.rec.lastRun[key.String()+"/data"].IsZero() || f.rec.durations != 5 {
		t.Errorf("check metrics: last run %v, %d durations", f.rec.lastRun, f.rec.durations)
	}
}

func TestDataDriftNumbersAsText(t *testing.T) {
	f := newFixture(t)
	if err := f.db.PutReference(t.Context(), modelwatch.Reference{Model: key, Format: "csv", UploadedAt: t0, Data: referenceCSV(300)}); err != nil {
		t.Fatal(err)
	}
	var ps []modelwatch.Prediction
	for i := range 200 {
		amount := fmt.Sprintf(`"%d.5"`, i%7) // numbers sent as strings are read as numbers
		if i == 150 {
			amount = `"n/a"`
		}
		ps = append(ps, modelwatch.Prediction{
			ID: fmt.Sprint(i), ModelName: key.Name, ModelVersion: key.Version, Timestamp: t0.Add(-time.Hour),
			Features: modelwatch.Features(`{"amount":` + amount + `,"plan":true}`), Prediction: "1",
		})
	}
	if _, err := f.db.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	run, err := f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunOK {
		t.Fatalf("run = %+v, %v", run, err)
	}
	var rep drift.Report
	_ = json.Unmarshal(run.Result, &rep)
	if rep.Columns[0].DriftScore != nil || !strings.Contains(rep.Columns[0].Reason, `"n/a", which is not a number`) {
		t.Errorf("amount with a non-number: %+v, want not computable with the value named", rep.Columns[0])
	}
	if !rep.Columns[1].DriftDetected {
		t.Errorf("plan = True everywhere against basic/gold/pro did not drift: %+v", rep.Columns[1])
	}
}

// labelled stores n labelled predictions made over the last day, correct
// with probability acc.
func (f *fixture) labelled(n int, acc float64, prefix string) {
	f.t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), uint64(acc*1000)))
	now := f.clock.Now()
	var ps []modelwatch.Prediction
	for i := range n {
		p := modelwatch.Prediction{
			ID: fmt.Sprintf("%s-%d", prefix, i), ModelName: key.Name, ModelVersion: key.Version,
			Timestamp: now.Add(-time.Duration(rng.Int64N(int64(24 * time.Hour)))), Prediction: "1", GroundTruth: "1",
		}
		if rng.Float64() >= acc {
			p.GroundTruth = "0"
		}
		ps = append(ps, p)
	}
	if _, err := f.db.IngestPredictions(f.t.Context(), ps); err != nil {
		f.t.Fatal(err)
	}
}

func TestConceptDriftCheck(t *testing.T) {
	f := newFixture(t)
	f.labelled(80, 0.9, "a")
	run, _ := f.mon.RunCheck(t.Context(), key, modelwatch.KindConcept, f.week(), time.Time{})
	if run.Status != modelwatch.RunNotEnoughData || run.Rows != 80 {
		t.Fatalf("80 labels: %+v", run)
	}
	f.labelled(200, 0.9, "b")
	run, _ = f.mon.RunCheck(t.Context(), key, modelwatch.KindConcept, f.week(), time.Time{})
	if run.Status != modelwatch.RunNoBaseline || !strings.Contains(run.Message, "1000 predictions are labelled to measure it (280 so far)") {
		t.Fatalf("no baseline yet: %+v", run)
	}
	f.labelled(800, 0.9, "c") // 1080 labelled: the first 1000 measure the baseline
	run, _ = f.mon.RunCheck(t.Context(), key, modelwatch.KindConcept, f.week(), time.Time{})
	if run.Status != modelwatch.RunOK || run.DriftDetected || run.BaselineAccuracy == nil || math.Abs(*run.BaselineAccuracy-0.9) > 0.03 {
		t.Fatalf("measured baseline: %+v", run)
	}
	// An explicit baseline; the window's accuracy falls.
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{BaselineAccuracy: new(0.9)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(8 * 24 * time.Hour)
	f.labelled(1000, 0.7, "d")
	run, _ = f.mon.RunCheck(t.Context(), key, modelwatch.KindConcept, f.week(), f.clock.Now())
	acc := *run.Accuracy
	wantDrop := (0.9 - acc) / 0.9 * 100
	if run.Status != modelwatch.RunOK || !run.DriftDetected || math.Abs(*run.AccuracyDropPercent-wantDrop) > 1e-9 {
		t.Fatalf("accuracy %v against 0.9: %+v", acc, run)
	}
	if got := f.rec.concept[key]; got[0] != 1 || math.Abs(got[1]-wantDrop) > 1e-9 {
		t.Errorf("concept gauges = %v, want [1 %v]", got, wantDrop)
	}
	if ann := f.al.firing[AlertConceptDrift]; ann == nil || !strings.Contains(ann["description"], "baseline: 0.9000") {
		t.Errorf("concept drift alert = %v (log %v)", ann, f.al.log)
	}
	if !strings.Contains(strings.Join(f.al.log, "|"), "fire ConceptDriftDetected v2 high modelwatch") {
		t.Errorf("alert labels: %v", f.al.log)
	}
	// The result carries the seed's fields and the trend over earlier runs.
	var chk map[string]any
	if err := json.Unmarshal(run.Result, &chk); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"current_accuracy", "baseline_accuracy", "accuracy_drop", "accuracy_drop_pct", "drift_detected", "trend", "declining_days"} {
		if _, ok := chk[k]; !ok {
			t.Errorf("concept result lacks %q: %s", k, run.Result)
		}
	}
}

// TestScheduledChecks drives the scheduler with the monitor's clock: the
// specification's defaults run the data check on Mondays at 02:00 and the
// concept check daily at 03:00, once per time, catching up once.
func TestScheduledChecks(t *testing.T) {
	f := newFixture(t) // t0 is Thursday 26 November 2026, 12:00
	f.labelled(150, 0.9, "a")
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{BaselineAccuracy: new(0.85)}); err != nil {
		t.Fatal(err)
	}
	tick := func(at string) int {
		t.Helper()
		ts, _ := time.Parse("2006-01-02 15:04", at)
		f.clock.Advance(ts.Sub(f.clock.Now()))
		n, err := f.mon.Tick(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tick("2026-11-26 12:00"); n != 0 {
		t.Fatalf("%d checks ran for times before the model version existed", n)
	}
	if n := tick("2026-11-27 03:00"); n != 1 {
		t.Fatalf("Friday 03:00: %d checks ran, want the daily concept check", n)
	}
	if n := tick("2026-11-27 03:10"); n != 0 {
		t.Fatalf("a check ran twice for one time")
	}
	if n := tick("2026-11-30 12:00"); n != 2 { // down since Friday: one concept run (for Monday 03:00), one data run
		t.Fatalf("Monday noon after downtime: %d checks ran, want 2", n)
	}
	runs, _ := f.db.DriftRuns(t.Context(), key, "", 10)
	var got []string
	for _, r := range runs {
		got = append(got, r.Kind+"@"+r.ScheduledFor.Format("01-02 15:04")+":"+r.Status)
	}
	want := []string{"concept@11-30 03:00:ok", "data@11-30 02:00:no_reference", "concept@11-27 03:00:ok"}
	if strings.Join(got, " ") != strings.Join(want, " ") && strings.Join(got, " ") != strings.Join([]string{want[1], want[0], want[2]}, " ") {
		t.Errorf("runs = %v, want %v", got, want)
	}
	// A schedule can be changed or switched off per model version.
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{
		BaselineAccuracy: new(0.85),
		ConceptDrift:     modelwatch.CheckSettings{Schedule: "off"}, DataDrift: modelwatch.CheckSettings{Schedule: "@hourly"},
	}); err != nil {
		t.Fatal(err)
	}
	if n := tick("2026-12-01 03:30"); n != 1 {
		t.Fatalf("with concept checks off and hourly data checks: %d ran, want 1", n)
	}
}

// TestConceptToleranceZero checks that a tolerance of 0 in the settings
// means drift on any drop below the baseline, not the default 0.05.
func TestConceptToleranceZero(t *testing.T) {
	for _, c := range []struct {
		tolerance *float64
		drift     bool
	}{
		{nil, false},       // the default 0.05: 0.88 is within it
		{new(0.0), true},   // any drop
		{new(0.01), true},  // 0.88 < 0.9 − 0.01
		{new(0.03), false}, // 0.88 ≥ 0.9 − 0.03 (0.87)
	} {
		tol := "default"
		if c.tolerance != nil {
			tol = fmt.Sprint(*c.tolerance)
		}
		t.Run("tolerance "+tol, func(t *testing.T) {
			f := newFixture(t)
			if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{BaselineAccuracy: new(0.9), ConceptTolerance: c.tolerance}); err != nil {
				t.Fatal(err)
			}
			var ps []modelwatch.Prediction
			for i := range 100 { // 88 right, 12 wrong: accuracy 0.88
				p := modelwatch.Prediction{ID: fmt.Sprint(i), ModelName: key.Name, ModelVersion: key.Version, Timestamp: t0.Add(-time.Hour), Prediction: "1", GroundTruth: "1"}
				if i < 12 {
					p.GroundTruth = "0"
				}
				ps = append(ps, p)
			}
			if _, err := f.db.IngestPredictions(t.Context(), ps); err != nil {
				t.Fatal(err)
			}
			run, err := f.mon.RunCheck(t.Context(), key, modelwatch.KindConcept, f.week(), time.Time{})
			if err != nil || run.Status != modelwatch.RunOK || *run.Accuracy != 0.88 {
				t.Fatalf("tolerance %v: run = %+v, %v", c.tolerance, run, err)
			}
			var chk struct {
				Drift bool `json:"drift_detected"`
			}
			if err := json.Unmarshal(run.Result, &chk); err != nil {
				t.Fatal(err)
			}
			if run.DriftDetected != c.drift || chk.Drift != c.drift {
				t.Errorf("accuracy 0.88, baseline 0.9, tolerance %s: drift %v (result %v), want %v", tol, run.DriftDetected, chk.Drift, c.drift)
			}
		})
	}
}

// TestDataDriftCheckSamples checks data_drift.max_rows: a window with more
// predictions is compared through a sample of that many, and the run says
// so while counting every prediction of the window.
func TestDataDriftCheckSamples(t *testing.T) {
	f := newFixture(t)
	if err := f.db.PutReference(t.Context(), modelwatch.Reference{Model: key, Format: "csv", UploadedAt: t0, Data: referenceCSV(1000)}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{DataDrift: modelwatch.CheckSettings{MaxRows: 200}}); err != nil {
		t.Fatal(err)
	}
	f.ingestTraffic(550, 0, "a")
	run, err := f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunOK || run.Rows != 550 {
		t.Fatalf("check of 550 rows with max_rows 200: %+v, %v", run, err)
	}
	if want := "compared a uniform random sample of 200 of the 550 predictions in the window (data_drift.max_rows)"; run.Message != want {
		t.Errorf("run message %q, want %q", run.Message, want)
	}
	if run.DriftDetected {
		t.Errorf("a sample of undrifted traffic drifted: %s", run.Result)
	}
	// Without the setting, the default (a million) keeps every row.
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{}); err != nil {
		t.Fatal(err)
	}
	run, err = f.mon.RunCheck(t.Context(), key, modelwatch.KindData, f.week(), time.Time{})
	if err != nil || run.Status != modelwatch.RunOK || run.Rows != 550 || run.Message != "" {
		t.Fatalf("check of 550 rows with the default max_rows: %+v, %v", run, err)
	}
}
