package deploy

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The model version the end-to-end test sends traffic for.
const (
	e2eModel   = "e2e_model"
	e2eVersion = "1.0.0"
)

// Inference latencies of the traffic, in milliseconds: fast requests fall in
// the inference histogram's (0.01 s, 0.025 s] bucket, slow ones in
// (7.5 s, 10 s].
const (
	fastInferenceMs = 20
	slowInferenceMs = 8000
)

// TestEndToEndAlerting proves the whole chain with the real programs:
// modelwatch → Prometheus (scraping every second, the shipped rules with
// "for" shortened) → Alertmanager (the shipped routing tree and inhibit
// rules, receivers replaced by a webhook) → the receivers. Traffic makes the
// accuracy fall and the latency rise, then recover; the alerts must reach
// the receivers of their severity with their labels and annotations, and
// resolve. While they fire, every query of the Grafana dashboard and every
// recording rule is evaluated against that Prometheus, and each must return
// data.
//
// The traffic, in three phases for one model version:
//
//  1. Bad: 200 fast predictions, labelled, one in four right: the window
//     accuracy is 0.25, below 0.80. The test waits until Prometheus has
//     scraped them all, so that these first samples are the baseline of
//     every rate(): they add nothing to the latency quantiles. A data-drift
//     and a concept-drift check run on them, so that the drift gauges the
//     dashboard draws exist.
//  2. Slow: 30 slow and 100 fast predictions, unlabelled. Of the
//     observations in the 5m rate window, 30/130 = 23% are above 7.5 s, so
//     p95 and p99 lie in (7.5 s, 10 s]: HighInferenceLatencyP95 (> 1 s) and
//     HighInferenceLatencyP99 (> 5 s) fire; the median stays fast. Even if
//     the first scrape caught phase 1 half-way, at most 199 more fast
//     observations count: 30/329 = 9% is still above the 5% p95 needs. One
//     error in 131 calls keeps HighModelErrorRate (> 2%) quiet but gives the
//     error-rate queries a value.
//  3. Recovery: 5000 fast predictions labelled right. The window of the last
//     1000 labels is all right: accuracy 1. The latency alerts must resolve
//     on the same series, and rate()[5m] still covers the slow requests (the
//     series are younger than five minutes), so they resolve by dilution:
//     30 slow observations in 5130 (at most 5329) are 0.6%, fewer than the
//     1% it takes to lift p99 out of the fast bucket, so p99 and p95 fall
//     back to about 25 ms at the next scrape.
func TestEndToEndAlerting(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds modelwatch and runs Prometheus and Alertmanager")
	}
	promProg := tool(t, "prometheus", "prometheus")
	amProg := tool(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	began := time.Now()
	phase := func(name string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), name) }

	bin := buildModelwatch(t, repoRoot(t))
	phase("modelwatch built")
	mwURL := startModelwatch(t, bin)
	hook := newWebhook(t)
	dir := t.TempDir()
	amURL := startAlertmanager(t, amProg, e2eAlertmanagerConfig(t, dir, hook.url))
	addrs := stackAddrs{
		modelwatch:   strings.TrimPrefix(mwURL, "http://"),
		prometheus:   freeAddr(t),
		alertmanager: strings.TrimPrefix(amURL, "http://"),
	}
	prom := startPrometheus(t, promProg, e2ePrometheusConfig(t, dir, e2eRules(t, dir), addrs), addrs.prometheus)
	prom.waitValue(t, `up{job="modelwatch"}`, 1, 30*time.Second)
	phase("modelwatch, Alertmanager and Prometheus up")

	alerts, _ := loadRules(t)
	byName := map[string]rule{}
	for _, a := range alerts {
		byName[a.Alert] = a
	}
	var want []rule
	for _, name := range []string{"ModelAccuracyDrop", "HighInferenceLatencyP99", "HighInferenceLatencyP95"} {
		a, ok := byName[name]
		if !ok {
			t.Fatalf("%s has no alert %s", rulesFile, name)
		}
		want = append(want, a)
	}

	m := modelTraffic{url: mwURL, model: e2eModel, version: e2eVersion}
	sel := fmt.Sprintf(`{model_name=%q, model_version=%q}`, e2eModel, e2eVersion)

	// Phase 1: accuracy 0.25, and the baseline of the counters.
	m.predict(t, "bad", 200, func(int) float64 { return fastInferenceMs }, func(i int, predicted string) string {
		if i%4 == 0 {
			return predicted
		}
		return flip(predicted)
	})
	m.postError(t)
	m.runDriftChecks(t)
	prom.waitValue(t, "sum(model_inference_duration_seconds_count"+sel+")", 200, 30*time.Second)
	prom.waitValue(t, "sum(model_window_labelled_predictions"+sel+")", 200, 30*time.Second)
	prom.waitValue(t, "sum(model_prediction_errors_total"+sel+")", 1, 30*time.Second)
	phase("phase 1 scraped: accuracy 0.25")

	// Phase 2: slow requests.
	m.predict(t, "slow", 130, func(i int) float64 {
		if i < 30 {
			return slowInferenceMs
		}
		return fastInferenceMs
	}, nil)
	m.postError(t)
	waitDelivered(t, hook, prom, "firing", want, 60*time.Second)
	phase("firing notifications received")
	checkDeliveries(t, hook, want)

	// The shipped inhibit rule: ModelAccuracyDrop mutes the accuracy
	// warning of the same version, which fires alongside it.
	warning := "ModelAccuracyWarning/" + e2eModel + "/" + e2eVersion + "/prometheus"
	for deadline := time.Now().Add(15 * time.Second); alertStates(t, amURL)[warning] != "suppressed"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Alertmanager does not hold %s as suppressed: %v", warning, alertStates(t, amURL))
		}
	}
	for _, d := range hook.deliveries() {
		if d.labels["alertname"] == "ModelAccuracyWarning" {
			t.Errorf("ModelAccuracyWarning reached %s (%s) although ModelAccuracyDrop inhibits it", d.receiver, d.status)
		}
	}

	// Everything is there now: the dashboard's queries, the recording rules
	// and every rule's evaluation.
	checkQueries(t, prom)
	checkRuleHealth(t, prom, len(alerts))
	phase("dashboard queries and recording rules evaluated")

	// Phase 3: recovery.
	m.predict(t, "recovery", 5000, func(int) float64 { return fastInferenceMs }, func(_ int, predicted string) string { return predicted })
	waitDelivered(t, hook, prom, "resolved", want, 60*time.Second)
	phase("resolved notifications received")
	checkDeliveries(t, hook, want)
}

