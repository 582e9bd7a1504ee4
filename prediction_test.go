package modelwatch

import (
	"encoding/json"
	"math"
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
