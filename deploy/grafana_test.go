package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	sdkdashboard "github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/modelwatch/modelwatch/deploy/grafana"
)

var update = flag.Bool("update", false, "rewrite grafana/dashboards/ml_model_monitoring.json from package grafana")

const dashboardFile = "grafana/dashboards/ml_model_monitoring.json"

// The committed JSON is what package grafana builds.
func TestDashboardUpToDate(t *testing.T) {
	want, err := grafana.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(dashboardFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what package grafana builds; run: cd deploy && go test ./... -update", dashboardFile)
	}
}

// The committed JSON passes the Grafana schema strictly: no unknown field,
// no wrongly typed value, every panel's options those of its plugin.
func TestDashboardStrictSchema(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := strictDashboard(raw); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	// The check is not vacuous: a misspelt field and a wrongly typed value
	// are rejected.
	for _, bad := range []struct{ from, to string }{
		{`"title": "Model Accuracy"`, `"titel": "Model Accuracy"`},
		{`"h": 8,`, `"h": "8",`},
	} {
		broken := bytes.Replace(raw, []byte(bad.from), []byte(bad.to), 1)
		if bytes.Equal(broken, raw) {
			t.Fatalf("%s not found in %s", bad.from, dashboardFile)
		}
		if strictDashboard(broken) == nil {
			t.Errorf("strict validation accepts %s", bad.to)
		}
	}
}

// strictDashboard unmarshals a dashboard with the Grafana SDK's strict
// decoder and validates it.
func strictDashboard(raw []byte) error {
	plugins.RegisterDefaultPlugins()
	var d sdkdashboard.Dashboard //nolint:staticcheck // dashboard v1 JSON, which Grafana 10 and 11 import; v2 needs Grafana 12
	if err := sdkErr(d.UnmarshalJSONStrict(raw)); err != nil {
		return fmt.Errorf("strict unmarshal: %w", err)
	}
	if err := sdkErr(d.Validate()); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	return nil
}

// sdkErr turns the SDK's empty cog.BuildErrors, which it returns as a
// non-nil error when all is well, into nil.
func sdkErr(err error) error {
	var be cog.BuildErrors
	if errors.As(err, &be) && len(be) == 0 {
		return nil
	}
	return err
}

// dash is the part of the dashboard JSON model the structural tests read.
type dash struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	ID            *int   `json:"id"`
	Templating    struct {
		List []struct {
			Type       string          `json:"type"`
			Name       string          `json:"name"`
			Query      json.RawMessage `json:"query"`
			Multi      bool            `json:"multi"`
			IncludeAll bool            `json:"includeAll"`
			Datasource *dsRef          `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []struct {
			Expr       string `json:"expr"`
			Datasource *dsRef `json:"datasource"`
		} `json:"list"`
	} `json:"annotations"`
	Panels []panel `json:"panels"`
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *dsRef `json:"datasource"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		Expr         string `json:"expr"`
		RefID        string `json:"refId"`
		LegendFormat string `json:"legendFormat"`
		Datasource   *dsRef `json:"datasource"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds struct {
				Steps []struct {
					Value *float64 `json:"value"`
					Color string   `json:"color"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

func loadDashboard(t *testing.T) dash {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dash
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("parse %s: %v", dashboardFile, err)
	}
	return d
}

func TestDashboardStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title != "ML Model Monitoring" {
		t.Errorf("uid %q, title %q", d.UID, d.Title)
	}
	// Grafana 10 reads schema 36 and later; an id would clash on import.
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d predates Grafana 10", d.SchemaVersion)
	}
	if d.ID != nil {
		t.Errorf("dashboard has id %d; importable dashboards have none", *d.ID)
	}

	vars := map[string]int{}
	for i, v := range d.Templating.List {
		vars[v.Name] = i
	}
	if i, ok := vars["datasource"]; !ok || d.Templating.List[i].Type != "datasource" || string(d.Templating.List[i].Query) != `"prometheus"` {
		t.Errorf("no datasource variable of type prometheus")
	}
	for _, name := range []string{"model_name", "model_version"} {
		i, ok := vars[name]
		if !ok {
			t.Errorf("no %s variable", name)
			continue
		}
		v := d.Templating.List[i]
		if v.Type != "query" || !v.Multi || !v.IncludeAll || v.Datasource == nil || v.Datasource.UID != "${datasource}" {
			t.Errorf("%s: want a multi-value query variable with All on ${datasource}, got %+v", name, v)
		}
	}

	ids := map[int]bool{}
	var occupied [][24]bool
	for _, p := range d.Panels {
		if ids[p.ID] || p.ID == 0 {
			t.Errorf("panel %q: id %d missing or not unique", p.Title, p.ID)
		}
		ids[p.ID] = true
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v outside the 24-column grid", p.Title, g)
		}
		for y := g.Y; y < g.Y+g.H; y++ {
			for len(occupied) <= y {
				occupied = append(occupied, [24]bool{})
			}
			for x := g.X; x < min(g.X+g.W, 24); x++ {
				if occupied[y][x] {
					t.Errorf("panel %q overlaps another at (%d, %d)", p.Title, x, y)
				}
				occupied[y][x] = true
			}
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: data source %+v, want ${datasource}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if refs[q.RefID] || q.RefID == "" {
				t.Errorf("panel %q: refId %q missing or repeated", p.Title, q.RefID)
			}
			refs[q.RefID] = true
			if q.Datasource == nil || q.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: query %s data source %+v, want ${datasource}", p.Title, q.RefID, q.Datasource)
			}
			// Model panels follow the model_name and model_version
			// variables; only modelwatch's own panels don't.
			if !strings.Contains(q.Expr, `job="modelwatch"`) &&
				(!strings.Contains(q.Expr, `model_name=~"$model_name"`) || !strings.Contains(q.Expr, `model_version=~"$model_version"`)) {
				t.Errorf("panel %q: query %q ignores the model_name/model_version variables", p.Title, q.Expr)
			}
		}
	}
}

