package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/store"
)

// Health levels of a model version, worst last.
const (
	healthOK = iota
	healthWarn
	healthBad
)

// overviewPeriod is the period of the overview's volume, latency and
// coverage.
const overviewPeriod = 24 * time.Hour

// overviewPage is the data of the models overview.
type overviewPage struct {
	Title     string
	Now       string
	Period    string
	Rows      []overviewRow
	Versions  int
	Unhealthy int // rows at healthBad
	Warnings  int // rows at healthWarn
	Firing    int // firing alerts
}

// overviewRow is one model version of the overview.
type overviewRow struct {
	Key           modelwatch.ModelKey
	URL           string
	Health        int
	HealthClass   string // ok, warn or bad
	HealthText    string
	Reasons       []string
	Volume        string
	Window        string // labelled predictions in the window
	Accuracy, F1  cell
	P95           string
	Coverage      string
	Data, Concept verdict
	Alerts        []alertView
}

// cell is a value with the class that colours it.
type cell struct{ Text, Class string }

// verdict is the latest drift run of one kind, as a badge.
type verdict struct {
	Text, Class, Title, URL string
}

// alertView is a firing alert.
type alertView struct {
	Name, Severity, Class, Summary, Description, Since string
}

// overviewWorkers is how many model versions are read at once: the SQLite
// store has four read connections by default.
const overviewWorkers = 4

func (u *UI) handleOverview(w http.ResponseWriter, r *http.Request) {
	page, err := u.overview(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "overview", page)
}

// overview reads every model version's row, a few at a time.
func (u *UI) overview(ctx context.Context) (*overviewPage, error) {
	now := u.opts.Now().UTC()
	mvs, err := u.store.ModelVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("list model versions: %w", err)
	}
	alerts := u.alertsByModel()
	page := &overviewPage{Title: "Models", Now: fmtTime(now), Period: "24 h", Versions: len(mvs), Rows: make([]overviewRow, len(mvs))}
	errs := make([]error, len(mvs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(overviewWorkers, len(mvs)) {
		wg.Go(func() {
			for i := range next {
				page.Rows[i], errs[i] = u.overviewRow(ctx, mvs[i].ModelKey, now, alerts[mvs[i].ModelKey])
			}
		})
	}
	for i := range mvs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(page.Rows, func(a, b overviewRow) int { return cmp.Compare(b.Health, a.Health) })
	for _, row := range page.Rows {
		switch row.Health {
		case healthBad:
			page.Unhealthy++
		case healthWarn:
			page.Warnings++
		}
		page.Firing += len(row.Alerts)
	}
	return page, nil
}

// overviewRow reads one model version's statistics of the last 24 hours,
// sliding window and latest drift runs, and judges its health.
func (u *UI) overviewRow(ctx context.Context, k modelwatch.ModelKey, now time.Time, alerts []alertView) (overviewRow, error) {
	row := overviewRow{Key: k, URL: versionURL(k, ""), Alerts: alerts}
	to := now.Truncate(time.Minute).Add(time.Minute)
	st, err := u.store.Stats(ctx, store.StatsQuery{Model: k.Name, Version: k.Version, From: to.Add(-overviewPeriod), To: to})
	if err != nil {
		return row, fmt.Errorf("read statistics of %s: %w", k, err)
	}
	row.Volume = fmtCount(st.TotalPredictions)
	if st.TotalPredictions == 0 {
		row.Reasons = append(row.Reasons, "no predictions in 24 h") // retired or stalled: a note, not a fault
	}
	row.P95 = dash
	if st.P95LatencyMs != nil {
		row.P95 = fmtMs(*st.P95LatencyMs)
	}
	row.Coverage = dash
	if st.GroundTruthCoverage != nil {
		row.Coverage = fmtPercent(*st.GroundTruthCoverage)
	}
	bad := func(level int, reason string) {
		row.Health = max(row.Health, level)
		row.Reasons = append(row.Reasons, reason)
	}
	row.Accuracy, row.F1 = cell{Text: dash}, cell{Text: dash}
	row.Window = "0"
	if m, ok := u.windows.Stat(k); ok {
		row.Window = fmtCount(int64(m.Count))
		if m.Count >= u.opts.WindowMinCount {
			row.Accuracy = cell{Text: fmtRate(m.Accuracy), Class: "ok"}
			row.F1 = cell{Text: fmtRate(m.F1), Class: "ok"}
			switch {
			case m.Accuracy < ruleAccuracyCritical:
				row.Accuracy.Class = "bad"
				bad(healthBad, "accuracy "+fmtRate(m.Accuracy)+" < "+fmtRate(ruleAccuracyCritical))
			case m.Accuracy < ruleAccuracyWarning:
				row.Accuracy.Class = "warn"
				bad(healthWarn, "accuracy "+fmtRate(m.Accuracy)+" < "+fmtRate(ruleAccuracyWarning))
			}
			if m.F1 < ruleQualityLow {
				row.F1.Class = "warn"
				bad(healthWarn, "F1 "+fmtRate(m.F1)+" < "+fmtRate(ruleQualityLow))
			}
		}
	}
	for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
		runs, err := u.store.DriftRuns(ctx, k, kind, 1)
		if err != nil {
			return row, fmt.Errorf("read latest %s-drift run of %s: %w", kind, k, err)
		}
		v := verdict{Text: "not run", Class: "none", Title: "no " + kind + "-drift check has run yet"}
		if len(runs) > 0 {
			v = runVerdict(k, runs[0])
			switch v.Class {
			case "bad":
				bad(healthBad, kind+" drift")
			case "warn":
				bad(healthWarn, kind+"-drift check failed")
			}
		}
		if kind == modelwatch.KindData {
			row.Data = v
		} else {
			row.Concept = v
		}
	}
	// Firing alerts count, but the alerts column already names them.
	for _, a := range alerts {
		level := healthWarn
		if a.Class == "bad" {
			level = healthBad
		}
		if level > row.Health && len(row.Reasons) == 0 {
			row.Reasons = append(row.Reasons, "alerts firing")
		}
		row.Health = max(row.Health, level)
	}
	row.HealthClass = [...]string{"ok", "warn", "bad"}[row.Health]
	row.HealthText = [...]string{"healthy", "warning", "unhealthy"}[row.Health]
	return row, nil
}

