package modelwatch

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestPredictionValidate(t *testing.T) {
	valid := Prediction{ModelName: "m", ModelVersion: "v1", Prediction: "x", Confidence: new(0.5)}
	if errs := valid.Validate(); errs != nil {
		t.Fatalf("valid prediction: %v", errs)
	}
	cases := []struct {
		name  string
		edit  func(p *Prediction)
		field string
	}{
		{"no model", func(p *Prediction) { p.ModelName = "" }, "model_name"},
		{"slash", func(p *Prediction) { p.ModelVersion = "a/b" }, "model_version"},
		{"control char", func(p *Prediction) { p.ModelName = "a\nb" }, "model_name"},
		{"long id", func(p *Prediction) { p.ID = strings.Repeat("x", 129) }, "id"},
		{"no prediction", func(p *Prediction) { p.Prediction = "" }, "prediction"},
		{"confidence > 1", func(p *Prediction) { p.Confidence = new(1.01) }, "confidence"},
		{"confidence NaN", func(p *Prediction) { p.Confidence = new(math.NaN()) }, "confidence"},
		{"probability", func(p *Prediction) { p.Probabilities = map[string]float64{"x": -0.1} }, "probabilities.x"},
		{"long model name", func(p *Prediction) { p.ModelName = strings.Repeat("n", MaxNameLength+1) }, "model_name"},
		{"long model version", func(p *Prediction) { p.ModelVersion = strings.Repeat("v", MaxNameLength+1) }, "model_version"},
		{"too many classes", func(p *Prediction) { p.Probabilities = classes(MaxClasses+1, 1, 2) }, "probabilities"},
		{"long class", func(p *Prediction) { p.Probabilities = map[string]float64{strings.Repeat("c", MaxLabelLength+1): 0.5} }, "probabilities"},
		{"empty class", func(p *Prediction) { p.Probabilities = map[string]float64{"": 0.5} }, "probabilities"},
		{"negative latency", func(p *Prediction) { p.Latency.InferenceMs = new(-1.0) }, "latency.inference_ms"},
		{"infinite latency", func(p *Prediction) { p.LatencyMs = new(math.Inf(1)) }, "latency_ms"},
	}
	for _, c := range cases {
		p := valid
		c.edit(&p)
		errs := p.Validate()
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%s: Validate() = %v, want one error on %s", c.name, errs, c.field)
		}
	}
}

// classes returns n probabilities, with class names of size bytes (or more
// when n needs them), all of value v.
func classes(n, size int, v float64) map[string]float64 {
	m := make(map[string]float64, n)
	for i := range n {
		name := strconv.Itoa(i)
		m[strings.Repeat("c", max(0, size-len(name)))+name] = v
	}
	return m
}

// TestPredictionLimits checks that each limit admits its boundary value and
// that the error over it says which limit.
func TestPredictionLimits(t *testing.T) {
	p := Prediction{
		ModelName: strings.Repeat("n", MaxNameLength), ModelVersion: strings.Repeat("v", MaxNameLength),
		Prediction: "x", Probabilities: classes(MaxClasses, MaxLabelLength, 0.001),
	}
	if errs := p.Validate(); errs != nil {
		t.Fatalf("names of %d bytes and %d classes of %d bytes: %v", MaxNameLength, MaxClasses, MaxLabelLength, errs)
	}
	p.Probabilities = classes(MaxClasses+1, 1, 2) // the values are not checked past the cap
	if errs := p.Validate(); len(errs) != 1 || errs[0].Message != "has 1001 classes, more than the limit of 1000" {
		t.Errorf("1001 classes: %v", errs)
	}
	long := strings.Repeat("é", 129) // 258 bytes
	p.Probabilities = map[string]float64{long: 0.5, "b": 2, "a": -1}
	errs := p.Validate()
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	if len(errs) != 3 || !strings.Contains(errs[2].Message, "class name of 258 bytes, longer than 256") || strings.Join(got, " ") != "probabilities.a probabilities.b probabilities" {
		t.Errorf("a long class and two bad values: %v, want them in class order", errs)
	}

	e := PredictionError{ModelName: "m", ModelVersion: "v", ErrorType: strings.Repeat("e", MaxLabelLength)}
	if errs := e.Validate(); errs != nil {
		t.Errorf("error_type of %d bytes: %v", MaxLabelLength, errs)
	}
	e.ErrorType += "e"
	if errs := e.Validate(); len(errs) != 1 || errs[0].Field != "error_type" || !strings.Contains(errs[0].Message, "at most 256 bytes") {
		t.Errorf("error_type of %d bytes: %v", MaxLabelLength+1, errs)
	}
	e = PredictionError{ModelName: strings.Repeat("n", MaxNameLength+1), ModelVersion: strings.Repeat("v", MaxNameLength+1), ErrorType: "timeout"}
	if errs := e.Validate(); len(errs) != 2 || errs[0].Field != "model_name" || errs[1].Field != "model_version" || errs[0].Message != "is longer than 128 bytes" {
		t.Errorf("names of %d bytes: %v", MaxNameLength+1, errs)
	}
}

func TestPredictionTotalAndConfidence(t *testing.T) {
	p := Prediction{Latency: Latency{PreprocessingMs: new(1.0), InferenceMs: new(2.5)}}
	if ms, ok := p.Total(); !ok || ms != 3.5 {
		t.Errorf("Total() = %v, %v; want the sum 3.5", ms, ok)
	}
	p.LatencyMs = new(10.0)
	if ms, _ := p.Total(); ms != 10 {
		t.Errorf("Total() with latency_ms = %v, want 10", ms)
	}
	if _, ok := (&Prediction{}).Total(); ok {
		t.Error("Total() of nothing measured is ok")
	}
	q := Prediction{Probabilities: map[string]float64{"a": 0.2, "b": 0.7, "c": 0.1}}
	if c, ok := q.EffectiveConfidence(); !ok || c != 0.7 {
		t.Errorf("EffectiveConfidence() = %v, %v; want the largest probability", c, ok)
	}
}

func TestPredictionJSON(t *testing.T) {
	f, err := FeaturesOf(map[string]any{"age": 42, "plan": "gold"})
	if err != nil {
		t.Fatal(err)
	}
	p := Prediction{ID: "1", ModelName: "m", ModelVersion: "v", Prediction: "1", Features: f, Confidence: new(0.9)}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"1","model_name":"m","model_version":"v","features":{"age":42,"plan":"gold"},"prediction":"1","confidence":0.9}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s\nwant %s", b, want)
	}
	var back Prediction
	if err := json.Unmarshal([]byte(`{"model_name":"m","model_version":"v","prediction":1.0,"features":{ "a" : 1 }}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Prediction != "1" || string(back.Features) != `{"a":1}` {
		t.Errorf("json.Unmarshal: prediction %q features %s", back.Prediction, back.Features)
	}
	if err := json.Unmarshal([]byte(`{"features":[1]}`), &back); err == nil {
		t.Error("json.Unmarshal accepted array features")
	}
}