// The specification's panels are there, with its thresholds, and so are the
// per-stage latency, per-feature drift and ground-truth coverage panels.
func TestDashboardPanels(t *testing.T) {
	d := loadDashboard(t)
	byTitle := map[string]panel{}
	for _, p := range d.Panels {
		byTitle[p.Title] = p
	}
	for _, tc := range []struct {
		title, typ string
		metrics    []string
		thresholds []float64
	}{
		{"Model Accuracy", "timeseries", []string{"model_accuracy"}, []float64{0.80, 0.85}},
		{"Model Performance Metrics", "timeseries", []string{"model_accuracy", "model_precision", "model_recall", "model_f1_score"}, nil},
		{"Inference Latency Percentiles", "timeseries", []string{`model:model_inference_duration_seconds:quantile_rate5m`, `quantile="0.5"`, `quantile="0.95"`, `quantile="0.99"`}, nil},
		{"Data Drift Status", "timeseries", []string{"model_data_drift_detected", "model_drifted_columns_ratio"}, []float64{0.2}},
		{"Concept Drift (Accuracy Drop %)", "timeseries", []string{"model_accuracy_drop_percent"}, []float64{5, 10}},
		{"Prediction Volume", "timeseries", []string{"model:model_predictions:rate5m"}, nil},
		{"Error Rate", "timeseries", []string{"model:model_prediction_errors:ratio_rate5m"}, []float64{0.01, 0.02}},
		{"Prediction Class Distribution", "piechart", []string{"model_predictions_total", "by (predicted_class)", "$__range"}, nil},
		{"Latency by stage (p95)", "timeseries", []string{"model:model_preprocessing_duration_seconds:quantile_rate5m", "model:model_inference_duration_seconds:quantile_rate5m", "model:model_postprocessing_duration_seconds:quantile_rate5m"}, nil},
		{"Mean latency by stage", "timeseries", []string{"model:model_preprocessing_duration_seconds:mean_rate5m", "model:model_inference_duration_seconds:mean_rate5m", "model:model_postprocessing_duration_seconds:mean_rate5m"}, nil},
		{"Feature drift scores", "table", []string{"model_feature_drift_score", "feature, stattest"}, nil},
		{"Ground-truth coverage", "timeseries", []string{"model:model_ground_truth_coverage:ratio_rate1h"}, nil},
		{"Labelled predictions in window", "timeseries", []string{"model_window_labelled_predictions"}, []float64{100}},
		{"Streaming concept-drift events", "timeseries", []string{"model_concept_drift_events_total"}, nil},
		{"Time since last drift check", "timeseries", []string{"model_drift_check_last_run_timestamp_seconds"}, nil},
	} {
		p, ok := byTitle[tc.title]
		if !ok {
			t.Errorf("no panel %q", tc.title)
			continue
		}
		if p.Type != tc.typ {
			t.Errorf("panel %q: type %q, want %q", tc.title, p.Type, tc.typ)
		}
		var exprs strings.Builder
		for _, q := range p.Targets {
			exprs.WriteString(q.Expr + "\n")
		}
		for _, m := range tc.metrics {
			if !strings.Contains(exprs.String(), m) {
				t.Errorf("panel %q: no query contains %q:\n%s", tc.title, m, exprs.String())
			}
		}
		var got []float64
		for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
			if s.Value != nil {
				got = append(got, *s.Value)
			}
		}
		if tc.thresholds != nil && !slices.Equal(got, tc.thresholds) {
			t.Errorf("panel %q: thresholds %v, want %v", tc.title, got, tc.thresholds)
		}
	}
}

