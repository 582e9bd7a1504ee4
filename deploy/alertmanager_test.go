package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const amConfig = "alertmanager/config.yml"

// receiversBySeverity is the routing of the specification: critical pages
// PagerDuty and continues to the urgent channel and e-mail; high goes to
// the urgent channel and e-mail; warning and anything else to #ml-monitoring.
var receiversBySeverity = map[string]string{
	"critical": "pagerduty,ml-team-urgent",
	"high":     "ml-team-urgent",
	"warning":  "ml-team",
}

func TestAmtoolCheckConfig(t *testing.T) {
	out, err := run(t, ".", amtool(t), "check-config", amConfig)
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	// The template directory is resolved and parsed, not silently empty.
	if !strings.Contains(out, "1 templates") {
		t.Errorf("amtool check-config found no template:\n%s", out)
	}
}

// routeTest asks amtool where an alert with these labels goes; it fails
// unless the receivers are exactly want, in order.
func routeTest(t *testing.T, prog, want string, labels ...string) {
	t.Helper()
	args := append([]string{"config", "routes", "test", "--config.file=" + amConfig, "--verify.receivers=" + want}, labels...)
	out, err := run(t, ".", prog, args...)
	if err != nil {
		t.Errorf("amtool config routes test %s: want receivers %s: %v\n%s", strings.Join(labels, " "), want, err, out)
	}
}

func TestAlertmanagerRoutesBySeverity(t *testing.T) {
	prog := amtool(t)
	for _, tc := range []struct {
		labels []string
		want   string
	}{
		{[]string{"severity=critical", "alertname=ModelAccuracyDrop", "model_name=m"}, "pagerduty,ml-team-urgent"},
		{[]string{"severity=high", "alertname=HighDriftedColumnsRatio", "model_name=m"}, "ml-team-urgent"},
		{[]string{"severity=warning", "alertname=DataDriftDetected", "model_name=m"}, "ml-team"},
		// modelwatch's own drift alerts route the same way.
		{[]string{"severity=high", "alertname=ConceptDriftDetected", "source=modelwatch", "model_name=m"}, "ml-team-urgent"},
		// Anything else falls back to the team channel.
		{[]string{"severity=info", "alertname=Other"}, "ml-team"},
		{[]string{"alertname=NoSeverity"}, "ml-team"},
	} {
		routeTest(t, prog, tc.want, tc.labels...)
	}
}

// Each alert of the rules file, with its own labels, reaches the receivers
// of its severity.
func TestAlertmanagerRoutesEveryAlert(t *testing.T) {
	prog := amtool(t)
	alerts, _ := loadRules(t)
	for _, a := range alerts {
		want, ok := receiversBySeverity[a.Labels["severity"]]
		if !ok {
			t.Errorf("%s: no route expectation for severity %q", a.Alert, a.Labels["severity"])
			continue
		}
		labels := []string{"alertname=" + a.Alert, "model_name=test_generator", "model_version=1.2.0"}
		for k, v := range a.Labels {
			labels = append(labels, k+"="+v)
		}
		routeTest(t, prog, want, labels...)
	}
}

func TestAlertmanagerTemplate(t *testing.T) {
	out, err := run(t, ".", amtool(t), "template", "render",
		"--template.glob=alertmanager/templates/*.tmpl",
		"--template.data=testdata/alertmanager/notification.json",
		"--template.text="+`{{ template "modelwatch.title" . }}`+"\n---\n"+`{{ template "modelwatch.text" . }}`)
	if err != nil {
		t.Fatalf("amtool template render: %v\n%s", err, out)
	}
	// A group may hold several model versions: the title counts the firing
	// alerts, the text lists each alert, resolved ones marked.
	want := `[FIRING:1] Model accuracy dropped below 85% (test_generator)
---
Model test_generator v1.2.0 accuracy is 0.84, below warning threshold of 0.85 Runbook: https://github.com/modelwatch/modelwatch/blob/main/docs/observability.md#modelaccuracywarning
[resolved] Model test_generator v1.1.0 accuracy is 0.83, below warning threshold of 0.85 Runbook: https://github.com/modelwatch/modelwatch/blob/main/docs/observability.md#modelaccuracywarning
`
	if out != want {
		t.Errorf("rendered notification:\n%s\nwant:\n%s", out, want)
	}
}