// flip returns the other class of the binary model.
func flip(class string) string {
	if class == "0" {
		return "1"
	}
	return "0"
}

// modelTraffic sends one model version's predictions, ground truth and
// errors to modelwatch.
type modelTraffic struct {
	url, model, version string
}

// predict posts n predictions with ids prefix-0 … prefix-(n-1), classes
// alternating "0" and "1", the given inference latency and small
// pre- and postprocessing latencies. When truth is not nil it then posts
// their ground truth, truth(i, predicted class).
func (m modelTraffic) predict(t *testing.T, prefix string, n int, inferenceMs func(i int) float64, truth func(i int, predicted string) string) {
	t.Helper()
	var preds, labels strings.Builder
	for i := range n {
		class := []string{"0", "1"}[i%2]
		fmt.Fprintf(&preds, `{"id":"%s-%d","model_name":%q,"model_version":%q,"prediction":%q,"confidence":0.9,`+
			`"features":{"amount":%d},"latency":{"preprocessing_ms":3,"inference_ms":%g,"postprocessing_ms":2}}`+"\n",
			prefix, i, m.model, m.version, class, i, inferenceMs(i))
		if truth != nil {
			fmt.Fprintf(&labels, `{"id":"%s-%d","ground_truth":%q}`+"\n", prefix, i, truth(i, class))
		}
	}
	if got := m.post(t, "/api/v1/predictions", preds.String()); !strings.Contains(got, fmt.Sprintf(`"accepted":%d,`, n)) {
		t.Fatalf("POST /api/v1/predictions of %d %s predictions: %s", n, prefix, got)
	}
	if truth != nil {
		if got := m.post(t, "/api/v1/ground-truth", labels.String()); !strings.Contains(got, fmt.Sprintf(`"joined":%d,`, n)) {
			t.Fatalf("POST /api/v1/ground-truth of %d %s labels: %s", n, prefix, got)
		}
	}
}

