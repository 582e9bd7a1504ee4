package estimate

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// synthetic returns n rows of a binary model whose labels are drawn from
// its scores, so the scores are perfectly calibrated; shift > 0 moves the
// scores towards 0.5, where the model is least sure.
func synthetic(r *rand.Rand, n int, shift float64, labelled bool) Data {
	d := Data{Scores: [][]float64{make([]float64, n)}, Pred: make([]int, n), Label: make([]int, n)}
	for i := range n {
		p := r.Float64()
		p = p + shift*(0.5-p)
		d.Scores[0][i] = p
		if p >= 0.5 {
			d.Pred[i] = 1
		}
		d.Label[i] = NoLabel
		if labelled {
			d.Label[i] = 0
			if r.Float64() < p {
				d.Label[i] = 1
			}
		}
	}
	return d
}

// syntheticMulticlass returns n rows of a calibrated three-class model.
func syntheticMulticlass(r *rand.Rand, n int) Data {
	d := Data{Scores: make([][]float64, 3), Pred: make([]int, n), Label: make([]int, n)}
	for k := range d.Scores {
		d.Scores[k] = make([]float64, n)
	}
	for i := range n {
		w := []float64{r.ExpFloat64(), r.ExpFloat64(), r.ExpFloat64()}
		s := w[0] + w[1] + w[2]
		for k := range w {
			d.Scores[k][i] = w[k] / s
		}
		u, acc := r.Float64(), 0.0
		d.Label[i] = 2
		for k := range 2 {
			if acc += d.Scores[k][i]; u < acc {
				d.Label[i] = k
				break
			}
		}
		for k := 1; k < 3; k++ {
			if d.Scores[k][i] > d.Scores[d.Pred[i]][i] {
				d.Pred[i] = k
			}
		}
	}
	return d
}

func TestEstimatesStayInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, mc := range []bool{false, true} {
		for _, cal := range []Calibration{CalibrateAuto, CalibrateAlways, CalibrateNever} {
			ref := synthetic(r, 3000, 0, true)
			ana := synthetic(r, 2000, 0.6, false)
			if mc {
				ref, ana = syntheticMulticlass(r, 3000), syntheticMulticlass(r, 2000)
			}
			e, err := Fit(ref, Options{Metrics: AllMetrics(), Calibration: cal, Chunker: SizeChunker{Size: 300}, Normalize: NormalizeAll})
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Run(ana)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range append(e.Reference(), res...) {
				for _, m := range c.Metrics {
					for name, v := range map[string]float64{"value": m.Value, "lower_confidence_boundary": m.LowerConfidenceBoundary, "upper_confidence_boundary": m.UpperConfidenceBoundary} {
						if math.IsNaN(v) || v < 0 || v > 1 {
							t.Errorf("multiclass=%v calibration=%v %s %s %s = %v, want in [0, 1]", mc, cal, c.Key, m.Name, name, v)
						}
					}
					if m.SamplingError < 0 || math.IsNaN(m.SamplingError) {
						t.Errorf("%s %s sampling error = %v", c.Key, m.Name, m.SamplingError)
					}
				}
			}
		}
	}
}

func TestCalibratedDataEstimatesRealisedValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, mc := range []bool{false, true} {
		ref, ana := synthetic(r, 20000, 0, true), synthetic(r, 20000, 0.3, true)
		if mc {
			ref, ana = syntheticMulticlass(r, 20000), syntheticMulticlass(r, 20000)
		}
		e, err := Fit(ref, Options{Metrics: AllMetrics(), Calibration: CalibrateNever, Chunker: SizeChunker{Size: 5000}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Run(ana)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res {
			for _, m := range c.Metrics {
				// The realised value is one draw around the expectation: allow
				// four sampling errors.
				if d := math.Abs(m.Value - m.Realized); d > 4*m.SamplingError {
					t.Errorf("multiclass=%v %s %s: estimate %v, realised %v: |Δ| = %v > 4·SE = %v", mc, c.Key, m.Name, m.Value, m.Realized, d, 4*m.SamplingError)
				}
			}
		}
	}
}

func TestCovariateShiftLowersEstimateBeforeLabels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	e, err := Fit(synthetic(r, 5000, 0, true), Options{Chunker: SizeChunker{Size: 500}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(synthetic(r, 1000, 0.7, false))
	if err != nil {
		t.Fatal(err)
	}
	lower, _, _ := e.Thresholds("accuracy")
	for _, c := range res {
		acc, _ := c.Metric("accuracy")
		if acc.HasRealized || c.Labelled != 0 {
			t.Fatalf("%s: has labels", c.Key)
		}
		if !acc.Alert || acc.Value >= lower {
			t.Errorf("%s: estimated accuracy %v, lower threshold %v, alert %v: want an alert", c.Key, acc.Value, lower, acc.Alert)
		}
	}
	ref := e.Reference()
	for _, c := range ref {
		if acc, _ := c.Metric("accuracy"); acc.Alert {
			t.Errorf("reference %s: accuracy %v alerts", c.Key, acc.Value)
		}
	}
}

func TestConstantProbabilities(t *testing.T) {
	n := 1000
	d := Data{Scores: [][]float64{make([]float64, n)}, Pred: make([]int, n), Label: make([]int, n)}
	for i := range n {
		d.Scores[0][i] = 0.3
		if i%10 < 3 {
			d.Label[i] = 1
		}
	}
	e, err := Fit(d, Options{Metrics: AllMetrics()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"accuracy": 0.7, "roc_auc": 0.5, "precision": 0, "recall": 0, "f1": 0, "specificity": 1}
	for name, w := range want {
		m, _ := res.Metric(name)
		if !near(m.Value, w, 1e-12) {
			t.Errorf("constant 0.3, predicted 0: %s = %v, want %v", name, m.Value, w)
		}
	}
}

func TestSingleClassChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	e, err := Fit(synthetic(r, 2000, 0, true), Options{Metrics: AllMetrics()})
	if err != nil {
		t.Fatal(err)
	}
	d := synthetic(r, 200, 0, true)
	for i := range d.Label {
		d.Label[i] = 1
	}
	res, err := e.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"roc_auc", "precision", "recall", "f1", "specificity"} {
		m, _ := res.Metric(name)
		if !m.HasRealized || !math.IsNaN(m.Realized) {
			t.Errorf("all labels 1: realised %s = %v (has %v), want NaN", name, m.Realized, m.HasRealized)
		}
		if math.IsNaN(m.Value) {
			t.Errorf("all labels 1: estimated %s is NaN", name)
		}
	}
	for _, name := range []string{"accuracy", "average_precision", "true_positive"} {
		if m, _ := res.Metric(name); math.IsNaN(m.Realized) {
			t.Errorf("all labels 1: realised %s is NaN, want a value", name)
		}
	}
}

func TestEmptyChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	e, err := Fit(synthetic(r, 1000, 0, true), Options{Metrics: AllMetrics()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Estimate(Data{Scores: [][]float64{{}}, Pred: []int{}}); err == nil {
		t.Error("Estimate(no rows): no error")
	}
	res, err := e.Run(Data{Scores: [][]float64{{}}, Pred: []int{}})
	if err == nil && len(res) != 0 {
		t.Errorf("Run(no rows) = %d chunks", len(res))
	}
	// An empty chunk, which no chunker makes, gives NaN everywhere.
	got := e.estimateChunks(Data{Scores: [][]float64{{}}}, []Chunk{{Key: "[0:-1]", Start: 0, End: -1}}, "analysis")
	for _, m := range got[0].Metrics {
		if !math.IsNaN(m.Value) || !math.IsNaN(m.SamplingError) || m.Alert || m.HasRealized {
			t.Errorf("empty chunk %s = %+v, want NaN and no alert", m.Name, m)
		}
	}
}

func TestFitDoesNotMutateInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ref := synthetic(r, 1000, 0, true)
	ref.Time = nil
	scores, pred, label := slices.Clone(ref.Scores[0]), slices.Clone(ref.Pred), slices.Clone(ref.Label)
	e, err := Fit(ref, Options{Calibration: CalibrateAlways})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ref); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scores, ref.Scores[0]) || !slices.Equal(pred, ref.Pred) || !slices.Equal(label, ref.Label) {
		t.Error("Fit or Run changed the data")
	}
}

