package window

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestConfusionMatchesScikitLearn fills a Confusion with the content of the
// window at each checkpoint of the scikit-learn golden cases and compares
// its metrics with scikit-learn's.
func TestConfusionMatchesScikitLearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/sklearn_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	checked := 0
	for _, c := range golden.Cases {
		w := New(c.Size)
		cp := 0
		for i, ev := range c.Events {
			w.Observe(int64(ev[0].(float64)), ev[1].(string), ev[2].(string))
			if cp >= len(c.Checkpoints) || c.Checkpoints[cp].After != i+1 {
				continue
			}
			want := c.Checkpoints[cp]
			cp++
			// Aggregate the window's entries into counts first, as rollups do.
			counts := map[[2]string]int64{}
			for k := range w.Len() {
				e := w.at(k)
				counts[[2]string{e.truth, e.pred}]++
			}
			var conf Confusion
			for p, n := range counts {
				conf.Add(p[0], p[1], n)
			}
			got := conf.Metrics()
			if got.Count != want.Count || conf.Len() != want.Count {
				t.Errorf("%s after %d events: Count = %d, Len = %d, want %d", c.Name, i+1, got.Count, conf.Len(), want.Count)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"accuracy", got.Accuracy, want.Accuracy},
				{"precision", got.Precision, want.Precision},
				{"recall", got.Recall, want.Recall},
				{"f1", got.F1, want.F1},
			} {
				if math.Abs(f.got-f.want) > tol {
					t.Errorf("%s after %d events: Confusion %s = %.17g, want %.17g (±%g)", c.Name, i+1, f.name, f.got, f.want, tol)
				}
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("compared %d checkpoints, want at least 10", checked)
	}
}

// TestConfusionEqualsWindow checks on random streams that a Confusion of a
// window's content gives the window's metrics bit for bit.
func TestConfusionEqualsWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for run := range 50 {
		w := New(1 + rng.IntN(300))
		var conf Confusion
		classes := 2 + rng.IntN(6)
		for seq := range 1 + rng.IntN(300) {
			truth, pred := strconv.Itoa(rng.IntN(classes)), strconv.Itoa(rng.IntN(classes))
			w.Observe(int64(seq), truth, pred)
		}
		for k := range w.Len() {
			e := w.at(k)
			conf.Add(e.truth, e.pred, 1)
		}
		if got, want := conf.Metrics(), w.Metrics(); got != want {
			t.Fatalf("run %d: Confusion.Metrics() = %+v, Window.Metrics() = %+v", run, got, want)
		}
	}
}

func TestConfusionSpecialCases(t *testing.T) {
	var empty Confusion
	if m := empty.Metrics(); m != (Metrics{}) {
		t.Errorf("empty Metrics() = %+v, want zero", m)
	}
	var c Confusion
	c.Add("a", "a", 0)
	c.Add("a", "b", -3)
	if c.Len() != 0 {
		t.Errorf("Len after zero and negative counts = %d, want 0", c.Len())
	}
	// Two classes, "b" never predicted: its precision is 0 (zero_division=0).
	// a: support 3, predicted 5, tp 3 → p=0.6, r=1, f1=0.75
	// b: support 2, predicted 0, tp 0 → p=0, r=0, f1=0
	c.Add("a", "a", 3)
	c.Add("b", "a", 2)
	m := c.Metrics()
	want := Metrics{Count: 5, Accuracy: 0.6, Precision: 0.36, Recall: 0.6, F1: 0.45}
	for _, f := range []struct {
		name      string
		got, want float64
	}{{"accuracy", m.Accuracy, want.Accuracy}, {"precision", m.Precision, want.Precision}, {"recall", m.Recall, want.Recall}, {"f1", m.F1, want.F1}} {
		if math.Abs(f.got-f.want) > 1e-15 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	if m.Count != 5 {
		t.Errorf("Count = %d, want 5", m.Count)
	}
}