// runDriftChecks uploads a reference with the distribution of the traffic's
// feature (amount 0 to 199, as phase 1 sends), sets a baseline accuracy, and
// runs a data-drift and a concept-drift check now instead of on their
// schedules.
func (m modelTraffic) runDriftChecks(t *testing.T) {
	t.Helper()
	mv := "/api/v1/models/" + url.PathEscape(m.model) + "/versions/" + url.PathEscape(m.version)
	var ref strings.Builder
	ref.WriteString("amount\n")
	for i := range 200 {
		fmt.Fprintf(&ref, "%d\n", i)
	}
	m.do(t, http.MethodPut, mv+"/reference", "text/csv", ref.String(), http.StatusOK)
	m.do(t, http.MethodPut, mv+"/settings", "application/json", `{"baseline_accuracy":0.9}`, http.StatusOK)
	for _, kind := range []string{"data", "concept"} {
		if got := m.do(t, http.MethodPost, mv+"/drift-runs", "application/json", `{"kind":"`+kind+`"}`, http.StatusCreated); !strings.Contains(got, `"status":"ok"`) {
			t.Fatalf("%s drift check: %s", kind, got)
		}
	}
}

// postError reports one failed prediction call.
func (m modelTraffic) postError(t *testing.T) {
	t.Helper()
	body := fmt.Sprintf(`{"model_name":%q,"model_version":%q,"error_type":"TimeoutError"}`, m.model, m.version)
	m.do(t, http.MethodPost, "/api/v1/errors", "application/json", body, http.StatusOK)
}

// post sends an NDJSON body and returns the response body, failing the test
// unless it is 200 OK.
func (m modelTraffic) post(t *testing.T, path, ndjson string) string {
	t.Helper()
	return m.do(t, http.MethodPost, path, "application/x-ndjson", ndjson, http.StatusOK)
}

// do sends a request to modelwatch and returns the response body, failing
// the test unless the status is want.
func (m modelTraffic) do(t *testing.T, method, path, contentType, body string, want int) string {
	t.Helper()
	req, err := http.NewRequest(method, m.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+modelwatchToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return string(b)
}

// receiversOf returns the receivers Alertmanager's routing tree sends an
// alert of the rule to, as TestAlertmanagerRoutesEveryAlert proves with
// amtool.
func receiversOf(t *testing.T, a rule) []string {
	t.Helper()
	r, ok := receiversBySeverity[a.Labels["severity"]]
	if !ok {
		t.Fatalf("%s: no receivers known for severity %q", a.Alert, a.Labels["severity"])
	}
	return strings.Split(r, ",")
}

// waitDelivered waits until every receiver of each alert of want has been
// notified of it, for the test's model version, with status.
func waitDelivered(t *testing.T, hook *webhook, prom promAPI, status string, want []rule, timeout time.Duration) {
	t.Helper()
	var missing []string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got := map[string]bool{}
		for _, d := range hook.deliveries() {
			if d.status == status && d.labels["model_name"] == e2eModel && d.labels["model_version"] == e2eVersion {
				got[d.labels["alertname"]+" → "+d.receiver] = true
			}
		}
		missing = missing[:0]
		for _, a := range want {
			for _, r := range receiversOf(t, a) {
				if k := a.Alert + " → " + r; !got[k] {
					missing = append(missing, k)
				}
			}
		}
		if len(missing) == 0 {
			return
		}
	}
	var have []string
	for _, d := range hook.deliveries() {
		have = append(have, fmt.Sprintf("%s %s → %s", d.status, d.labels["alertname"], d.receiver))
	}
	active, err := prom.query("ALERTS")
	t.Fatalf("after %s no %s notification of %s\nwebhook received: %s\nPrometheus ALERTS: %v %v",
		timeout, status, strings.Join(missing, ", "), strings.Join(have, ", "), active, err)
}

