package testenv

import (
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
)

// Notification is what Alertmanager's webhook receiver posts.
type Notification struct {
	Status string `json:"status"`
	Alerts []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

// Webhook is an Alertmanager webhook receiver that keeps every notification.
type Webhook struct {
	URL  string
	mu   sync.Mutex
	msgs []Notification
}

// NewWebhook starts a webhook receiver; it stops at the end of the test.
func NewWebhook(t testing.TB) *Webhook {
	h := &Webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var n Notification
		if err := json.Unmarshal(b, &n); err == nil {
			h.mu.Lock()
			h.msgs = append(h.msgs, n)
			h.mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

// Wait returns the first notification with the given status ("firing" or
// "resolved") for which match is true, failing the test after timeout.
func (h *Webhook) Wait(t testing.TB, status string, timeout time.Duration, match func(Notification) bool) Notification {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		for _, m := range h.msgs {
			if m.Status == status && (match == nil || match(m)) {
				h.mu.Unlock()
				return m
			}
		}
		h.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t.Fatalf("no matching %s notification reached the webhook in %s; got %+v", status, timeout, h.msgs)
	return Notification{}
}

// StartAlertmanager runs the real Alertmanager (Debian package
// prometheus-alertmanager) on a free loopback port, routing every alert to
// hookURL with short grouping delays, and returns its base URL.
func StartAlertmanager(t testing.TB, hookURL string) string {
	t.Helper()
	bin := Program(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: hook
  group_by: [alertname, model_name, model_version]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s
        send_resolved: true
`, hookURL)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=")
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = logf.Close() })
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("Alertmanager did not become ready:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
