package monitor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/dataset"
	"github.com/modelwatch/modelwatch/internal/estimatecli"
	"github.com/modelwatch/modelwatch/internal/metrics"
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

// errorGauges gathers model_estimation_error of key by metric.
func errorGauges(t *testing.T, reg *prometheus.Registry, k modelwatch.ModelKey) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "model_estimation_error" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["model_name"] == k.Name && l["model_version"] == k.Version {
				out[l["metric"]] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// TestEstimationLateLabels estimates a chunk that has no labels, then its
// labels arrive without any new prediction: the next pass stores its
// realised values and publishes model_estimation_error from it once at
// least half of it is labelled; a restarted process publishes it again.
func TestEstimationLateLabels(t *testing.T) {
	f := newFixture(t)
	reg := prometheus.NewRegistry()
	dm, err := metrics.NewDriftMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	mon := New(f.db, dm, Options{Now: f.clock.Now})
	rng := rand.New(rand.NewPCG(11, 12))
	start := t0.Add(-48 * time.Hour)
	if _, err := f.db.IngestPredictions(t.Context(), calibrated(rng, 3000, true, start, "ref", true)); err != nil {
		t.Fatal(err)
	}
	shifted := calibrated(rng, 500, false, t0, "shift", true) // truths drawn now, sent later
	unlabelled := slices.Clone(shifted)
	for i := range unlabelled {
		unlabelled[i].GroundTruth = ""
	}
	if _, err := f.db.IngestPredictions(t.Context(), unlabelled); err != nil {
		t.Fatal(err)
	}
	if n, err := mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll = %d, %v; want 1 estimate", n, err)
	}
	ests, err := f.db.Estimates(t.Context(), key, 10)
	if err != nil || len(ests) != 1 || ests[0].Labelled != 0 || ests[0].Rows != 500 || strings.Contains(string(ests[0].Result), "realized") {
		t.Fatalf("stored estimates = %+v, %v; want one of 500 rows without labels", ests, err)
	}
	if g := errorGauges(t, reg, key); len(g) != 0 {
		t.Fatalf("model_estimation_error = %v before any label, want none", g)
	}
	label := func(ps []modelwatch.Prediction) {
		t.Helper()
		var ls []modelwatch.GroundTruth
		for _, p := range ps {
			ls = append(ls, modelwatch.GroundTruth{ID: p.ID, GroundTruth: p.GroundTruth})
		}
		if _, err := f.db.AddGroundTruth(t.Context(), ls); err != nil {
			t.Fatal(err)
		}
	}

	// 200 labels: stored, but less than half of the chunk.
	label(shifted[:200])
	f.clock.Advance(time.Minute)
	if n, err := mon.EstimateAll(t.Context()); err != nil || n != 0 {
		t.Fatalf("EstimateAll after labels = %d, %v; want no new estimate", n, err)
	}
	if ests, _ = f.db.Estimates(t.Context(), key, 10); len(ests) != 1 || ests[0].Labelled != 200 {
		t.Fatalf("stored estimate after 200 labels: %+v", ests)
	}
	if g := errorGauges(t, reg, key); len(g) != 0 {
		t.Fatalf("model_estimation_error = %v with 200 of 500 labelled, want none", g)
	}

	// The rest of the labels, still no new prediction.
	label(shifted[200:])
	f.clock.Advance(time.Minute)
	if n, err := mon.EstimateAll(t.Context()); err != nil || n != 0 {
		t.Fatalf("EstimateAll after labels = %d, %v; want no new estimate", n, err)
	}
	ests, err = f.db.Estimates(t.Context(), key, 10)
	if err != nil || len(ests) != 1 || ests[0].Labelled != 500 || ests[0].Rows != 500 {
		t.Fatalf("stored estimate after every label: %+v, %v; want 500 of 500 labelled", ests, err)
	}
	var got estimate.ChunkResult
	if err := json.Unmarshal(ests[0].Result, &got); err != nil {
		t.Fatal(err)
	}
	correct := 0
	for _, p := range shifted {
		if p.GroundTruth == p.Prediction {
			correct++
		}
	}
	acc, _ := got.Metric("accuracy")
	if !acc.HasRealized || acc.Realized != float64(correct)/500 || acc.Value > 0.7 || !acc.Alert {
		t.Errorf("stored accuracy = %+v, want the estimate made before the labels (about 0.58, alert) and realised %v", acc, float64(correct)/500)
	}
	gauges := errorGauges(t, reg, key)
	if len(gauges) != 6 {
		t.Errorf("model_estimation_error = %v, want the 6 default metrics", gauges)
	}
	for _, r := range got.Metrics {
		d, ok := r.EstimationError()
		if g, published := gauges[r.Name]; !ok || !published || g != d {
			t.Errorf("model_estimation_error{metric=%q} = %v (published %v), want estimate − realised = %v − %v = %v",
				r.Name, g, published, r.Value, r.Realized, d)
		}
	}

	// A restarted process publishes the error of the stored chunk.
	reg2 := prometheus.NewRegistry()
	dm2, _ := metrics.NewDriftMetrics(reg2)
	if _, err := New(f.db, dm2, Options{Now: f.clock.Now}).EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if g := errorGauges(t, reg2, key); !maps.Equal(g, gauges) {
		t.Errorf("model_estimation_error after a restart = %v, want %v", g, gauges)
	}
	// A week later the chunk is no longer recent: no error is published.
	f.clock.Advance(8 * 24 * time.Hour)
	if _, err := mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if g := errorGauges(t, reg, key); len(g) != 0 {
		t.Errorf("model_estimation_error = %v for a chunk estimated 8 days ago, want none", g)
	}
}