// checkDeliveries checks every notification of the alerts of want: it
// reached a receiver of the alert's severity, with exactly the labels of the
// rule plus alertname, model_name and model_version, the rule's summary and
// runbook, and a description naming the model version.
func checkDeliveries(t *testing.T, hook *webhook, want []rule) {
	t.Helper()
	for _, a := range want {
		receivers := receiversOf(t, a)
		wantLabels := map[string]string{"alertname": a.Alert, "model_name": e2eModel, "model_version": e2eVersion}
		for k, v := range a.Labels {
			wantLabels[k] = v
		}
		model := fmt.Sprintf("Model %s v%s ", e2eModel, e2eVersion)
		for _, d := range hook.deliveries() {
			if d.labels["alertname"] != a.Alert {
				continue
			}
			where := fmt.Sprintf("%s (%s) at %s", a.Alert, d.status, d.receiver)
			if !slices.Contains(receivers, d.receiver) {
				t.Errorf("%s: want only receivers %v", where, receivers)
			}
			if !maps.Equal(d.labels, wantLabels) {
				t.Errorf("%s: labels %v, want %v", where, d.labels, wantLabels)
			}
			if d.labels["component"] != "ml_model" || d.labels["source"] != "prometheus" {
				t.Errorf("%s: component %q, source %q, want ml_model and prometheus", where, d.labels["component"], d.labels["source"])
			}
			for _, k := range []string{"summary", "runbook_url"} {
				if d.annotations[k] != a.Annotations[k] {
					t.Errorf("%s: %s %q, want %q", where, k, d.annotations[k], a.Annotations[k])
				}
			}
			desc := d.annotations["description"]
			if !strings.HasPrefix(desc, model) {
				t.Errorf("%s: description %q does not start with %q", where, desc, model)
			}
			// When it fires, the accuracy is the one phase 1 set. (A resolved
			// alert keeps the description of its last evaluation, which
			// may have seen the window half-way through recovery.)
			if want := model + "accuracy is 0.25, below critical threshold of 0.80"; a.Alert == "ModelAccuracyDrop" && d.status == "firing" && desc != want {
				t.Errorf("%s: description %q, want %q", where, desc, want)
			}
		}
	}
}

// checkQueries evaluates every query of the dashboard, with Grafana's
// variables filled in, every template variable's label_values query, and
// every recording rule (its expression and its recorded series) against
// Prometheus. Each must evaluate without error and return at least one
// finite value.
func checkQueries(t *testing.T, prom promAPI) {
	t.Helper()
	d := loadDashboard(t)
	_, records := loadRules(t)
	type query struct{ where, expr string }
	var qs []query
	for _, q := range dashboardQueries(d) {
		qs = append(qs, query{q.where, grafanaVars.Replace(q.expr)})
	}
	for _, r := range records {
		qs = append(qs, query{"recording rule " + r.Record, r.Expr})
		sel := r.Record
		if len(r.Labels) > 0 {
			var m []string
			for k, v := range r.Labels {
				m = append(m, fmt.Sprintf("%s=%q", k, v))
			}
			slices.Sort(m)
			sel += "{" + strings.Join(m, ", ") + "}"
		}
		qs = append(qs, query{"recorded series " + sel, sel})
	}
	for _, q := range qs {
		samples, err := prom.query(q.expr)
		if err != nil {
			t.Errorf("%s: %s: %v", q.where, q.expr, err)
			continue
		}
		if !slices.ContainsFunc(samples, func(s promSample) bool { return !math.IsNaN(s.Value) && !math.IsInf(s.Value, 0) }) {
			t.Errorf("%s: %s returns no data: %v", q.where, q.expr, samples)
		}
	}

	// Template variables: label_values(selector, label) is Grafana's call
	// of the label values API.
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			t.Errorf("variable %s: query %s is not a string", v.Name, v.Query)
			continue
		}
		m := labelValuesRE.FindStringSubmatch(grafanaVars.Replace(q))
		if m == nil {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, q)
			continue
		}
		vals, err := prom.labelValues(m[2], m[1])
		if err != nil {
			t.Errorf("variable %s: %s: %v", v.Name, q, err)
			continue
		}
		want := map[string]string{"model_name": e2eModel, "model_version": e2eVersion}[m[2]]
		if !slices.Contains(vals, want) {
			t.Errorf("variable %s: %s gives %v, want %s among them", v.Name, q, vals, want)
		}
	}
}

// labelValuesRE matches Grafana's label_values(selector, label).
var labelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

// checkRuleHealth checks that Prometheus loaded every rule of the rules
// file and that each evaluated without error against modelwatch's metrics.
func checkRuleHealth(t *testing.T, prom promAPI, alerts int) {
	t.Helper()
	var data struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Name      string `json:"name"`
				Type      string `json:"type"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := prom.get("/api/v1/rules", nil, &data); err != nil {
		t.Fatalf("GET /api/v1/rules: %v", err)
	}
	_, records := loadRules(t)
	n := 0
	for _, g := range data.Groups {
		for _, r := range g.Rules {
			n++
			if r.Health != "ok" {
				t.Errorf("rule %s (%s): health %q: %s", r.Name, g.Name, r.Health, r.LastError)
			}
		}
	}
	if n != alerts+len(records) {
		t.Errorf("Prometheus loaded %d rules, want the %d alerts and %d recording rules of %s", n, alerts, len(records), rulesFile)
	}
}