// No secret is written in the configuration: every credential comes from a
// *_file field pointing into the mounted secrets directory, and each such
// file is documented.
func TestAlertmanagerSecretsFromFiles(t *testing.T) {
	b, err := os.ReadFile(amConfig)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("alertmanager/secrets/README.md")
	if err != nil {
		t.Fatal(err)
	}
	secretKeys := []string{
		"slack_api_url", "api_url", "service_key", "routing_key", "auth_password",
		"smtp_auth_password", "auth_secret", "api_key", "bot_token", "token",
		"password", "webhook_url", "url", "credentials",
	}
	files := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				p := path + "." + k
				if slices.Contains(secretKeys, k) {
					t.Errorf("%s: %s is written in the configuration; use %s_file", amConfig, p, k)
				}
				if strings.HasSuffix(k, "_file") {
					files++
					s, _ := c.(string)
					if filepath.Dir(s) != "/etc/alertmanager/secrets" {
						t.Errorf("%s = %q, want a file in /etc/alertmanager/secrets", p, s)
					}
					if !bytes.Contains(readme, []byte("`"+filepath.Base(s)+"`")) {
						t.Errorf("%s: secret file %s is not documented in alertmanager/secrets/README.md", p, filepath.Base(s))
					}
				}
				walk(p, c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), c)
			}
		}
	}
	walk("", doc)
	if files < 3 {
		t.Errorf("found %d *_file secrets, want the Slack URL, SMTP password and PagerDuty key", files)
	}
	// Nothing but the README and .gitignore may be committed there.
	ignore, err := os.ReadFile("alertmanager/secrets/.gitignore")
	if err != nil || !bytes.Contains(ignore, []byte("*\n")) {
		t.Errorf("alertmanager/secrets/.gitignore must ignore everything (%v)", err)
	}
}

// The inhibit rules, checked with a real Alertmanager running the shipped
// configuration: modelwatch's own drift alert mutes the rule alert of the
// same name for the same model version, and only that one; a critical
// accuracy drop mutes the accuracy warning.
func TestAlertmanagerInhibition(t *testing.T) {
	prog := tool(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	url := startAlertmanager(t, prog, amConfig)

	type alert struct {
		name, version, source string
		extra                 map[string]string
		wantState             string
	}
	alerts := []alert{
		// modelwatch found data drift in v1.2.0 and posted it.
		{"DataDriftDetected", "1.2.0", "modelwatch", nil, "active"},
		{"DataDriftDetected", "1.2.0", "prometheus", nil, "suppressed"},
		// No direct alert for v1.1.0 or for another model: rule alerts notify.
		{"DataDriftDetected", "1.1.0", "prometheus", nil, "active"},
		{"DataDriftDetected", "1.2.0", "prometheus", map[string]string{"model_name": "other_model"}, "active"},
		// A different condition of the same version is not muted.
		{"HighDriftedColumnsRatio", "1.2.0", "prometheus", nil, "active"},
		{"ConceptDriftDetected", "1.2.0", "modelwatch", nil, "active"},
		{"ConceptDriftDetected", "1.2.0", "prometheus", nil, "suppressed"},
		{"StreamingConceptDrift", "1.2.0", "modelwatch", map[string]string{"detector": "adwin"}, "active"},
		{"StreamingConceptDrift", "1.2.0", "prometheus", map[string]string{"detector": "adwin"}, "suppressed"},
		// Accuracy: critical mutes the warning of the same version only.
		{"ModelAccuracyDrop", "1.2.0", "prometheus", nil, "active"},
		{"ModelAccuracyWarning", "1.2.0", "prometheus", nil, "suppressed"},
		{"ModelAccuracyWarning", "1.1.0", "prometheus", nil, "active"},
	}
	key := func(l map[string]string) string {
		return l["alertname"] + "/" + l["model_name"] + "/" + l["model_version"] + "/" + l["source"]
	}
	var post []map[string]any
	want := map[string]string{}
	now := time.Now().UTC()
	for _, a := range alerts {
		l := map[string]string{
			"alertname": a.name, "model_name": "test_generator", "model_version": a.version,
			"source": a.source, "severity": "warning", "component": "ml_model",
		}
		for k, v := range a.extra {
			l[k] = v
		}
		want[key(l)] = a.wantState
		post = append(post, map[string]any{
			"labels":   l,
			"startsAt": now.Format(time.RFC3339),
			"endsAt":   now.Add(10 * time.Minute).Format(time.RFC3339),
		})
	}
	body, _ := json.Marshal(post)
	resp, err := http.Post(url+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}

	// The inhibitor picks source alerts up asynchronously: poll.
	var got map[string]string
	for deadline := time.Now().Add(15 * time.Second); ; {
		got = alertStates(t, url)
		if fmt.Sprint(got) == fmt.Sprint(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: state %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Alertmanager holds %d alerts, want %d: %v", len(got), len(want), got)
	}
}

// alertStates returns the state (active, suppressed) of every alert
// Alertmanager holds, by alertname/model_name/model_version/source.
func alertStates(t *testing.T, url string) map[string]string {
	t.Helper()
	resp, err := http.Get(url + "/api/v2/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, a := range list {
		l := a.Labels
		states[l["alertname"]+"/"+l["model_name"]+"/"+l["model_version"]+"/"+l["source"]] = a.Status.State
	}
	return states
}

// startAlertmanager runs Alertmanager with the configuration file config on
// a free loopback port, clustering off, until the test ends, and returns its
// URL.
func startAlertmanager(t *testing.T, prog, config string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	cmd := exec.CommandContext(ctx, prog,
		"--config.file="+config,
		"--storage.path="+t.TempDir(),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", logs.String())
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); ; {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freeAddr returns a loopback address whose port was free a moment ago, for
// a program that takes its listen address as a flag.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}

// syncBuffer is a bytes.Buffer safe for a process writing its output while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
