package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `modelwatch demo` with compressed time and waits until it
// has shown every part of the story: a data-drift run with its report, a
// concept-drift run, a streaming detection, and window accuracy falling.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a minute; skipped with -short")
	}
	s := startCommand(t, "demo", "--addr", "127.0.0.1:0", "--speed", "20", "--drift-after", "6m", "--rate", "40")
	const base = "/api/v1/models/churn-demo/versions/v1"
	deadline := time.Now().Add(150 * time.Second)
	firstAccuracy, lowestAccuracy := -1.0, 2.0
	var dataRun, conceptRun int64
	streaming := false
	for time.Now().Before(deadline) && (dataRun == 0 || conceptRun == 0 || !streaming || lowestAccuracy > firstAccuracy-0.05) {
		time.Sleep(time.Second)
		m := s.metrics()
		for _, smp := range m["model_accuracy"] {
			v := float64(smp.Value)
			if firstAccuracy < 0 {
				firstAccuracy = v
			}
			lowestAccuracy = min(lowestAccuracy, v)
		}
		var runs struct {
			Runs []struct {
				ID            int64  `json:"id"`
				Kind          string `json:"kind"`
				DriftDetected bool   `json:"drift_detected"`
				HasReport     bool   `json:"has_report"`
			} `json:"drift_runs"`
		}
		s.getJSON(base+"/drift-runs?limit=1000", &runs)
		for _, r := range runs.Runs {
			if r.DriftDetected && r.Kind == "data" && r.HasReport {
				dataRun = r.ID
			}
			if r.DriftDetected && r.Kind == "concept" {
				conceptRun = r.ID
			}
		}
		var evs struct {
			Events []struct{ Kind string } `json:"concept_events"`
		}
		s.getJSON(base+"/concept-events", &evs)
		for _, e := range evs.Events {
			streaming = streaming || e.Kind == "drift"
		}
	}
	if dataRun == 0 || conceptRun == 0 || !streaming {
		t.Fatalf("after 150 s: data drift run %d, concept drift run %d, streaming detection %v\n%s", dataRun, conceptRun, streaming, tail(s.stderr.String()))
	}
	if firstAccuracy < 0 || lowestAccuracy > firstAccuracy-0.05 {
		t.Errorf("window accuracy went from %.3f down to %.3f only", firstAccuracy, lowestAccuracy)
	}
	code, html := s.do("GET", fmt.Sprintf("%s/drift-runs/%d/report", base, dataRun), "", "")
	if code != 200 || !strings.Contains(html, "<svg") {
		t.Errorf("report of run %d: %d", dataRun, code)
	}
	if !strings.Contains(s.stderr.String(), "web UI") || !strings.Contains(s.stderr.String(), "data drift detected") {
		t.Errorf("the demo did not say where to look or what it found:\n%s", tail(s.stderr.String()))
	}
	s.stop()
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-40):], "\n")
}
