package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

const (
	demoModel   = "churn-demo"
	demoVersion = "v1"
	demoBase    = "/api/v1/models/" + demoModel + "/versions/" + demoVersion
)

// demoAlerts are the alerts the demo must post to Alertmanager: one for each
// kind of detection the test waits for.
var demoAlerts = []string{"DataDriftDetected", "ConceptDriftDetected", "StreamingConceptDrift"}

// TestDemo runs `modelwatch demo` with compressed time, posting to a real
// Alertmanager, and waits until it has shown every part of the story: a
// data-drift run with its report, a concept-drift run, a streaming
// detection, window accuracy falling, prediction volume growing on
// /metrics, and alerts in Alertmanager. Then it reads the statistics
// endpoint and the web UI of the same run.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes half a minute; skipped with -short")
	}
	// Without Alertmanager (and not in CI, where it must be there) the demo
	// runs without it and only the alert check is skipped.
	am := ""
	if testenv.CI() || slices.ContainsFunc([]string{"prometheus-alertmanager", "alertmanager"}, func(name string) bool {
		_, err := exec.LookPath(name)
		return err == nil
	}) {
		am = testenv.StartAlertmanager(t, testenv.NewWebhook(t).URL)
	}
	args := []string{"demo", "--addr", "127.0.0.1:0", "--speed", "20", "--drift-after", "6m", "--rate", "40"}
	if am != "" {
		args = append(args, "--alertmanager-url", am)
	}
	s := startCommand(t, args...)

	w := &demoWatch{s: s, am: am, firstAccuracy: -1, lowestAccuracy: 2, alerts: map[string]amAlert{}, start: time.Now(), first: map[string]time.Duration{}}
	deadline := time.Now().Add(150 * time.Second)
	for !w.done() && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		w.observe(t)
	}
	if w.dataRun == 0 || w.conceptRun == 0 || !w.streaming {
		t.Fatalf("after 150 s: data drift run %d, concept drift run %d, streaming detection %v\n%s", w.dataRun, w.conceptRun, w.streaming, tail(s.stderr.String()))
	}
	if w.firstAccuracy < 0 || w.lowestAccuracy > w.firstAccuracy-0.05 {
		t.Errorf("window accuracy went from %.3f down to %.3f only", w.firstAccuracy, w.lowestAccuracy)
	}
	if w.firstVolume <= 0 || w.lastVolume <= w.firstVolume {
		t.Errorf("model_predictions_total of %s %s went from %v to %v over the run; want it growing", demoModel, demoVersion, w.firstVolume, w.lastVolume)
	}
	code, html := s.do("GET", fmt.Sprintf("%s/drift-runs/%d/report", demoBase, w.dataRun), "", "")
	if code != 200 || !strings.Contains(html, "<svg") {
		t.Errorf("report of run %d: %d", w.dataRun, code)
	}
	if !strings.Contains(s.stderr.String(), "web UI") || !strings.Contains(s.stderr.String(), "data drift detected") {
		t.Errorf("the demo did not say where to look or what it found:\n%s", tail(s.stderr.String()))
	}

	t.Run("statistics", func(t *testing.T) {
		var st modelwatch.PredictionStats
		s.getJSON("/api/ml/predictions/stats?days=1&model_name="+demoModel+"&model_version="+demoVersion, &st)
		if st.TotalPredictions <= 0 {
			t.Errorf("total_predictions = %d, want the demo's traffic", st.TotalPredictions)
		}
		// Labels arrive with a delay and one in ten never does: some of the
		// predictions are labelled, not all.
		if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage <= 0 || *st.GroundTruthCoverage >= 1 {
			t.Errorf("ground_truth_coverage = %v, want strictly between 0 and 1", orNull(st.GroundTruthCoverage))
		}
		var sum int64
		for class, n := range st.PredictionDistribution {
			if class != "0" && class != "1" || n <= 0 {
				t.Errorf("prediction_distribution[%q] = %d, want classes 0 and 1 with positive counts", class, n)
			}
			sum += n
		}
		if len(st.PredictionDistribution) == 0 || sum != st.TotalPredictions {
			t.Errorf("prediction_distribution = %v sums to %d, want a non-empty distribution of the %d predictions", st.PredictionDistribution, sum, st.TotalPredictions)
		}
	})

	t.Run("web UI", func(t *testing.T) {
		// Authentication is off in the demo: the UI opens without a token.
		link := "/ui/models/" + demoModel + "/versions/" + demoVersion
		page := getPage(t, s.url+"/")
		if !strings.Contains(page, `href="`+link+`">`+demoModel+`</a>`) {
			t.Errorf("GET / does not list %s %s with a link to %s:\n%.3000s", demoModel, demoVersion, link, page)
		}
		if page := getPage(t, s.url+link); !strings.Contains(page, demoModel) {
			t.Errorf("GET %s does not show %s:\n%.3000s", link, demoModel, page)
		}
	})

	t.Run("alerts in Alertmanager", func(t *testing.T) {
		if am == "" {
			testenv.Program(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager") // skips, naming the package
		}
		for _, name := range demoAlerts {
			a, ok := w.alerts[name]
			if !ok {
				t.Errorf("%s for %s %s never reached Alertmanager; it had %v", name, demoModel, demoVersion, w.alertNames())
				continue
			}
			if a.Labels["source"] != "modelwatch" || a.Annotations["summary"] == "" || !strings.Contains(a.Annotations["description"], demoModel) {
				t.Errorf("%s in Alertmanager = %+v, want modelwatch's alert describing %s", name, a, demoModel)
			}
			// The drift checks' alerts link to the run on the demo's address.
			if name != "StreamingConceptDrift" && !strings.HasPrefix(a.GeneratorURL, s.url+"/api/v1/models/"+demoModel+"/versions/"+demoVersion+"/drift-runs/") {
				t.Errorf("%s in Alertmanager links to %q, want a drift run on %s", name, a.GeneratorURL, s.url)
			}
		}
	})
	s.stop()
}

