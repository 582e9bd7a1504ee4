package ui

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/report"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// A simulated fleet for the browser test and the screenshots.
var (
	scFraud    = modelwatch.ModelKey{Name: "fraud-detector", Version: "v3"}
	scChurn    = modelwatch.ModelKey{Name: "churn-predictor", Version: "v2"}
	scChurnOld = modelwatch.ModelKey{Name: "churn-predictor", Version: "v1"}
	scRanker   = modelwatch.ModelKey{Name: "search-ranker", Version: "v1"}
)

// scModel describes one simulated model version.
type scModel struct {
	key          modelwatch.ModelKey
	from, to     time.Duration // active from/to, before the end of the simulation
	perHour      int
	accuracy     float64
	driftAt      time.Duration // before the end: features shift and accuracy falls; 0 for never
	driftedAcc   float64
	labelShare   float64 // share of predictions that get a ground truth
	inferenceMs  float64
	hasReference bool
}

// scenarioDays is how long the simulation runs.
const scenarioDays = 14

// scenario runs modelwatch for 14 simulated days through the real pieces:
// a SQLite store, the sliding windows, the monitor's daily data-drift and
// concept-drift checks with HTML reports, the streaming detectors and the
// notifier. Labels arrive 2–8 hours after their predictions. It returns
// an API server with the UI mounted, whose clock stands at the end.
func scenario(t *testing.T) (*httptest.Server, time.Time) {
	t.Helper()
	ctx := t.Context()
	end := fakeNow.Truncate(time.Hour)
	clock := storetest.NewClock(end.Add(-scenarioDays * 24 * time.Hour))
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "mw.db"), sqlite.Options{Synchronous: "NORMAL", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	reg := prometheus.NewRegistry()
	dm, err := metrics.NewDriftMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	notifier, err := alerting.New(alerting.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mon := monitor.New(db, dm, monitor.Options{Now: clock.Now, Alerter: notifier, Render: renderReport})
	windows := monitor.NewWindows(db, monitor.WindowsOptions{OnEvent: mon.OnLabel})
	if err := windows.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	models := []scModel{
		{key: scFraud, from: scenarioDays * day, perHour: 40, accuracy: 0.95, labelShare: 0.6, inferenceMs: 35, hasReference: true},
		{key: scChurn, from: scenarioDays * day, perHour: 30, accuracy: 0.91, driftAt: 4 * day, driftedAcc: 0.66, labelShare: 0.7, inferenceMs: 80, hasReference: true},
		{key: scChurnOld, from: scenarioDays * day, to: 9 * day, perHour: 20, accuracy: 0.87, labelShare: 0.5, inferenceMs: 95},
		{key: scRanker, from: 2 * day, perHour: 60, labelShare: 0, inferenceMs: 240},
	}
	for _, m := range models {
		if m.hasReference {
			putReference(t, db, m.key)
		}
	}
	if err := db.PutModelSettings(ctx, scFraud, modelwatch.ModelSettings{BaselineAccuracy: new(0.95)}); err != nil {
		t.Fatal(err)
	}
	type pending struct {
		at    time.Time
		label modelwatch.GroundTruth
	}
	var labels []pending
	rng := rand.New(rand.NewPCG(42, 42))
	const step = 6 * time.Hour
	for at := clock.Now(); at.Before(end); at = at.Add(step) {
		var ps []modelwatch.Prediction
		for _, m := range models {
			before := end.Sub(at)
			if before > m.from || before <= m.to {
				continue
			}
			for i := range m.perHour * int(step/time.Hour) {
				ts := at.Add(time.Duration(rng.Int64N(int64(step))))
				p, truth := m.predict(rng, ts, end, i)
				ps = append(ps, p)
				if rng.Float64() < m.labelShare {
					delay := 2*time.Hour + time.Duration(rng.Int64N(int64(6*time.Hour)))
					labels = append(labels, pending{ts.Add(delay), modelwatch.GroundTruth{ID: p.ID, GroundTruth: truth}})
				}
			}
		}
		clock.Advance(step)
		if _, err := db.IngestPredictions(ctx, ps); err != nil {
			t.Fatal(err)
		}
		var due []modelwatch.GroundTruth
		rest := labels[:0]
		for _, l := range labels {
			if l.at.Before(clock.Now()) {
				due = append(due, l.label)
			} else {
				rest = append(rest, l)
			}
		}
		labels = rest
		if len(due) > 0 {
			if _, err := db.AddGroundTruth(ctx, due); err != nil {
				t.Fatal(err)
			}
		}
		if err := windows.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if clock.Now().Hour() == 2 { // the checks run daily at 02:00
			now := clock.Now()
			for _, m := range models {
				if end.Sub(now) >= m.from || end.Sub(now) < m.to {
					continue
				}
				for _, c := range []struct {
					kind string
					back time.Duration
				}{{modelwatch.KindData, day}, {modelwatch.KindConcept, 7 * day}} {
					if _, err := mon.RunCheck(ctx, m.key, c.kind, modelwatch.TimeRange{From: now.Add(-c.back), To: now}, now); err != nil {
						t.Fatalf("%s check of %s: %v", c.kind, m.key, err)
					}
				}
			}
		}
	}
	u, err := New(db, windows, Options{Now: clock.Now, Alerts: notifier, ReviewLimit: 8, RunLimit: 8})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(db, windows, rec, httpapi.Options{UI: u, Checks: mon, Now: clock.Now})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, clock.Now()
}

// predict makes one prediction of the model at ts and its ground truth.
// After the model's drift point its inputs shift and it is right less often.
func (m scModel) predict(rng *rand.Rand, ts, end time.Time, i int) (modelwatch.Prediction, modelwatch.Label) {
	drifted := m.driftAt > 0 && end.Sub(ts) < m.driftAt
	shift, acc := 0.0, m.accuracy
	if drifted {
		shift, acc = 1.2, m.driftedAcc
	}
	classes := []string{"stay", "churn", "at_risk"}
	if m.key.Name == "fraud-detector" {
		classes = []string{"legit", "fraud", "review"}
	}
	weights := []float64{0.7, 0.1, 0.2}
	if drifted {
		weights = []float64{0.5, 0.3, 0.2}
	}
	pick := func() string {
		r := rng.Float64()
		for j, w := range weights {
			if r < w {
				return classes[j]
			}
			r -= w
		}
		return classes[len(classes)-1]
	}
	pred := pick()
	truth := pred
	if rng.Float64() >= acc {
		for truth == pred {
			truth = classes[rng.IntN(len(classes))]
		}
	}
	plan := []string{"basic", "gold", "pro"}[rng.IntN(3)]
	if drifted && rng.Float64() < 0.5 {
		plan = "trial"
	}
	conf := math.Min(0.99, 0.55+0.45*rng.Float64())
	if pred != truth && rng.Float64() < 0.6 {
		conf = 0.35 + 0.3*rng.Float64()
	}
	p := modelwatch.Prediction{
		ID: fmt.Sprintf("%s-%s-%d-%d", m.key.Name, m.key.Version, ts.Unix(), i), ModelName: m.key.Name, ModelVersion: m.key.Version, Timestamp: ts,
		Features: modelwatch.Features(fmt.Sprintf(`{"amount":%.2f,"plan":%q,"tenure_months":%d,"sessions_7d":%d}`,
			math.Exp(3+0.8*rng.NormFloat64()+shift), plan, rng.IntN(60), rng.IntN(30)+int(10*shift))),
		Prediction: modelwatch.Label(pred), Confidence: new(conf),
	}
	// Latency follows the day: busier afternoons are slower.
	load := 1 + 0.4*math.Sin(2*math.Pi*float64(ts.Hour()-9)/24)
	p.Latency.PreprocessingMs = new(load * (2 + rng.ExpFloat64()*3))
	p.Latency.InferenceMs = new(load * m.inferenceMs * (0.7 + 0.6*rng.Float64() + 0.3*rng.ExpFloat64()))
	p.Latency.PostprocessingMs = new(load * (0.5 + rng.ExpFloat64()))
	return p, modelwatch.Label(truth)
}

// putReference uploads a reference dataset drawn from the undrifted inputs.
func putReference(t *testing.T, db *sqlite.DB, k modelwatch.ModelKey) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString("amount,plan,tenure_months,sessions_7d\n")
	const rows = 2000
	for range rows {
		fmt.Fprintf(&b, "%.2f,%s,%d,%d\n", math.Exp(3+0.8*rng.NormFloat64()), []string{"basic", "gold", "pro"}[rng.IntN(3)], rng.IntN(60), rng.IntN(30))
	}
	ref := modelwatch.Reference{
		Model: k, Format: "csv", Filename: "reference.csv", UploadedAt: fakeNow.Add(-30 * 24 * time.Hour),
		Rows: rows, Columns: []string{"amount", "plan", "tenure_months", "sessions_7d"}, Data: []byte(b.String()),
	}
	ref.Size = int64(len(ref.Data))
	if err := db.PutReference(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
}

// renderReport renders a data-drift report as modelwatch serve does.
func renderReport(info monitor.ReportInfo, rep drift.Report) ([]byte, error) {
	var buf bytes.Buffer
	run := info.Run
	err := report.WriteHTML(&buf, rep, report.Meta{
		Title:     fmt.Sprintf("Data drift: %s %s", run.Model.Name, run.Model.Version),
		Reference: info.ReferenceName, ReferenceRows: info.ReferenceRows, CurrentRows: run.Rows,
		Current:   fmt.Sprintf("predictions of %s – %s", run.Window.From.Format(time.RFC3339), run.Window.To.Format(time.RFC3339)),
		Generated: run.FinishedAt,
	})
	return buf.Bytes(), err
}
