package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// alertmanager is a fake Alertmanager API v2 that keeps every posted
// alert with the replica that posted it (the X-Replica header).
type alertmanager struct {
	mu    sync.Mutex
	posts []posted
}

type posted struct {
	replica string
	alert   alerting.Alert
}

func (am *alertmanager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var as []alerting.Alert
	if err := json.Unmarshal(b, &as); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	am.mu.Lock()
	defer am.mu.Unlock()
	for _, a := range as {
		am.posts = append(am.posts, posted{r.Header.Get("X-Replica"), a})
	}
}

// last returns the alert named name that replica posted last.
func (am *alertmanager) last(replica, name string) (alerting.Alert, bool) {
	am.mu.Lock()
	defer am.mu.Unlock()
	for i := len(am.posts) - 1; i >= 0; i-- {
		if p := am.posts[i]; p.replica == replica && p.alert.Labels["alertname"] == name {
			return p.alert, true
		}
	}
	return alerting.Alert{}, false
}

// tagged marks a replica's requests.
type tagged string

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Replica", string(t))
	return http.DefaultTransport.RoundTrip(r)
}

// replica is one modelwatch server's monitor, with its own metrics and
// notifier, over the fixture's database file.
type replica struct {
	name     string
	mon      *Monitor
	notifier *alerting.Notifier
	reg      *prometheus.Registry
}

func newReplica(t *testing.T, f *fixture, name, amURL string, interval time.Duration) *replica {
	t.Helper()
	r := &replica{name: name, reg: prometheus.NewRegistry()}
	dm, err := metrics.NewDriftMetrics(r.reg)
	if err != nil {
		t.Fatal(err)
	}
	r.notifier, err = alerting.New(alerting.Options{URLs: []string{amURL}, Now: f.clock.Now, HTTPClient: &http.Client{Transport: tagged(name)}})
	if err != nil {
		t.Fatal(err)
	}
	db := openDBWithClock(t, f.path, f.clock.Now)
	r.mon = New(db, dm, Options{Now: f.clock.Now, Alerter: r.notifier, Interval: interval})
	return r
}

