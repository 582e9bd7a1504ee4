package monitor

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// errorStream is n labels whose error rate is 0.1 for the first half and
// 0.5 after, as (truth, prediction) pairs.
func errorStream(n int) [][2]string {
	rng := rand.New(rand.NewPCG(42, 42))
	out := make([][2]string, n)
	for i := range out {
		p := 0.1
		if i >= n/2 {
			p = 0.5
		}
		out[i] = [2]string{"1", "1"}
		if rng.Float64() < p {
			out[i][0] = "0"
		}
	}
	return out
}

// feed stores and labels stream[from:to] one batch at a time and lets the
// windows (and so the monitor) follow.
func feed(t *testing.T, db *sqlite.DB, w *Windows, stream [][2]string, from, to int) {
	t.Helper()
	for start := from; start < to; start += 100 {
		end := min(start+100, to)
		var ps []modelwatch.Prediction
		var ls []modelwatch.GroundTruth
		for i := start; i < end; i++ {
			id := fmt.Sprint(i)
			ps = append(ps, modelwatch.Prediction{ID: id, ModelName: key.Name, ModelVersion: key.Version, Timestamp: t0, Prediction: modelwatch.Label(stream[i][1])})
			ls = append(ls, modelwatch.GroundTruth{ID: id, GroundTruth: modelwatch.Label(stream[i][0])})
		}
		if _, err := db.IngestPredictions(t.Context(), ps); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddGroundTruth(t.Context(), ls); err != nil {
			t.Fatal(err)
		}
		if err := w.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

func startMonitor(t *testing.T, path string, rec *recorder, al *alerter) (*sqlite.DB, *Monitor, *Windows) {
	t.Helper()
	return startMonitorWith(t, path, rec, Options{Alerter: al})
}

// startMonitorWith opens the database at path and starts a monitor with
// opts (and the test clock) and its windows.
func startMonitorWith(t *testing.T, path string, rec *recorder, opts Options) (*sqlite.DB, *Monitor, *Windows) {
	t.Helper()
	clock := storetest.NewClock(t0)
	db := openDBWithClock(t, path, clock.Now)
	opts.Now = clock.Now
	mon := New(db, rec, opts)
	w := NewWindows(db, WindowsOptions{OnEvent: mon.OnLabel})
	if err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db, mon, w
}

func detections(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	evs, err := db.ConceptEvents(t.Context(), key, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s/%s@%d", e.Detector, e.Kind, e.Seq))
	}
	slices.Sort(out)
	return out
}

func TestStreamingDetectors(t *testing.T) {
	stream := errorStream(3000)
	rec, al := newRecorder(), &alerter{}
	db, _, w := startMonitor(t, filepath.Join(t.TempDir(), "a.db"), rec, al)
	feed(t, db, w, stream, 0, 3000)
	evs, err := db.ConceptEvents(t.Context(), key, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// Labels are stored in stream order, so label i has sequence number i+1.
	first := map[string]int64{}
	for _, e := range evs {
		if e.Kind != "drift" {
			continue
		}
		if e.Seq <= 1500 {
			t.Errorf("%s flagged drift at label %d, before the error rate changed", e.Detector, e.Seq)
		}
		if f, ok := first[e.Detector]; !ok || e.Seq < f {
			first[e.Detector] = e.Seq
		}
	}
	if f, ok := first["adwin"]; !ok || f > 2000 {
		t.Errorf("adwin first flagged drift at label %d, want within 500 labels of the change at 1500", f)
	}
	if _, ok := first["ddm"]; ok || rec.events[key.String()+"/ddm"] != 0 {
		t.Errorf("ddm, configured for warnings by default, produced drift events")
	}
	if rec.events[key.String()+"/adwin"] == 0 || rec.events[key.String()+"/ddm/warning"] == 0 {
		t.Errorf("counters = %v, want adwin drifts and ddm warnings", rec.events)
	}
	if fmt.Sprint(rec.detectors[key]) != "[adwin]" {
		t.Errorf("detectors with drift counters = %v, want the default adwin", rec.detectors[key])
	}
	if al.firing[AlertStreamingDrift] == nil {
		t.Errorf("no StreamingConceptDrift alert: %v", al.log)
	}
}

// TestStreamingDetectorsSurviveRestart compares a monitor that ran through
// a stream with one restarted half-way: replaying the stored labels rebuilds
// the detectors, so both flag the same labels.
func TestStreamingDetectorsSurviveRestart(t *testing.T) {
	stream := errorStream(4000)
	dir := t.TempDir()

	dbA, _, wA := startMonitor(t, filepath.Join(dir, "a.db"), newRecorder(), &alerter{})
	feed(t, dbA, wA, stream, 0, 4000)

	path := filepath.Join(dir, "b.db")
	dbB, _, wB := startMonitor(t, path, newRecorder(), &alerter{})
	feed(t, dbB, wB, stream, 0, 2100)
	if err := dbB.Close(); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	dbB2, _, wB2 := startMonitor(t, path, rec, &alerter{})
	feed(t, dbB2, wB2, stream, 2100, 4000)

	a, b := detections(t, dbA), detections(t, dbB2)
	if len(a) == 0 {
		t.Fatal("no detections at all")
	}
	if !slices.Equal(a, b) {
		t.Errorf("detections differ after a restart:\n continuous %v\n restarted  %v", a, b)
	}
}

func TestStreamingAlertExpires(t *testing.T) {
	clock := storetest.NewClock(t0)
	al := &alerter{}
	mon := New(nil, newRecorder(), Options{Now: clock.Now, Alerter: al, StreamingAlertHold: time.Hour})
	mon.streamingAlert(modelwatch.ConceptEvent{Model: key, Detector: "adwin", Kind: "drift", At: t0, Seq: 1})
	clock.Advance(59 * time.Minute)
	mon.expireStreamingAlerts()
	if al.firing[AlertStreamingDrift] == nil {
		t.Fatal("alert resolved before the hold time")
	}
	clock.Advance(time.Minute)
	mon.expireStreamingAlerts()
	if al.firing[AlertStreamingDrift] != nil {
		t.Fatalf("alert still firing after the hold time: %v", al.log)
	}
}

// shiftingStream is n labels whose error rate alternates between 0.05 and
// 0.4 every period labels, as (truth, prediction) pairs: every rise makes
// the detectors drift, so they reset again and again.
func shiftingStream(n, period int) [][2]string {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([][2]string, n)
	for i := range out {
		p := 0.05
		if (i/period)%2 == 1 {
			p = 0.4
		}
		out[i] = [2]string{"1", "1"}
		if rng.Float64() < p {
			out[i][0] = "0"
		}
	}
	return out
}

// TestStreamingDetectorsReplayFromLastReset restarts a monitor twice in a
// stream of many drifts with a replay limit shorter than the stream: each
// detector rebuilds its state from its own last reset, whether its drifts
// are stored as "drift" (drift role) or as "warning" (warning role, where
// they mix with the entries into its warning zone, which do not reset it),
// so the detections are those of a monitor that never stopped.
func TestStreamingDetectorsReplayFromLastReset(t *testing.T) {
	const n, limit = 6000, 1500
	stream := shiftingStream(n, 700)
	// Each case restarts where every detector's last reset is within the
	// replay limit, and at least once where the warning-role detector's
	// latest stored "warning" is an entry into its warning zone, not a
	// reset: ddm at 3600 (warning at 3562, drift at 3629) and 5000 (4949,
	// 5010); eddm at 4700 (reset at 3536, warnings until 4181).
	for _, c := range []struct {
		name      string
		detectors []modelwatch.DetectorSpec
		restarts  []int
	}{
		{"defaults: adwin drift, ddm warning", nil, []int{2500, 3600, 5000}},
		{"ddm drift, eddm and adwin warning", []modelwatch.DetectorSpec{
			{Name: "ddm"}, {Name: "eddm", Role: modelwatch.RoleWarning}, {Name: "adwin", Role: modelwatch.RoleWarning},
		}, []int{2500, 3600, 4700}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			run := func(name string, restarts ...int) []string {
				t.Helper()
				path := filepath.Join(dir, name)
				var db *sqlite.DB
				from := 0
				for _, to := range append(restarts, n) {
					var w *Windows
					db, _, w = startMonitorWith(t, path, newRecorder(), Options{ReplayLimit: limit})
					if from == 0 {
						if err := db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{Detectors: c.detectors}); err != nil {
							t.Fatal(err)
						}
					}
					feed(t, db, w, stream, from, to)
					if to < n {
						if err := db.Close(); err != nil {
							t.Fatal(err)
						}
					}
					from = to
				}
				return detections(t, db)
			}
			continuous := run("continuous.db")
			restarted := run("restarted.db", c.restarts...)
			resets := map[string]int{}
			for _, d := range continuous {
				resets[strings.SplitN(d, "/", 2)[0]]++
			}
			for _, sp := range (modelwatch.ModelSettings{Detectors: c.detectors}).WithDefaults().Detectors {
				if resets[sp.Name] < 4 {
					t.Fatalf("%s flagged %d times in the whole stream; the test needs a detector that resets often", sp.Name, resets[sp.Name])
				}
			}
			if !slices.Equal(continuous, restarted) {
				t.Errorf("detections differ after restarts:\n continuous %v\n restarted  %v", continuous, restarted)
			}
		})
	}
}
