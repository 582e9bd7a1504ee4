package deploy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The programs of the end-to-end test: modelwatch built from this
// repository, and Prometheus and Alertmanager as Debian ships them. Every
// one listens on loopback only and is stopped when the test ends.

// program is a process started for a test.
type program struct {
	name string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// startProgram runs prog with args until the test ends, keeping its output
// for the failure log. At cleanup it gets SIGTERM, then SIGKILL after ten
// seconds; a program that exited by itself before then fails the test.
func startProgram(t *testing.T, name, prog string, args ...string) *program {
	t.Helper()
	p := &program{name: name, logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(prog, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
			t.Errorf("%s exited during the test: %v", name, p.err)
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
				t.Errorf("%s did not stop within 10s of SIGTERM", name)
			}
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.logs)
		}
	})
	return p
}

// waitHTTP polls url until it answers 200 OK, failing the test if the
// program exits first or the deadline passes.
func (p *program) waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-p.done:
			t.Fatalf("%s exited: %v\n%s", p.name, p.err, p.logs)
		default:
		}
		resp, err := http.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		last = resp.Status
	}
	t.Fatalf("%s: %s not ready within %s: %s", p.name, url, timeout, last)
}

// buildModelwatch builds the modelwatch binary from the repository at root
// without cgo, as released binaries are, and returns its path.
func buildModelwatch(t *testing.T, root string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build modelwatch: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "modelwatch")
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/modelwatch")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/modelwatch: %v\n%s", err, out)
	}
	return bin
}

// listeningRE finds the address in modelwatch's "listening" log line.
var listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// modelwatchToken is the admin token the test's modelwatch accepts; its
// /metrics is public, as in the Compose stack, so Prometheus scrapes it
// without one.
const modelwatchToken = "deploy-test-token-0123456789abcdef"

// startModelwatch runs modelwatch serve on a free loopback port with an
// empty data directory and returns its URL.
func startModelwatch(t *testing.T, bin string, args ...string) string {
	t.Helper()
	args = append([]string{
		"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--token", modelwatchToken, "--metrics-public",
	}, args...)
	p := startProgram(t, "modelwatch", bin, args...)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listeningRE.FindStringSubmatch(p.logs.String()); m != nil {
			return "http://" + m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("modelwatch serve exited: %v\n%s", p.err, p.logs)
		default:
		}
	}
	t.Fatalf("modelwatch serve did not log its address within 30s\n%s", p.logs)
	return ""
}

// startPrometheus runs Prometheus with config on addr and an empty
// database, waits until it is ready and returns its API.
func startPrometheus(t *testing.T, prog, config, addr string) promAPI {
	t.Helper()
	p := startProgram(t, "prometheus", prog,
		"--config.file="+config,
		"--storage.tsdb.path="+t.TempDir(),
		"--web.listen-address="+addr,
	)
	u := "http://" + addr
	p.waitHTTP(t, u+"/-/ready", 30*time.Second)
	return promAPI{url: u}
}

// e2eInterval is the scrape and rule evaluation interval of the end-to-end
// test, and e2eFor the "for" of every alert: promtool tests cover the real
// durations, this test covers the chain.
const (
	e2eInterval = "1s"
	e2eFor      = "5s"
)

