package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	rulesFile   = "prometheus/alerts/ml_model_alerts.yml"
	docsFile    = "docs/observability.md"
	runbookBase = "https://github.com/modelwatch/modelwatch/blob/main/docs/observability.md#"
)

// ruleFile mirrors a Prometheus rule file.
type ruleFile struct {
	Groups []struct {
		Name     string `yaml:"name"`
		Interval string `yaml:"interval"`
		Rules    []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadRules(t *testing.T) (alerts, records []rule) {
	t.Helper()
	var f ruleFile
	readYAML(t, rulesFile, &f)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				alerts = append(alerts, r)
			} else {
				records = append(records, r)
			}
		}
	}
	return alerts, records
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	out, err := run(t, ".", promtool(t), "check", "rules", rulesFile)
	if err != nil {
		t.Fatalf("promtool check rules %s: %v\n%s", rulesFile, err, out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	prog := promtool(t)
	tests, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests in prometheus/tests (%v)", err)
	}
	for _, f := range tests {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			out, err := run(t, ".", prog, "test", "rules", f)
			if err != nil {
				t.Fatalf("promtool test rules %s: %v\n%s", f, err, out)
			}
		})
	}
}

func TestPromtoolCheckConfig(t *testing.T) {
	out, err := run(t, ".", promtool(t), "check", "config", "prometheus/prometheus.yml")
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	// The configuration must load the rules file, not only be valid.
	if !strings.Contains(out, "ml_model_alerts.yml") {
		t.Errorf("prometheus.yml does not load %s:\n%s", rulesFile, out)
	}
}

// The specification's alerts keep its names, thresholds, durations,
// severities and summaries; only the expressions are corrected.
func TestSeedAlerts(t *testing.T) {
	alerts, _ := loadRules(t)
	byName := map[string]rule{}
	for _, a := range alerts {
		byName[a.Alert] = a
	}
	seed := []struct {
		name, threshold, dur, severity, summary string
	}{
		{"ModelAccuracyDrop", "< 0.80", "10m", "critical", "Model accuracy dropped below 80%"},
		{"ModelAccuracyWarning", "< 0.85", "30m", "warning", "Model accuracy dropped below 85%"},
		{"HighInferenceLatencyP99", "> 5.0", "5m", "high", "P99 inference latency exceeds 5 seconds"},
		{"HighInferenceLatencyP95", "> 1.0", "10m", "warning", "P95 inference latency exceeds 1 second"},
		{"DataDriftDetected", "== 1", "1h", "warning", "Data drift detected in production"},
		{"HighDriftedColumnsRatio", "> 0.20", "1h", "high", "High ratio of drifted columns"},
		{"ConceptDriftDetected", "== 1", "30m", "critical", "Concept drift detected - model accuracy degraded"},
		{"LowPredictionVolume", "< 0.1", "15m", "warning", "Low prediction volume"},
		{"HighModelErrorRate", "> 0.02", "10m", "critical", "High model error rate"},
	}
	for _, s := range seed {
		a, ok := byName[s.name]
		if !ok {
			t.Errorf("alert %s of the specification is missing", s.name)
			continue
		}
		if !strings.Contains(a.Expr, s.threshold) {
			t.Errorf("%s: expression %q lacks the threshold %q", s.name, a.Expr, s.threshold)
		}
		if a.For != s.dur {
			t.Errorf("%s: for = %q, want %q", s.name, a.For, s.dur)
		}
		if a.Labels["severity"] != s.severity {
			t.Errorf("%s: severity = %q, want %q", s.name, a.Labels["severity"], s.severity)
		}
		if a.Annotations["summary"] != s.summary {
			t.Errorf("%s: summary = %q, want %q", s.name, a.Annotations["summary"], s.summary)
		}
	}
}