// gauge returns the value of a drift gauge of the fixture's model version.
func (r *replica) gauge(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["model_name"] == key.Name && labels["model_version"] == key.Version {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("%s has no series for %s", name, key)
	return 0
}

// firing reports whether the replica's notifier fires an alert named name.
func (r *replica) firing(name string) bool {
	for _, a := range r.notifier.Firing() {
		if a.Labels["alertname"] == name {
			return true
		}
	}
	return false
}

// TestReplicasConverge runs two replicas on one SQLite database and one
// Alertmanager: A finds data and concept drift, B (restored from the
// database) alerts too; A's later clean checks resolve the alerts, and B
// follows at its next tick: it resolves them (an endsAt in the past) and
// its drift gauges fall to 0.
func TestReplicasConverge(t *testing.T) {
	am := &alertmanager{}
	srv := httptest.NewServer(am)
	defer srv.Close()
	f := newFixture(t)
	off := modelwatch.CheckSettings{Schedule: "off"}
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{BaselineAccuracy: new(0.9), DataDrift: off, ConceptDrift: off}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.PutReference(t.Context(), modelwatch.Reference{Model: key, Format: "csv", UploadedAt: t0, Rows: 1000, Data: referenceCSV(1000)}); err != nil {
		t.Fatal(err)
	}
	a := newReplica(t, f, "A", srv.URL, time.Hour)
	b := newReplica(t, f, "B", srv.URL, 10*time.Millisecond)

	// A finds drift of both kinds.
	f.ingestTraffic(600, 1.5, "drifted")
	f.labelled(500, 0.7, "wrong")
	for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
		if run, err := a.mon.RunCheck(t.Context(), key, kind, f.week(), time.Time{}); err != nil || !run.DriftDetected {
			t.Fatalf("A's %s check: %+v, %v; want drift", kind, run, err)
		}
	}
	// B starts and restores the state of the database.
	if err := b.mon.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{AlertDataDrift, AlertConceptDrift} {
		if !a.firing(name) || !b.firing(name) {
			t.Fatalf("%s firing on A: %v, on B: %v; want both", name, a.firing(name), b.firing(name))
		}
	}
	if b.gauge(t, "model_data_drift_detected") != 1 || b.gauge(t, "model_concept_drift_detected") != 1 {
		t.Fatalf("B's drift gauges after restore: data %v, concept %v; want 1",
			b.gauge(t, "model_data_drift_detected"), b.gauge(t, "model_concept_drift_detected"))
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { b.mon.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// A's clean checks a week later.
	f.clock.Advance(8 * 24 * time.Hour)
	f.ingestTraffic(600, 0, "clean")
	f.labelled(500, 0.95, "right")
	for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
		if run, err := a.mon.RunCheck(t.Context(), key, kind, f.week(), time.Time{}); err != nil || run.Status != modelwatch.RunOK || run.DriftDetected {
			t.Fatalf("A's clean %s check: %+v, %v", kind, run, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for b.firing(AlertDataDrift) || b.firing(AlertConceptDrift) {
		if time.Now().After(deadline) {
			t.Fatalf("B still fires %v after A's clean checks", b.notifier.Firing())
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.notifier.Send(t.Context())
	a.notifier.Send(t.Context())
	for _, r := range []*replica{a, b} {
		for _, name := range []string{AlertDataDrift, AlertConceptDrift} {
			last, ok := am.last(r.name, name)
			if !ok || last.EndsAt.After(f.clock.Now()) {
				t.Errorf("%s's last %s alert ends at %v (posted: %v); want a resolution, before %v", r.name, name, last.EndsAt, ok, f.clock.Now())
			}
		}
		for _, g := range []string{"model_data_drift_detected", "model_drifted_columns_ratio", "model_concept_drift_detected"} {
			if v := r.gauge(t, g); v != 0 {
				t.Errorf("%s's %s = %v after the clean checks, want 0", r.name, g, v)
			}
		}
	}
}

// TestRestoreStreamingAlert starts a replica after another one stored a
// streaming drift detection: it fires the detection's alert and resolves it
// when the detection is StreamingAlertHold old, as the replica that
// detected it does.
func TestRestoreStreamingAlert(t *testing.T) {
	f := newFixture(t)
	f.ingestTraffic(1, 0, "x")
	detected := f.clock.Now().Add(-10 * time.Minute)
	if err := f.db.AddConceptEvents(t.Context(), []modelwatch.ConceptEvent{
		{Model: key, Detector: "adwin", Kind: modelwatch.RoleDrift, At: detected, Seq: 42},
		{Model: key, Detector: "ddm", Kind: modelwatch.RoleWarning, At: detected, Seq: 42},
	}); err != nil {
		t.Fatal(err)
	}
	al := &alerter{}
	mon := New(f.db, f.rec, Options{Now: f.clock.Now, Alerter: al, StreamingAlertHold: time.Hour})
	if err := mon.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	if al.firing[AlertStreamingDrift] == nil || len(al.log) != 1 {
		t.Fatalf("after restore: %v; want the adwin detection's alert", al.log)
	}
	if err := mon.Restore(t.Context()); err != nil { // a later tick
		t.Fatal(err)
	}
	f.clock.Advance(49 * time.Minute)
	mon.expireStreamingAlerts()
	if al.firing[AlertStreamingDrift] == nil || len(al.log) != 1 {
		t.Fatalf("59 minutes after the detection: %v; want the alert fired once, still firing", al.log)
	}
	f.clock.Advance(time.Minute)
	mon.expireStreamingAlerts()
	if err := mon.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	if al.firing[AlertStreamingDrift] != nil {
		t.Fatalf("an hour after the detection: %v; want it resolved", al.log)
	}
}

// TestSettingsChangeReachesEveryReplica changes a model version's detectors
// through one replica (its store) while another has them built: the other
// picks the change up at its next pass over the stored state, not at its
// next restart.
func TestSettingsChangeReachesEveryReplica(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mw.db")
	stream := errorStream(400)
	rec := newRecorder()
	dbB, monB, wB := startMonitor(t, path, rec, &alerter{})
	feed(t, dbB, wB, stream, 0, 150)
	if err := monB.Restore(t.Context()); err != nil { // B's pass sees the version's settings
		t.Fatal(err)
	}
	feed(t, dbB, wB, stream, 150, 200)
	if got := fmt.Sprint(rec.detectors[key]); got != "[adwin]" {
		t.Fatalf("detectors with drift counters before the change = %s, want [adwin]", got)
	}

	// Replica A stores new settings; B has not been told.
	dbA := openDBWithClock(t, path, storetest.NewClock(t0).Now)
	if err := dbA.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{
		Detectors: []modelwatch.DetectorSpec{{Name: "kswin"}},
	}); err != nil {
		t.Fatal(err)
	}
	feed(t, dbB, wB, stream, 200, 300)
	if got := fmt.Sprint(rec.detectors[key]); got != "[adwin]" {
		t.Fatalf("detectors before B's next pass = %s, want still [adwin] (nothing told B yet)", got)
	}
	if err := monB.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	feed(t, dbB, wB, stream, 300, 400)
	if got := fmt.Sprint(rec.detectors[key]); got != "[kswin]" {
		t.Errorf("detectors after B's next pass = %s, want [kswin] from the settings A stored", got)
	}
}