// e2eRules writes the shipped rules file to dir with every group's interval
// set to e2eInterval and every alert's "for" to e2eFor, and returns its path.
// Expressions, labels and annotations are untouched.
func e2eRules(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", rulesFile, err)
	}
	groups := yamlKey(t, doc.Content[0], "groups")
	fors := 0
	for _, g := range groups.Content {
		setYAMLKey(g, "interval", e2eInterval)
		for _, r := range yamlKey(t, g, "rules").Content {
			if f := yamlKeyOrNil(r, "for"); f != nil {
				f.Value = e2eFor
				fors++
			}
		}
	}
	if fors == 0 {
		t.Fatalf("%s: no alert has a for duration to shorten", rulesFile)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ml_model_alerts.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func yamlKeyOrNil(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func yamlKey(t *testing.T, m *yaml.Node, key string) *yaml.Node {
	t.Helper()
	v := yamlKeyOrNil(m, key)
	if v == nil {
		t.Fatalf("%s: no key %q at line %d", rulesFile, key, m.Line)
	}
	return v
}

// setYAMLKey sets key of mapping m to a plain scalar, adding it if missing.
func setYAMLKey(m *yaml.Node, key, value string) {
	if v := yamlKeyOrNil(m, key); v != nil {
		v.Kind, v.Tag, v.Style, v.Value = yaml.ScalarNode, "!!str", 0, value
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// e2eAlertmanagerConfig writes the shipped Alertmanager configuration to
// dir with its routing tree and inhibit rules unchanged, but every receiver
// replaced by a webhook to hookURL/<receiver name> that sends resolved
// notifications too, and with one-second group timings. It returns its
// path.
func e2eAlertmanagerConfig(t *testing.T, dir, hookURL string) string {
	t.Helper()
	var cfg map[string]any
	readYAML(t, amConfig, &cfg)

	// Templates are relative to the configuration file.
	abs, err := filepath.Abs(filepath.Dir(amConfig))
	if err != nil {
		t.Fatal(err)
	}
	tmpls := asList(t, cfg["templates"], "templates")
	for i, p := range tmpls {
		tmpls[i] = filepath.Join(abs, asString(t, p, "templates[]"))
	}

	// Group timings: notify one second after an alert arrives or changes;
	// never repeat during the test.
	timings := map[string]string{"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"}
	var shorten func(r map[string]any, root bool)
	shorten = func(r map[string]any, root bool) {
		for k, v := range timings {
			if _, ok := r[k]; ok || root {
				r[k] = v
			}
		}
		if sub, ok := r["routes"]; ok {
			for _, s := range asList(t, sub, "routes") {
				shorten(asMap(t, s, "routes[]"), false)
			}
		}
	}
	shorten(asMap(t, cfg["route"], "route"), true)

	receivers := asList(t, cfg["receivers"], "receivers")
	if len(receivers) == 0 {
		t.Fatalf("%s has no receivers", amConfig)
	}
	for i, r := range receivers {
		name := asString(t, asMap(t, r, "receivers[]")["name"], "receivers[].name")
		receivers[i] = map[string]any{
			"name": name,
			"webhook_configs": []any{map[string]any{
				"url":           hookURL + "/" + url.PathEscape(name),
				"send_resolved": true,
			}},
		}
	}
	return writeYAML(t, filepath.Join(dir, "alertmanager.yml"), cfg)
}

// stackAddrs are the host:port addresses of the programs of the test.
type stackAddrs struct {
	modelwatch, prometheus, alertmanager string
}

// e2ePrometheusConfig writes the shipped prometheus.yml to dir with the
// scrape and evaluation intervals set to e2eInterval, rules, and the
// Compose host names of its targets replaced by the test's addresses. It
// returns its path.
func e2ePrometheusConfig(t *testing.T, dir, rules string, addrs stackAddrs) string {
	t.Helper()
	const file = "prometheus/prometheus.yml"
	var cfg map[string]any
	readYAML(t, file, &cfg)
	global := asMap(t, cfg["global"], "global")
	global["scrape_interval"] = e2eInterval
	global["scrape_timeout"] = e2eInterval
	global["evaluation_interval"] = e2eInterval
	cfg["rule_files"] = []any{rules}

	targets := func(sc map[string]any, addr string) {
		statics := asList(t, sc["static_configs"], "static_configs")
		if len(statics) != 1 {
			t.Fatalf("%s: want one static_config, got %v", file, statics)
		}
		asMap(t, statics[0], "static_configs[]")["targets"] = []any{addr}
	}
	ams := asList(t, asMap(t, cfg["alerting"], "alerting")["alertmanagers"], "alerting.alertmanagers")
	if len(ams) != 1 {
		t.Fatalf("%s: want one alertmanagers entry, got %v", file, ams)
	}
	targets(asMap(t, ams[0], "alertmanagers[]"), addrs.alertmanager)
	jobs := map[string]string{
		"modelwatch":   addrs.modelwatch,
		"prometheus":   addrs.prometheus,
		"alertmanager": addrs.alertmanager,
	}
	seen := map[string]bool{}
	for _, s := range asList(t, cfg["scrape_configs"], "scrape_configs") {
		sc := asMap(t, s, "scrape_configs[]")
		job := asString(t, sc["job_name"], "job_name")
		addr, ok := jobs[job]
		if !ok {
			t.Fatalf("%s: scrape job %q is unknown to the end-to-end test", file, job)
		}
		targets(sc, addr)
		seen[job] = true
	}
	if !seen["modelwatch"] {
		t.Fatalf("%s: no scrape job \"modelwatch\"", file)
	}
	return writeYAML(t, filepath.Join(dir, "prometheus.yml"), cfg)
}

func writeYAML(t *testing.T, path string, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func asMap(t *testing.T, v any, where string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want a mapping, got %T", where, v)
	}
	return m
}

func asList(t *testing.T, v any, where string) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want a list, got %T", where, v)
	}
	return l
}

func asString(t *testing.T, v any, where string) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s: want a string, got %T", where, v)
	}
	return s
}

// promAPI queries Prometheus through its HTTP API.
type promAPI struct{ url string }

// promSample is one element of an instant query's result.
type promSample struct {
	Metric map[string]string
	Value  float64
}

