package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// webhook is an Alertmanager webhook receiver that keeps every notification.
type webhook struct {
	mu   sync.Mutex
	msgs []notification
}

type notification struct {
	Status string `json:"status"`
	Alerts []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var n notification
	if err := json.Unmarshal(b, &n); err == nil {
		h.mu.Lock()
		h.msgs = append(h.msgs, n)
		h.mu.Unlock()
	}
}

func (h *webhook) wait(t *testing.T, status string) notification {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		for _, m := range h.msgs {
			if m.Status == status {
				h.mu.Unlock()
				return m
			}
		}
		h.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s notification reached the webhook", status)
	return notification{}
}

// startAlertmanager runs the real Alertmanager routing everything to hook.
func startAlertmanager(t *testing.T, hook string) string {
	t.Helper()
	bin := testenv.Program(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: hook
  group_by: [alertname, model_name]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s
        send_resolved: true
`, hook)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	port := testenv.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=")
	out, _ := os.Create(filepath.Join(dir, "log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("Alertmanager did not become ready:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRealAlertmanager fires and resolves an alert through the Alertmanager
// from Debian's prometheus-alertmanager package.
func TestRealAlertmanager(t *testing.T) {
	hook := &webhook{}
	hs := httptest.NewServer(hook)
	defer hs.Close()
	am := startAlertmanager(t, hs.URL)
	n, err := New(Options{URLs: []string{am}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Run(ctx)
	labels := map[string]string{
		"alertname": "DataDriftDetected", "severity": "warning", "component": "ml_model",
		"model_name": "churn", "model_version": "v3", "source": "modelwatch",
	}
	n.Fire(labels, map[string]string{"summary": "Data drift detected in production", "description": "3 of 5 columns drifted"}, "")
	msg := hook.wait(t, "firing")
	if len(msg.Alerts) != 1 || msg.Alerts[0].Labels["model_version"] != "v3" || msg.Alerts[0].Annotations["description"] != "3 of 5 columns drifted" {
		t.Fatalf("firing notification = %+v", msg)
	}
	n.Resolve(labels)
	msg = hook.wait(t, "resolved")
	if msg.Alerts[0].Labels["alertname"] != "DataDriftDetected" || msg.Alerts[0].Status != "resolved" {
		t.Fatalf("resolved notification = %+v", msg)
	}
}