// runVerdict describes a drift run's outcome as a badge.
func runVerdict(k modelwatch.ModelKey, run modelwatch.DriftRun) verdict {
	v := verdict{Title: run.Kind + " drift, checked " + fmtTime(run.FinishedAt)}
	if run.HasReport {
		v.URL = reportURL(k, run.ID)
	} else {
		v.URL = runURL(k, run.ID)
	}
	switch run.Status {
	case modelwatch.RunOK:
		v.Text, v.Class = "no drift", "ok"
		if run.DriftDetected {
			v.Text, v.Class = "drift", "bad"
		}
	case modelwatch.RunFailed:
		v.Text, v.Class = "check failed", "warn"
	default:
		v.Text, v.Class = strings.ReplaceAll(run.Status, "_", " "), "none"
	}
	if run.Message != "" {
		v.Title += ": " + run.Message
	}
	return v
}

// alertsByModel groups the firing alerts by the model version they name,
// most severe first.
func (u *UI) alertsByModel() map[modelwatch.ModelKey][]alertView {
	out := map[modelwatch.ModelKey][]alertView{}
	if u.opts.Alerts == nil {
		return out
	}
	for _, a := range u.opts.Alerts.Firing() {
		k := modelwatch.ModelKey{Name: a.Labels["model_name"], Version: a.Labels["model_version"]}
		out[k] = append(out[k], viewAlert(a))
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b alertView) int {
			return cmp.Or(cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Summary, b.Summary))
		})
	}
	return out
}

func viewAlert(a alerting.Alert) alertView {
	v := alertView{
		Name: a.Labels["alertname"], Severity: a.Labels["severity"],
		Summary: a.Annotations["summary"], Description: a.Annotations["description"], Since: fmtTime(a.StartsAt),
	}
	if d := a.Labels["detector"]; d != "" {
		v.Name += " (" + d + ")"
	}
	v.Class = "warn"
	if severityRank(v.Severity) >= 2 {
		v.Class = "bad"
	}
	return v
}

// severityRank orders Alertmanager severities: critical and high above
// warning above anything else.
func severityRank(s string) int {
	switch s {
	case "critical":
		return 3
	case "high":
		return 2
	case "warning":
		return 1
	}
	return 0
}