// query evaluates expr now. It returns the API's error (bad_data for an
// expression that does not parse, execution for one that fails) or any
// warning as an error.
func (p promAPI) query(expr string) ([]promSample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	type pair [2]any // [unix time, "value"]
	var out []promSample
	add := func(m map[string]string, v pair) error {
		s, _ := v[1].(string)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("sample value %v: %w", v[1], err)
		}
		out = append(out, promSample{m, f})
		return nil
	}
	switch data.ResultType {
	case "vector":
		var vs []struct {
			Metric map[string]string `json:"metric"`
			Value  pair              `json:"value"`
		}
		if err := json.Unmarshal(data.Result, &vs); err != nil {
			return nil, err
		}
		for _, v := range vs {
			if err := add(v.Metric, v.Value); err != nil {
				return nil, err
			}
		}
	case "scalar":
		var v pair
		if err := json.Unmarshal(data.Result, &v); err != nil {
			return nil, err
		}
		if err := add(nil, v); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("result type %q, want an instant vector or a scalar", data.ResultType)
	}
	return out, nil
}

// labelValues returns the values of label on the series matching match,
// as Grafana's label_values(match, label) asks them.
func (p promAPI) labelValues(label, match string) ([]string, error) {
	var vs []string
	err := p.get("/api/v1/label/"+url.PathEscape(label)+"/values", url.Values{"match[]": {match}}, &vs)
	return vs, err
}

// get calls a Prometheus API endpoint and decodes its data into v.
func (p promAPI) get(path string, q url.Values, v any) error {
	resp, err := http.Get(p.url + path + "?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status    string          `json:"status"`
		ErrorType string          `json:"errorType"`
		Error     string          `json:"error"`
		Warnings  []string        `json:"warnings"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s: %s", body.ErrorType, body.Error)
	}
	if len(body.Warnings) > 0 {
		return fmt.Errorf("warnings: %s", strings.Join(body.Warnings, "; "))
	}
	return json.Unmarshal(body.Data, v)
}

// value evaluates expr and returns its single value; ok is false when the
// result is empty or has several samples.
func (p promAPI) value(expr string) (v float64, ok bool, err error) {
	s, err := p.query(expr)
	if err != nil || len(s) != 1 {
		return 0, false, err
	}
	return s[0].Value, true, nil
}

// waitValue polls expr until it evaluates to want.
func (p promAPI) waitValue(t *testing.T, expr string, want float64, timeout time.Duration) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		v, ok, err := p.value(expr)
		switch {
		case err != nil:
			t.Fatalf("query %s: %v", expr, err)
		case ok && v == want:
			return
		case ok:
			got = strconv.FormatFloat(v, 'g', -1, 64)
		default:
			got = "no single value"
		}
	}
	t.Fatalf("%s = %s after %s, want %g", expr, got, timeout, want)
}

// webhook is an Alertmanager webhook receiver recording every alert of
// every notification.
type webhook struct {
	url string

	mu     sync.Mutex
	got    []delivery
	errors []string
}

// delivery is one alert as one receiver was notified of it.
type delivery struct {
	receiver    string
	status      string // firing or resolved
	labels      map[string]string
	annotations map[string]string
}

// newWebhook serves a webhook receiver on loopback until the test ends.
// Alertmanager posts to /<receiver name>.
func newWebhook(tb testing.TB) *webhook {
	tb.Helper()
	w := &webhook{}
	srv := httptest.NewServer(http.HandlerFunc(w.serveHTTP))
	w.url = srv.URL
	tb.Cleanup(func() {
		srv.Close()
		for _, e := range w.malformed() {
			tb.Errorf("webhook: %s", e)
		}
	})
	return w
}

func (w *webhook) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	// Alertmanager's webhook payload, version 4.
	var msg struct {
		Version  string `json:"version"`
		Receiver string `json:"receiver"`
		Status   string `json:"status"`
		Alerts   []struct {
			Status      string            `json:"status"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	err := json.NewDecoder(r.Body).Decode(&msg)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err != nil:
		w.errors = append(w.errors, fmt.Sprintf("%s: %v", r.URL.Path, err))
	case msg.Version != "4" || "/"+url.PathEscape(msg.Receiver) != r.URL.Path:
		w.errors = append(w.errors, fmt.Sprintf("%s: version %q notification for receiver %q", r.URL.Path, msg.Version, msg.Receiver))
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	for _, a := range msg.Alerts {
		w.got = append(w.got, delivery{msg.Receiver, a.Status, a.Labels, a.Annotations})
	}
}

// deliveries returns the alerts notified so far, in order of arrival.
func (w *webhook) deliveries() []delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]delivery(nil), w.got...)
}

func (w *webhook) malformed() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.errors...)
}
