package monitor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// calibrated returns n predictions of a binary model whose probability of
// class "1" is calibrated: the truth is drawn with that probability. beta
// shapes how confident the model is (large: probabilities near 0 and 1).
func calibrated(rng *rand.Rand, n int, confident bool, start time.Time, prefix string, label bool) []modelwatch.Prediction {
	var ps []modelwatch.Prediction
	for i := range n {
		var p float64
		if confident {
			p = 0.05 + 0.9*float64(rng.IntN(2)) + (rng.Float64()-0.5)*0.1 // near 0.05 or 0.95
		} else {
			p = 0.35 + rng.Float64()*0.3 // near 0.5: a harder population
		}
		pred := modelwatch.Label("0")
		conf := 1 - p
		if p >= 0.5 {
			pred, conf = "1", p
		}
		x := modelwatch.Prediction{
			ID: fmt.Sprintf("%s-%d", prefix, i), ModelName: key.Name, ModelVersion: key.Version,
			Timestamp: start.Add(time.Duration(i) * time.Second), Prediction: pred, Confidence: new(conf),
			Probabilities: map[string]float64{"0": 1 - p, "1": p},
		}
		if label {
			x.GroundTruth = "0"
			if rng.Float64() < p {
				x.GroundTruth = "1"
			}
		}
		ps = append(ps, x)
	}
	return ps
}

// TestEstimation fits CBPE on labelled reference predictions and checks that
// a covariate shift lowers the estimated accuracy before any label of the
// shifted traffic arrives, and that the estimate matches what the labels
// later show.
func TestEstimation(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(3, 5))
	start := t0.Add(-48 * time.Hour)
	if _, err := f.db.IngestPredictions(t.Context(), calibrated(rng, 2000, true, start, "ref", true)); err != nil {
		t.Fatal(err)
	}
	// Not enough reference yet (3000 by default): nothing is estimated.
	if n, err := f.mon.EstimateAll(t.Context()); err != nil || n != 0 {
		t.Fatalf("EstimateAll with 2000 reference rows = %d, %v; want 0", n, err)
	}
	if _, err := f.db.IngestPredictions(t.Context(), calibrated(rng, 1000, true, start.Add(time.Hour), "ref2", true)); err != nil {
		t.Fatal(err)
	}
	if n, err := f.mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll with 3000 reference rows = %d, %v; want 1", n, err)
	}
	before := f.rec.estimates[key][0]
	acc, _ := before.Metric("accuracy")
	if acc.Value < 0.9 || acc.Alert {
		t.Fatalf("estimated accuracy on reference-like traffic = %+v, want about 0.95 without alert", acc)
	}
	if n, _ := f.mon.EstimateAll(t.Context()); n != 0 {
		t.Error("estimated again without new predictions")
	}
	// The population shifts to harder cases; no label yet.
	shifted := calibrated(rng, 500, false, t0, "shift", false)
	if _, err := f.db.IngestPredictions(t.Context(), shifted); err != nil {
		t.Fatal(err)
	}
	if n, err := f.mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll after the shift = %d, %v", n, err)
	}
	after := f.rec.estimates[key][1]
	acc, _ = after.Metric("accuracy")
	if acc.Value > 0.7 || !acc.Alert || after.Labelled != 0 || acc.HasRealized {
		t.Fatalf("estimated accuracy after the shift = %+v (labelled %d), want about 0.58, an alert and no realised value", acc, after.Labelled)
	}
	ests, err := f.db.Estimates(t.Context(), key, 10)
	if err != nil || len(ests) != 2 || ests[0].Rows != 500 || ests[0].Labelled != 0 {
		t.Fatalf("stored estimates = %+v, %v", ests, err)
	}
	// A restarted process (or a second replica) publishes the latest
	// estimate again, without storing it twice.
	rec2 := newRecorder()
	mon2 := New(f.db, rec2, Options{Now: f.clock.Now})
	if n, err := mon2.EstimateAll(t.Context()); err != nil || n != 0 || len(rec2.estimates[key]) != 1 {
		t.Fatalf("EstimateAll after a restart = %d, %v, published %d; want 0 stored and 1 published", n, err, len(rec2.estimates[key]))
	}
	if again, _ := rec2.estimates[key][0].Metric("accuracy"); again.Value != acc.Value {
		t.Errorf("accuracy published after a restart = %v, want the stored %v", again.Value, acc.Value)
	}
	if n, _ := mon2.EstimateAll(t.Context()); n != 0 || len(rec2.estimates[key]) != 1 {
		t.Error("published again without new predictions")
	}
	if ests, _ := f.db.Estimates(t.Context(), key, 10); len(ests) != 2 {
		t.Fatalf("%d estimates stored after a restart, want still 2", len(ests))
	}
	// The labels arrive: the next estimate of the same chunk is checked.
	var ls []modelwatch.GroundTruth
	for _, p := range calibrated(rand.New(rand.NewPCG(9, 9)), 500, false, t0, "shift", true) {
		ls = append(ls, modelwatch.GroundTruth{ID: p.ID, GroundTruth: p.GroundTruth})
	}
	if _, err := f.db.AddGroundTruth(t.Context(), ls); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.IngestPredictions(t.Context(), calibrated(rng, 1, false, t0.Add(time.Hour), "one-more", false)); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.mon.EstimateAll(t.Context()); n != 1 {
		t.Fatal("no estimate after a new prediction")
	}
	last := f.rec.estimates[key][2]
	acc, _ = last.Metric("accuracy")
	if d, ok := acc.EstimationError(); !ok || math.Abs(d) > 0.1 {
		t.Errorf("estimation error once labelled = %v (%v), want within 0.1 of the realised accuracy %v", d, ok, acc.Realized)
	}
}