// referenceFile returns n rows of a binary model's reference in the
// columns of modelwatch estimate (and a feature), calibrated as calibrated
// draws them, probabilities with four decimals.
func referenceFile(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("amount,y_pred_proba,y_pred,y_true\n")
	for range n {
		p := 0.05 + 0.9*float64(rng.IntN(2)) + (rng.Float64()-0.5)*0.1
		p = math.Round(p*1e4) / 1e4
		pred, truth := 0, 0
		if p >= 0.5 {
			pred = 1
		}
		if rng.Float64() < p {
			truth = 1
		}
		fmt.Fprintf(&b, "%.2f,%v,%d,%d\n", rng.ExpFloat64()*50, p, pred, truth)
	}
	return b.String()
}

// TestEstimationUploadedReference fits the estimator on an uploaded
// reference with the columns of modelwatch estimate, before any production
// prediction has a label, and gets what modelwatch estimate computes from
// the same files; falls back to the labelled predictions when the upload
// lacks the columns; and follows estimation.reference.
func TestEstimationUploadedReference(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(21, 22))
	refCSV := referenceFile(rng, 3000)
	put := func(k modelwatch.ModelKey, format, name, data string) {
		t.Helper()
		f.clock.Advance(time.Second) // a new upload time
		if err := f.db.PutReference(t.Context(), modelwatch.Reference{
			Model: k, Format: format, Filename: name, UploadedAt: f.clock.Now(), Rows: strings.Count(data, "\n"), Data: []byte(data),
		}); err != nil {
			t.Fatal(err)
		}
	}
	put(key, "csv", "validation.csv", refCSV)
	// Production traffic, shifted and unlabelled: nothing to fit on but the
	// uploaded reference.
	traffic := calibrated(rng, 500, false, t0, "live", false)
	if _, err := f.db.IngestPredictions(t.Context(), traffic); err != nil {
		t.Fatal(err)
	}
	if n, err := f.mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll with an uploaded reference and no label = %d, %v; want 1 estimate", n, err)
	}
	if st, msg := f.mon.EstimationStatus(key); st != "fitted" || !strings.Contains(msg, "fitted on the uploaded reference validation.csv (3000 rows)") {
		t.Errorf("status %q %q, want fitted on the uploaded reference", st, msg)
	}

	// The same as modelwatch estimate on the same reference and chunk.
	dir := t.TempDir()
	refPath, anaPath := filepath.Join(dir, "ref.csv"), filepath.Join(dir, "ana.csv")
	var ana strings.Builder
	ana.WriteString("y_pred_proba,y_pred\n")
	for _, p := range traffic {
		fmt.Fprintf(&ana, "%s,%s\n", strconv.FormatFloat(p.Probabilities["1"], 'g', -1, 64), p.Prediction)
	}
	if err := os.WriteFile(refPath, []byte(refCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(anaPath, []byte(ana.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := estimatecli.Run(t.Context(), estimatecli.Config{
		Reference: refPath, Analysis: anaPath, JSON: "-", ChunkSize: 500,
		Columns: estimatecli.Columns{YPredProba: "y_pred_proba", ProbaPrefix: "proba_", YPred: "y_pred", YTrue: "y_true"},
	}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var doc estimatecli.Document
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := doc.Chunks[len(doc.Chunks)-1]
	got := f.rec.estimates[key][0]
	if len(got.Metrics) != len(want.Metrics) {
		t.Fatalf("server metrics %d, modelwatch estimate %d", len(got.Metrics), len(want.Metrics))
	}
	for i, w := range want.Metrics {
		g := got.Metrics[i]
		for _, v := range [][3]any{
			{"value", g.Value, w.Value},
			{"sampling_error", g.SamplingError, w.SamplingError},
			{"lower_threshold", g.LowerThreshold, w.LowerThreshold},
			{"upper_threshold", g.UpperThreshold, w.UpperThreshold},
		} {
			if a, b := v[1].(float64), v[2].(float64); math.Abs(a-b) > 1e-12 && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Errorf("%s %s = %v in the server, %v by modelwatch estimate", w.Name, v[0], a, b)
			}
		}
	}

	// estimation.reference: production ignores the upload (and waits for
	// labelled predictions), uploaded needs it.
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{Estimation: modelwatch.EstimationSettings{Reference: "production"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, msg := f.mon.EstimationStatus(key); st != "waiting" || !strings.Contains(msg, "waiting for 3000 labelled predictions") || strings.Contains(msg, "uploaded") {
		t.Errorf("reference production: status %q %q", st, msg)
	}
	if err := f.db.PutModelSettings(t.Context(), key, modelwatch.ModelSettings{Estimation: modelwatch.EstimationSettings{Reference: "newest"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, msg := f.mon.EstimationStatus(key); st != "unavailable" || !strings.Contains(msg, `estimation.reference "newest": want auto, uploaded or production`) {
		t.Errorf("reference newest: status %q %q", st, msg)
	}

	// Another version uploaded features only: its first labelled
	// predictions are the reference, and the status says why.
	other := modelwatch.ModelKey{Name: key.Name, Version: "v3"}
	put(other, "csv", "train.csv", string(referenceCSV(100)))
	ps := calibrated(rng, 3500, true, t0.Add(-time.Hour), "o", true)
	for i := range ps {
		ps[i].ModelVersion = other.Version
	}
	if _, err := f.db.IngestPredictions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	if n, err := f.mon.EstimateAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("EstimateAll with a features-only upload = %d, %v", n, err)
	}
	if st, msg := f.mon.EstimationStatus(other); st != "fitted" ||
		!strings.Contains(msg, "fitted on the first 3000 labelled predictions; the uploaded reference is not used: it has no y_pred_proba column and fewer than two proba_<class> columns") {
		t.Errorf("features-only upload: status %q %q", st, msg)
	}
	if err := f.db.PutModelSettings(t.Context(), other, modelwatch.ModelSettings{Estimation: modelwatch.EstimationSettings{Reference: "uploaded"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, msg := f.mon.EstimationStatus(other); st != "unavailable" || !strings.Contains(msg, "the uploaded reference cannot be used: it has no y_pred_proba column") {
		t.Errorf("reference uploaded with a features-only upload: status %q %q", st, msg)
	}
	// A bad value in an upload with the columns is reported, not skipped.
	lines := strings.Split(refCSV, "\n")
	lines[7] = "1.00,1.5,1,1"
	put(other, "csv", "bad.csv", strings.Join(lines, "\n"))
	if _, err := f.mon.EstimateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, msg := f.mon.EstimationStatus(other); st != "unavailable" || !strings.Contains(msg, "the uploaded reference bad.csv: row 7: column y_pred_proba: 1.5 is not a probability in [0, 1]") {
		t.Errorf("upload with a bad probability: status %q %q", st, msg)
	}
}

func TestReferencePredictions(t *testing.T) {
	read := func(format, data string) *dataset.Table {
		t.Helper()
		tab, err := ParseReference(format, []byte(data), modelwatch.ModelSettings{})
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	show := func(ps []modelwatch.Prediction) string {
		var parts []string
		for _, p := range ps {
			keys := slices.Sorted(maps.Keys(p.Probabilities))
			var probs []string
			for _, k := range keys {
				probs = append(probs, fmt.Sprintf("%s=%v", k, p.Probabilities[k]))
			}
			parts = append(parts, fmt.Sprintf("%s/%s{%s}", p.Prediction, p.GroundTruth, strings.Join(probs, " ")))
		}
		return strings.Join(parts, " ")
	}
	for _, c := range []struct {
		name, format, data string
		s                  modelwatch.EstimationSettings
		want, unused, err  string
	}{
		{
			name: "binary 0/1", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.75,1,0\n0.25,0.0,1\n",
			want: "1/0{0=0.25 1=0.75} 0/1{0=0.75 1=0.25}",
		},
		{
			name: "booleans as JSON sends them", format: "ndjson", data: `{"y_pred_proba": 0.5, "y_pred": true, "y_true": false}` + "\n" + `{"y_pred_proba": 0.25, "y_pred": false, "y_true": false}` + "\n",
			want: "true/false{false=0.5 true=0.5} false/false{false=0.75 true=0.25}",
		},
		{
			name: "names: the second class is positive", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.9,yes,yes\n0.2,no,yes\n",
			want: "yes/yes{no=0.09999999999999998 yes=0.9} no/yes{no=0.8 yes=0.2}",
		},
		{
			name: "positive_class setting", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.9,no,yes\n", s: modelwatch.EstimationSettings{PositiveClass: "no"},
			want: "no/yes{no=0.9 yes=0.09999999999999998}",
		},
		{
			name: "multiclass", format: "csv", data: "proba_cat,proba_dog,y_pred,y_true,x\n0.5,0.5,dog,cat,1\n",
			want: "dog/cat{cat=0.5 dog=0.5}",
		},
		{
			name: "features only", format: "csv", data: "a,b\n1,2\n",
			unused: "no y_pred_proba column and fewer than two proba_<class> columns",
		},
		{name: "no truth", format: "csv", data: "y_pred_proba,y_pred\n0.5,1\n", unused: "no y_true column"},
		{name: "no prediction", format: "csv", data: "proba_a,proba_b,y_true\n0.5,0.5,a\n", unused: "no y_pred column"},
		{name: "unlabelled row", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.5,1,1\n0.5,1,\n", err: "row 2: column y_true: missing"},
		{name: "three classes, one probability", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.5,1,2\n0.5,0,1\n", err: "must hold two classes, not 3 (0, 1, 2)"},
		{name: "class without a column", format: "csv", data: "proba_a,proba_b,y_pred,y_true\n0.5,0.5,a,c\n", err: `row 1: column y_true: "c" is not one of the classes a, b`},
		{name: "text probability", format: "csv", data: "y_pred_proba,y_pred,y_true\nhigh,1,0\n", err: "column y_pred_proba: not numeric"},
		{name: "unknown positive class", format: "csv", data: "y_pred_proba,y_pred,y_true\n0.5,1,0\n", s: modelwatch.EstimationSettings{PositiveClass: "yes"}, err: `positive_class "yes"`},
	} {
		ps, unused, err := referencePredictions(read(c.format, c.data), c.s)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
			}
		case c.unused != "":
			if !strings.Contains(unused, c.unused) || err != nil {
				t.Errorf("%s: unused %q, %v; want %q", c.name, unused, err, c.unused)
			}
		case err != nil || unused != "" || show(ps) != c.want:
			t.Errorf("%s: %s (%q, %v), want %s", c.name, show(ps), unused, err, c.want)
		}
	}
}
