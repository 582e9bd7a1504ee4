package window

import (
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
)

type goldenCase struct {
	Name        string      `json:"name"`
	Size        int         `json:"size"`
	Events      [][3]any    `json:"events"`
	Checkpoints []goldenCPs `json:"checkpoints"`
}

type goldenCPs struct {
	After     int     `json:"after"`
	Count     int     `json:"count"`
	Accuracy  float64 `json:"accuracy"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// TestMetricsMatchScikitLearn replays label streams through a Window and
// compares its metrics with scikit-learn's at each checkpoint
// (testdata/sklearn_golden.json, made by testdata/gen_sklearn.py).
func TestMetricsMatchScikitLearn(t *testing.T) {
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
	if len(golden.Cases) < 5 {
		t.Fatalf("golden file has %d cases, want at least 5", len(golden.Cases))
	}
	const tol = 1e-12
	for _, c := range golden.Cases {
		t.Run(c.Name, func(t *testing.T) {
			w := New(c.Size)
			cp := 0
			for i, ev := range c.Events {
				w.Observe(int64(ev[0].(float64)), ev[1].(string), ev[2].(string))
				if cp < len(c.Checkpoints) && c.Checkpoints[cp].After == i+1 {
					want := c.Checkpoints[cp]
					got := w.Metrics()
					if got.Count != want.Count {
						t.Errorf("after %d events: Count = %d, want %d", i+1, got.Count, want.Count)
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
							t.Errorf("after %d events: %s = %.17g, want %.17g (±%g)", i+1, f.name, f.got, f.want, tol)
						}
					}
					cp++
				}
			}
			if cp != len(c.Checkpoints) {
				t.Errorf("checked %d checkpoints, want %d", cp, len(c.Checkpoints))
			}
		})
	}
}

func TestObserve(t *testing.T) {
	w := New(3)
	if got := w.Metrics(); got != (Metrics{}) {
		t.Errorf("empty window Metrics() = %+v, want zero", got)
	}
	steps := []struct {
		seq         int64
		truth, pred string
		changed     bool
		wantLen     int
		wantAcc     float64
	}{
		{1, "a", "a", true, 1, 1},
		{2, "a", "b", true, 2, 0.5},
		{2, "a", "b", false, 2, 0.5}, // same label again: no change
		{2, "b", "b", true, 2, 1},    // correction in place
		{3, "a", "b", true, 3, 2.0 / 3},
		{4, "b", "b", true, 3, 2.0 / 3},  // evicts seq 1 (a,a)
		{1, "b", "a", false, 3, 2.0 / 3}, // correction of an evicted prediction
		{0, "b", "b", false, 3, 2.0 / 3}, // older than the window
	}
	for i, s := range steps {
		if got := w.Observe(s.seq, s.truth, s.pred); got != s.changed {
			t.Errorf("step %d: Observe(%d, %q, %q) = %v, want %v", i, s.seq, s.truth, s.pred, got, s.changed)
		}
		m := w.Metrics()
		if w.Len() != s.wantLen || m.Count != s.wantLen {
			t.Errorf("step %d: Len() = %d, Count = %d, want %d", i, w.Len(), m.Count, s.wantLen)
		}
		if math.Abs(m.Accuracy-s.wantAcc) > 1e-15 {
			t.Errorf("step %d: Accuracy = %v, want %v", i, m.Accuracy, s.wantAcc)
		}
	}
	if w.Newest() != 4 {
		t.Errorf("Newest() = %d, want 4", w.Newest())
	}
	// A label read late that belongs in the window is inserted in order.
	w3 := New(3)
	for _, seq := range []int64{10, 30, 20, 5, 40} {
		w3.Observe(seq, "a", "a")
	}
	if got, want := w3.seqs(), []int64{20, 30, 40}; !slices.Equal(got, want) {
		t.Errorf("window seqs after out-of-order observations = %v, want %v", got, want)
	}
	w4 := New(5)
	for _, seq := range []int64{3, 1, 2} {
		w4.Observe(seq, "a", "b")
	}
	if got, want := w4.seqs(), []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("window seqs = %v, want %v", got, want)
	}
	// Classes that left the window are forgotten.
	w2 := New(1)
	w2.Observe(1, "x", "y")
	w2.Observe(2, "z", "z")
	if len(w2.classes) != 1 {
		t.Errorf("classes after eviction = %v, want only z", w2.classes)
	}
}

func TestNewDefaultSize(t *testing.T) {
	if got := New(0).Size(); got != DefaultSize {
		t.Errorf("New(0).Size() = %d, want %d", got, DefaultSize)
	}
}

func TestSortLabels(t *testing.T) {
	got := []string{"10", "9", "-1", "2"}
	sortLabels(got)
	if want := []string{"-1", "2", "9", "10"}; !equal(got, want) {
		t.Errorf("sortLabels(ints) = %v, want %v", got, want)
	}
	got = []string{"10", "9", "b", "a"}
	sortLabels(got)
	if want := []string{"10", "9", "a", "b"}; !equal(got, want) {
		t.Errorf("sortLabels(mixed) = %v, want %v", got, want)
	}
}

func (w *Window) seqs() []int64 {
	var out []int64
	for k := range w.n {
		out = append(out, w.at(k).seq)
		if w.bySeq[w.at(k).seq] != w.index(k) {
			panic("bySeq out of date")
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkObserve(b *testing.B) {
	w := New(DefaultSize)
	classes := []string{"0", "1", "2", "3"}
	var seq int64
	for b.Loop() {
		seq++
		w.Observe(seq, classes[seq%4], classes[(seq*7)%4])
	}
}

func BenchmarkMetrics(b *testing.B) {
	for _, nClasses := range []int{2, 10, 100} {
		b.Run(strconv.Itoa(nClasses)+"classes", func(b *testing.B) {
			w := New(DefaultSize)
			classes := make([]string, nClasses)
			for i := range classes {
				classes[i] = strconv.Itoa(i)
			}
			for i := range 2 * DefaultSize {
				w.Observe(int64(i+1), classes[i%nClasses], classes[(i*7)%nClasses])
			}
			for b.Loop() {
				_ = w.Metrics()
			}
		})
	}
}

// TestObserveOrderIndependent checks the window against a brute-force model:
// whatever order labels are observed in, the window holds the Size highest
// sequence numbers with their latest labels.
func TestObserveOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	classes := []string{"a", "b", "c"}
	for round := range 200 {
		size := 1 + rng.IntN(20)
		w := New(size)
		latest := map[int64][2]string{}
		for range rng.IntN(100) {
			seq := int64(1 + rng.IntN(60))
			truth, pred := classes[rng.IntN(3)], classes[rng.IntN(3)]
			if old, ok := latest[seq]; ok {
				pred = old[1] // a correction keeps the prediction
			}
			latest[seq] = [2]string{truth, pred}
			w.Observe(seq, truth, pred)
		}
		seqs := slices.Sorted(maps.Keys(latest))
		if len(seqs) > size {
			seqs = seqs[len(seqs)-size:]
		}
		ref := New(size)
		correct := 0
		for _, s := range seqs {
			ref.Observe(s, latest[s][0], latest[s][1])
			if latest[s][0] == latest[s][1] {
				correct++
			}
		}
		if got := w.seqs(); !slices.Equal(got, seqs) {
			t.Fatalf("round %d: window seqs = %v, want %v", round, got, seqs)
		}
		if got, want := w.Metrics(), ref.Metrics(); got != want {
			t.Fatalf("round %d: Metrics() = %+v, want %+v", round, got, want)
		}
		if w.correct != correct {
			t.Fatalf("round %d: correct = %d, want %d", round, w.correct, correct)
		}
	}
}
