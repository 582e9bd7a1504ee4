package alerting

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// TestRealAlertmanager fires and resolves an alert through the Alertmanager
// from Debian's prometheus-alertmanager package.
func TestRealAlertmanager(t *testing.T) {
	hook := testenv.NewWebhook(t)
	am := testenv.StartAlertmanager(t, hook.URL)
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
	msg := hook.Wait(t, "firing", 30*time.Second, nil)
	if len(msg.Alerts) != 1 || msg.Alerts[0].Labels["model_version"] != "v3" || msg.Alerts[0].Annotations["description"] != "3 of 5 columns drifted" {
		t.Fatalf("firing notification = %+v", msg)
	}
	n.Resolve(labels)
	msg = hook.Wait(t, "resolved", 30*time.Second, nil)
	if msg.Alerts[0].Labels["alertname"] != "DataDriftDetected" || msg.Alerts[0].Status != "resolved" {
		t.Fatalf("resolved notification = %+v", msg)
	}
}

// TestRealAlertmanagers fires and resolves an alert through two real
// Alertmanagers, each with its own receiver, and one address where nothing
// listens: both receivers are notified of both.
func TestRealAlertmanagers(t *testing.T) {
	hooks := []*testenv.Webhook{testenv.NewWebhook(t), testenv.NewWebhook(t)}
	urls := []string{testenv.StartAlertmanager(t, hooks[0].URL), fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))}
	urls = append(urls, testenv.StartAlertmanager(t, hooks[1].URL))
	n, err := New(Options{URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Run(ctx)
	labels := map[string]string{
		"alertname": "ConceptDriftDetected", "severity": "high", "component": "ml_model",
		"model_name": "churn", "model_version": "v3", "source": "modelwatch",
	}
	n.Fire(labels, map[string]string{"summary": "Concept drift detected - model accuracy degraded"}, "")
	for i, h := range hooks {
		if msg := h.Wait(t, "firing", 30*time.Second, nil); msg.Alerts[0].Labels["model_version"] != "v3" {
			t.Errorf("Alertmanager %d: firing notification = %+v", i, msg)
		}
	}
	n.Resolve(labels)
	for i, h := range hooks {
		if msg := h.Wait(t, "resolved", 30*time.Second, nil); msg.Alerts[0].Labels["alertname"] != "ConceptDriftDetected" {
			t.Errorf("Alertmanager %d: resolved notification = %+v", i, msg)
		}
	}
}
