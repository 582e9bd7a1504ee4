package sdk

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// full returns a prediction with every field set.
func full() modelwatch.Prediction {
	conf, pre, inf, post, total := 0.875, 1.5, 12.25, 0.125, 14.0
	return modelwatch.Prediction{
		ID:            "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		ModelName:     "churn",
		ModelVersion:  "v1.2.3",
		Timestamp:     time.Date(2026, 11, 26, 8, 30, 15, 123456789, time.UTC),
		Features:      modelwatch.Features(`{"tenure":12,"plan":"two-year","churned_before":false,"zip":null}`),
		Prediction:    "churn",
		Confidence:    &conf,
		Probabilities: map[string]float64{"stay": 0.125, "churn": 0.875, "unknown": 1e-9},
		Latency:       modelwatch.Latency{PreprocessingMs: &pre, InferenceMs: &inf, PostprocessingMs: &post},
		LatencyMs:     &total,
		GroundTruth:   "stay",
		LabelledAt:    time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
	}
}

// TestFullPredictionSetsEveryField guards TestAppendPredictionMatchesJSON: a
// field added to modelwatch.Prediction must be set in full() and so be
// compared with encoding/json's output.
func TestFullPredictionSetsEveryField(t *testing.T) {
	p := full()
	for _, v := range []reflect.Value{reflect.ValueOf(p), reflect.ValueOf(p.Latency)} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("full() leaves %s.%s zero: set it so that its encoding is checked", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}

// TestAppendPredictionMatchesJSON compares the hand-written encoder with
// encoding/json byte for byte.
func TestAppendPredictionMatchesJSON(t *testing.T) {
	sparse := modelwatch.Prediction{ModelName: "m", ModelVersion: "1", Prediction: "1"}
	onlyInference := sparse
	onlyInference.Latency.InferenceMs = new(3.0)
	indented := full()
	indented.Features = modelwatch.Features("{\n  \"tenure\": 12,\n  \"plan\": \"two year\"\n}")
	var keys []string
	for name, p := range map[string]modelwatch.Prediction{
		"full": full(), "sparse": sparse, "only inference": onlyInference, "indented features": indented,
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		got := appendPrediction(nil, &p, &keys)
		if string(got) != string(want) {
			t.Errorf("%s:\nappendPrediction = %s\njson.Marshal     = %s", name, got, want)
		}
	}
}

func TestAppendGroundTruthAndErrorMatchJSON(t *testing.T) {
	g := modelwatch.GroundTruth{ID: "p-1", GroundTruth: `a "quoted" <label>`}
	e := modelwatch.PredictionError{ModelName: "churn", ModelVersion: "v1", ErrorType: "ValueError\n"}
	for _, tc := range []struct {
		got []byte
		v   any
	}{
		{appendGroundTruth(nil, &g), g},
		{appendPredictionError(nil, &e), e},
	} {
		want, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(tc.got) != string(want) {
			t.Errorf("encoded %s, json.Marshal %s", tc.got, want)
		}
	}
}

func TestAppendStringMatchesJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and backslash \`, "tab\tnewline\nreturn\r", "\b\f\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "line\u2028para\u2029", "invalid \xff\xfe utf-8 \xc3", "émoji 🙂 ünïcödé",
		strings.Repeat("ä", 300),
	} {
		checkString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

func checkString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendString(nil, s); string(got) != string(want) {
		t.Errorf("appendString(%q) = %s, json.Marshal = %s", s, got, want)
	}
}

func TestAppendFloatMatchesJSON(t *testing.T) {
	for _, f := range []float64{
		0, 1, -1, 0.1, 1.0 / 3, 123456.789, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 1.5e300, -2.5e-12,
		math.SmallestNonzeroFloat64, math.MaxFloat64, 14.000000000000002,
	} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, json.Marshal = %s", f, got, want)
		}
	}
}

// TestAppendPredictionDoesNotAllocate checks the encoder once its buffers
// have grown.
func TestAppendPredictionDoesNotAllocate(t *testing.T) {
	p := full()
	buf := make([]byte, 0, 4096)
	keys := make([]string, 0, 8)
	if n := testing.AllocsPerRun(100, func() { buf = appendPrediction(buf[:0], &p, &keys) }); n != 0 {
		t.Errorf("appendPrediction allocates %v times per call, want 0", n)
	}
}

// TestCheckPrediction checks the client-side validation.
func TestCheckPrediction(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(p *modelwatch.Prediction)
		field string
	}{
		{"valid", func(*modelwatch.Prediction) {}, ""},
		{"no model", func(p *modelwatch.Prediction) { p.ModelName = "" }, "model_name"},
		{"no prediction", func(p *modelwatch.Prediction) { p.Prediction = "" }, "prediction"},
		{"confidence", func(p *modelwatch.Prediction) { p.Confidence = new(math.NaN()) }, "confidence"},
		{"latency", func(p *modelwatch.Prediction) { p.Latency.InferenceMs = new(-1.0) }, "latency.inference_ms"},
		{"features not an object", func(p *modelwatch.Prediction) { p.Features = modelwatch.Features(`[1]`) }, "features"},
		{"nested feature", func(p *modelwatch.Prediction) { p.Features = modelwatch.Features(`{"a":{"b":1}}`) }, "features.a"},
		{"broken features", func(p *modelwatch.Prediction) { p.Features = modelwatch.Features(`{"a":`) }, "features"},
		{"before 1970", func(p *modelwatch.Prediction) { p.Timestamp = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, "timestamp"},
	} {
		p := full()
		tc.edit(&p)
		problems := checkPrediction(&p)
		switch {
		case tc.field == "" && len(problems) > 0:
			t.Errorf("%s: checkPrediction = %v, want nothing", tc.name, problems)
		case tc.field != "" && (len(problems) != 1 || problems[0].Field != tc.field):
			t.Errorf("%s: checkPrediction = %v, want one problem with %s", tc.name, problems, tc.field)
		}
	}
}