// Every query of the dashboard, with Grafana's variables filled in, is valid
// PromQL for the Prometheus installed here (promtool checks them as
// recording rules) and for the current parser, and reads only known metrics
// and the recording rules of the rules file.
func TestDashboardQueries(t *testing.T) {
	qs := dashboardQueries(loadDashboard(t))
	_, records := loadRules(t)
	known := knownMetrics(records)
	if len(qs) < 20 {
		t.Fatalf("found only %d queries in %s", len(qs), dashboardFile)
	}
	usedRecords := map[string]bool{}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, x := range qs {
		e := grafanaVars.Replace(x.expr)
		if strings.Contains(e, "$") {
			t.Errorf("%s: unknown variable left in %q", x.where, e)
		}
		for _, m := range metricNames(t, e) {
			if !known[m] {
				t.Errorf("%s reads %s, which is neither a modelwatch metric nor a recording rule", x.where, m)
			}
			usedRecords[m] = true
		}
		quoted, _ := json.Marshal(e)
		fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %s\n", i, quoted)
	}
	// Recording rules exist for the dashboard: each is drawn somewhere.
	for _, r := range records {
		if !usedRecords[r.Record] && !strings.HasSuffix(r.Record, "_bucket:rate5m") {
			t.Errorf("recording rule %s is not used by the dashboard", r.Record)
		}
	}

	prog := promtool(t)
	f := filepath.Join(t.TempDir(), "dashboard_queries.yml")
	if err := os.WriteFile(f, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, ".", prog, "check", "rules", f); err != nil {
		t.Fatalf("promtool check rules on the dashboard's queries: %v\n%s", err, out)
	}
}

// dashQuery is one PromQL query of the dashboard, as written there (with
// Grafana's variables), and where it is: panel "Title" refId, or
// annotation N.
type dashQuery struct{ where, expr string }

// dashboardQueries returns every query of the dashboard's panels and
// annotations.
func dashboardQueries(d dash) []dashQuery {
	var qs []dashQuery
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			qs = append(qs, dashQuery{fmt.Sprintf("panel %q %s", p.Title, tg.RefID), tg.Expr})
		}
	}
	for i, a := range d.Annotations.List {
		if a.Expr != "" {
			qs = append(qs, dashQuery{fmt.Sprintf("annotation %d", i), a.Expr})
		}
	}
	return qs
}

// Grafana's provisioning points at the Prometheus of the Compose stack and
// at the directory the dashboards are mounted in.
func TestGrafanaProvisioning(t *testing.T) {
	var dsf struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, Type, URL, Access string
			IsDefault               bool `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &dsf)
	if dsf.APIVersion != 1 || len(dsf.Datasources) != 1 {
		t.Fatalf("datasource provisioning: %+v", dsf)
	}
	if ds := dsf.Datasources[0]; ds.Type != "prometheus" || ds.URL != "http://prometheus:9090" || !ds.IsDefault || ds.Access != "proxy" {
		t.Errorf("datasource %+v: want the default prometheus at http://prometheus:9090 through the proxy", ds)
	}

	var df struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name, Type string
			Options    struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/modelwatch.yml", &df)
	if df.APIVersion != 1 || len(df.Providers) != 1 || df.Providers[0].Type != "file" {
		t.Fatalf("dashboard provisioning: %+v", df)
	}
	if got := df.Providers[0].Options.Path; got != grafanaDashboardsMount {
		t.Errorf("dashboard provider path %q, want %q (where docker-compose.yml mounts grafana/dashboards)", got, grafanaDashboardsMount)
	}
}