// demoWatch is what TestDemo has seen of the demo so far.
type demoWatch struct {
	s  *server
	am string // Alertmanager's URL, "" without one

	firstAccuracy, lowestAccuracy float64
	firstVolume, lastVolume       float64 // model_predictions_total, over the classes
	dataRun, conceptRun           int64   // a run that detected drift
	streaming                     bool
	alerts                        map[string]amAlert // by alertname

	start time.Time
	first map[string]time.Duration // when each condition was first met
}

// note logs, once, how long into the run what was first seen.
func (w *demoWatch) note(t *testing.T, what string, ok bool) {
	t.Helper()
	if _, seen := w.first[what]; ok && !seen {
		w.first[what] = time.Since(w.start).Round(100 * time.Millisecond)
		t.Logf("%s after %s", what, w.first[what])
	}
}

// amAlert is an alert as Alertmanager's GET /api/v2/alerts lists it.
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	GeneratorURL string            `json:"generatorURL"`
	Status       struct {
		State string `json:"state"`
	} `json:"status"`
}

// done reports whether everything the test waits for has been seen.
func (w *demoWatch) done() bool {
	for _, name := range demoAlerts {
		if _, ok := w.alerts[name]; !ok && w.am != "" {
			return false
		}
	}
	return w.dataRun != 0 && w.conceptRun != 0 && w.streaming && w.lowestAccuracy <= w.firstAccuracy-0.05 &&
		w.lastVolume > w.firstVolume
}

// observe polls the demo's metrics, drift runs and detector events, and
// Alertmanager's alerts, once.
func (w *demoWatch) observe(t *testing.T) {
	t.Helper()
	m := w.s.metrics()
	for _, smp := range m["model_accuracy"] {
		v := float64(smp.Value)
		if w.firstAccuracy < 0 {
			w.firstAccuracy = v
		}
		w.lowestAccuracy = min(w.lowestAccuracy, v)
	}
	volume := 0.0
	for _, smp := range m["model_predictions_total"] {
		if smp.Metric["model_name"] == demoModel && smp.Metric["model_version"] == demoVersion {
			volume += float64(smp.Value)
		}
	}
	if w.firstVolume == 0 {
		w.firstVolume = volume
	}
	w.lastVolume = volume

	var runs struct {
		Runs []struct {
			ID            int64  `json:"id"`
			Kind          string `json:"kind"`
			DriftDetected bool   `json:"drift_detected"`
			HasReport     bool   `json:"has_report"`
		} `json:"drift_runs"`
	}
	w.s.getJSON(demoBase+"/drift-runs?limit=1000", &runs)
	for _, r := range runs.Runs {
		if r.DriftDetected && r.Kind == "data" && r.HasReport {
			w.dataRun = r.ID
		}
		if r.DriftDetected && r.Kind == "concept" {
			w.conceptRun = r.ID
		}
	}
	var evs struct {
		Events []struct{ Kind string } `json:"concept_events"`
	}
	w.s.getJSON(demoBase+"/concept-events", &evs)
	for _, e := range evs.Events {
		w.streaming = w.streaming || e.Kind == "drift"
	}

	w.note(t, "data drift run", w.dataRun != 0)
	w.note(t, "concept drift run", w.conceptRun != 0)
	w.note(t, "streaming detection", w.streaming)
	w.note(t, "accuracy drop", w.lowestAccuracy <= w.firstAccuracy-0.05)
	if w.am == "" {
		return
	}
	// An alert leaves this list once resolved: remember each one seen.
	var alerts []amAlert
	getJSONAt(t, w.am+"/api/v2/alerts", &alerts)
	for _, a := range alerts {
		if a.Labels["model_name"] == demoModel && a.Labels["model_version"] == demoVersion && a.Status.State == "active" {
			w.alerts[a.Labels["alertname"]] = a
			w.note(t, a.Labels["alertname"]+" in Alertmanager", true)
		}
	}
}

func (w *demoWatch) alertNames() []string {
	var names []string
	for name := range w.alerts {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// getJSONAt decodes the JSON answer to GET url.
func getJSONAt(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// getPage returns the HTML page at url, failing the test unless it is one.
func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %s, want an HTML page\n%.2000s", url, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return string(b)
}

// orNull returns *p, or "null" for nil, for messages.
func orNull(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-40):], "\n")
}