// Every alert carries the labels Alertmanager routes and inhibits on, and
// annotations that name the model version and link to its documentation.
func TestAlertConventions(t *testing.T) {
	alerts, _ := loadRules(t)
	docs, err := os.ReadFile(filepath.Join(repoRoot(t), docsFile))
	if err != nil {
		t.Fatalf("read %s: %v", docsFile, err)
	}
	seen := map[string]bool{}
	for _, a := range alerts {
		if seen[a.Alert] {
			t.Errorf("alert %s defined twice", a.Alert)
		}
		seen[a.Alert] = true
		if !slices.Contains([]string{"critical", "high", "warning"}, a.Labels["severity"]) {
			t.Errorf("%s: severity %q is not critical, high or warning", a.Alert, a.Labels["severity"])
		}
		if !slices.Contains([]string{"ml_model", "modelwatch"}, a.Labels["component"]) {
			t.Errorf("%s: component %q is not ml_model or modelwatch", a.Alert, a.Labels["component"])
		}
		if a.Labels["source"] != "prometheus" {
			t.Errorf("%s: source = %q, want prometheus (the inhibit rule relies on it)", a.Alert, a.Labels["source"])
		}
		if a.Annotations["summary"] == "" || a.Annotations["description"] == "" {
			t.Errorf("%s: summary or description missing", a.Alert)
		}
		d := a.Annotations["description"]
		if strings.Contains(d, "$labels.model_name") != strings.Contains(d, "$labels.model_version") {
			t.Errorf("%s: description names the model without its version: %q", a.Alert, d)
		}
		if a.Labels["component"] == "ml_model" && !strings.Contains(d, "$labels.model_version") {
			t.Errorf("%s: description does not name the model version: %q", a.Alert, d)
		}
		anchor := strings.ToLower(a.Alert)
		if got := a.Annotations["runbook_url"]; got != runbookBase+anchor {
			t.Errorf("%s: runbook_url = %q, want %q", a.Alert, got, runbookBase+anchor)
		}
		if !regexp.MustCompile(`(?m)^#+ ` + a.Alert + `$`).Match(docs) {
			t.Errorf("%s has no heading %q in %s (its runbook_url anchor)", a.Alert, "### "+a.Alert, docsFile)
		}
	}
}

// ruleTestFile mirrors a promtool unit-test file, as far as needed here.
type ruleTestFile struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `yaml:"exp_labels"`
				ExpAnnotations map[string]string `yaml:"exp_annotations"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
		PromqlExprTest []struct {
			Expr string `yaml:"expr"`
		} `yaml:"promql_expr_test"`
	} `yaml:"tests"`
}

// Every alert has a history that fires (with its labels and annotations
// checked) and one that must not; every recording rule is evaluated by a
// test.
func TestEveryRuleIsTested(t *testing.T) {
	alerts, records := loadRules(t)
	files, _ := filepath.Glob("prometheus/tests/*.yml")
	fires, quiet := map[string]bool{}, map[string]bool{}
	var exprs strings.Builder
	for _, f := range files {
		var tf ruleTestFile
		readYAML(t, f, &tf)
		if !slices.Equal(tf.RuleFiles, []string{"../alerts/ml_model_alerts.yml"}) {
			t.Errorf("%s: rule_files = %v, want the shipped rules file", f, tf.RuleFiles)
		}
		for _, tc := range tf.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) == 0 {
					quiet[a.Alertname] = true
					continue
				}
				for _, e := range a.ExpAlerts {
					if e.ExpLabels["alertname"] == a.Alertname && e.ExpLabels["severity"] != "" && e.ExpAnnotations["description"] != "" {
						fires[a.Alertname] = true
					}
				}
			}
			for _, e := range tc.PromqlExprTest {
				exprs.WriteString(e.Expr + "\n")
			}
		}
	}
	for _, a := range alerts {
		if !fires[a.Alert] {
			t.Errorf("%s: no test history fires it with its labels and annotations", a.Alert)
		}
		if !quiet[a.Alert] {
			t.Errorf("%s: no test history where it must not fire", a.Alert)
		}
	}
	for _, r := range records {
		if !strings.Contains(exprs.String(), r.Record) {
			t.Errorf("recording rule %s is not evaluated by any promql_expr_test", r.Record)
		}
	}
}

// Every metric the rules read is one modelwatch or Prometheus exposes, or a
// recording rule: a misspelt name would silently never fire.
func TestRulesUseKnownMetrics(t *testing.T) {
	alerts, records := loadRules(t)
	known := knownMetrics(records)
	for _, r := range append(records, alerts...) {
		name := r.Alert + r.Record
		for _, m := range metricNames(t, r.Expr) {
			if !known[m] {
				t.Errorf("%s reads %s, which is neither a modelwatch metric nor a recording rule", name, m)
			}
		}
	}
}