func TestBadInputNamesRowAndField(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	good := func() Data { return synthetic(r, 100, 0, true) }
	cases := map[string]struct {
		edit  func(*Data)
		row   int
		field string
	}{
		"score above 1": {func(d *Data) { d.Scores[0][3] = 1.5 }, 3, "scores[0]"},
		"NaN score":     {func(d *Data) { d.Scores[0][7] = math.NaN() }, 7, "scores[0]"},
		"bad pred":      {func(d *Data) { d.Pred[5] = 2 }, 5, "pred"},
		"missing label": {func(d *Data) { d.Label[9] = NoLabel }, 9, "label"},
		"bad label":     {func(d *Data) { d.Label[2] = -7 }, 2, "label"},
	}
	for name, c := range cases {
		d := good()
		c.edit(&d)
		_, err := Fit(d, Options{})
		var re *RowError
		if !errors.As(err, &re) || re.Row != c.row || re.Field != c.field {
			t.Errorf("%s: Fit error %v, want row %d field %s", name, err, c.row, c.field)
		}
	}
	for name, d := range map[string]Data{
		"no scores":       {},
		"no predictions":  {Scores: [][]float64{{0.5}}, Label: []int{1}},
		"length mismatch": {Scores: [][]float64{{0.5, 0.2}}, Pred: []int{1}, Label: []int{1, 0}},
	} {
		if _, err := Fit(d, Options{}); err == nil {
			t.Errorf("%s: Fit: no error", name)
		}
	}
	e, err := Fit(good(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Estimate(Data{Scores: [][]float64{{0.5}, {0.5}}, Pred: []int{1}}); err == nil {
		t.Error("Estimate with two score columns on a binary estimator: no error")
	}
}

func TestRepeatedNames(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	e, err := Fit(synthetic(r, 500, 0, true), Options{Metrics: []Metric{F1, Accuracy, F1}})
	if err != nil || !slices.Equal(e.Components(), []string{"f1", "accuracy"}) {
		t.Errorf("repeated metric: components %v, %v", e.Components(), err)
	}
	if _, err := Fit(syntheticMulticlass(r, 500), Options{Classes: []string{"a", "b", "a"}}); err == nil {
		t.Error("repeated class name: no error")
	}
}

func TestMulticlassNeedsEveryClassInReference(t *testing.T) {
	d := Data{
		Scores: [][]float64{{0.7, 0.6, 0.2, 0.1}, {0.2, 0.3, 0.7, 0.8}, {0.1, 0.1, 0.1, 0.1}},
		Pred:   []int{0, 0, 1, 1}, Label: []int{0, 0, 1, 1},
	}
	if _, err := Fit(d, Options{Classes: []string{"a", "b", "c"}, Chunker: SizeChunker{Size: 2}}); err == nil {
		t.Error("Fit without class c among the labels: no error")
	}
}

func TestOnlyRankingMetricsNeedNoPredictions(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	ref := synthetic(r, 1000, 0, true)
	ref.Pred = nil
	e, err := Fit(ref, Options{Metrics: []Metric{ROCAUC, AveragePrecision}})
	if err != nil {
		t.Fatal(err)
	}
	ana := synthetic(r, 500, 0, false)
	ana.Pred = nil
	if _, err := e.Run(ana); err != nil {
		t.Error(err)
	}
}

func TestParseMetrics(t *testing.T) {
	got, err := ParseMetrics(" roc_auc,f1,,roc_auc ,accuracy")
	if err != nil || !slices.Equal(got, []Metric{ROCAUC, F1, Accuracy}) {
		t.Errorf("ParseMetrics = %v, %v", got, err)
	}
	for _, s := range []string{"", "auc", "f1,business_value"} {
		if _, err := ParseMetrics(s); err == nil {
			t.Errorf("ParseMetrics(%q): no error", s)
		}
	}
}

func TestEstimationError(t *testing.T) {
	m := MetricResult{Value: 0.8, Realized: 0.75, HasRealized: true}
	if d, ok := m.EstimationError(); !ok || !near(d, 0.05, 1e-15) {
		t.Errorf("EstimationError = %v, %v, want 0.05, true", d, ok)
	}
	m.HasRealized = false
	if _, ok := m.EstimationError(); ok {
		t.Error("EstimationError without labels: ok")
	}
}

func TestEstimatorIsSafeForConcurrentUse(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	e, err := Fit(syntheticMulticlass(r, 3000), Options{Metrics: AllMetrics(), Chunker: SizeChunker{Size: 500}})
	if err != nil {
		t.Fatal(err)
	}
	chunks := make([]Data, 8)
	want := make([][]byte, len(chunks))
	for i := range chunks {
		chunks[i] = syntheticMulticlass(r, 700)
		res, err := e.Estimate(chunks[i])
		if err != nil {
			t.Fatal(err)
		}
		want[i], _ = json.Marshal(res)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range chunks {
				i := (k + g) % len(chunks)
				res, err := e.Estimate(chunks[i])
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := json.Marshal(res); string(got) != string(want[i]) {
					t.Errorf("goroutine %d chunk %d: result differs", g, i)
				}
			}
		})
	}
	wg.Wait()
}
