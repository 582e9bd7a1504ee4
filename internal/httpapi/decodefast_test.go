package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// decoded is what decodeRecords passed to its callback for one record,
// written out so that two decodings compare as text: pointers followed,
// -0 told from 0, nil told from empty.
func decoded[T any](body []byte, f format, fast bool) []string {
	var out []string
	decodeRecordsWith(body, f, fast, func(index, line int, v *T, bad *modelwatch.FieldError) {
		out = append(out, fmt.Sprintf("%d/%d %s bad=%s", index, line, describe(v), describeBad(bad)))
	})
	return out
}

func describeBad(bad *modelwatch.FieldError) string {
	if bad == nil {
		return "nil"
	}
	return fmt.Sprintf("{index %d line %d field %q: %s}", bad.Index, bad.Line, bad.Field, bad.Message)
}

func describeFloat(f *float64) string {
	if f == nil {
		return "nil"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

func describeRaw(b []byte) string {
	if b == nil {
		return "nil"
	}
	return strconv.Quote(string(b))
}

func describe(v any) string {
	switch v := v.(type) {
	case *wirePrediction:
		if v == nil {
			return "nil"
		}
		lat := "nil"
		if v.Latency != nil {
			lat = describeFloat(v.Latency.PreprocessingMs) + "," + describeFloat(v.Latency.InferenceMs) + "," + describeFloat(v.Latency.PostprocessingMs)
		}
		probs := "nil"
		if v.Probabilities != nil {
			var kv []string
			for _, k := range slices.Sorted(maps.Keys(v.Probabilities)) {
				kv = append(kv, strconv.Quote(k)+":"+strconv.FormatFloat(v.Probabilities[k], 'g', -1, 64))
			}
			probs = "{" + strings.Join(kv, ",") + "}"
		}
		return fmt.Sprintf("id=%q name=%q version=%q ts=%s features=%s prediction=%s confidence=%s probs=%s latency=%s latency_ms=%s truth=%s",
			v.ID, v.ModelName, v.ModelVersion, describeRaw(v.Timestamp), describeRaw(v.Features), describeRaw(v.Prediction),
			describeFloat(v.Confidence), probs, lat, describeFloat(v.LatencyMs), describeRaw(v.GroundTruth))
	case *wireGroundTruth:
		if v == nil {
			return "nil"
		}
		return fmt.Sprintf("id=%q truth=%s", v.ID, describeRaw(v.Raw))
	}
	panic(fmt.Sprintf("describe %T", v))
}

// converted is what the ingest handler makes of body's records with
// limits lim (predictions, written out like decoded, and the problems
// found), with or without the fast decoders. Server-assigned ids are
// written as "new".
func converted(body []byte, f format, fast bool, lim limits) []string {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	var out []string
	var errs []modelwatch.FieldError
	decodeRecordsWith(body, f, fast, func(index, line int, w *wirePrediction, bad *modelwatch.FieldError) {
		if bad != nil {
			errs = append(errs, *bad)
			return
		}
		id := w.ID
		var p modelwatch.Prediction
		p, errs = toPrediction(w, index, line, now, lim, errs)
		if id == "" {
			p.ID = "new"
		}
		lat := describeFloat(p.Latency.PreprocessingMs) + "," + describeFloat(p.Latency.InferenceMs) + "," + describeFloat(p.Latency.PostprocessingMs)
		out = append(out, fmt.Sprintf("%q %q %q %s %s %q confidence=%s probs=%v latency=%s total=%s truth=%q",
			p.ID, p.ModelName, p.ModelVersion, p.Timestamp.Format(time.RFC3339Nano), describeRaw(p.Features), p.Prediction,
			describeFloat(p.Confidence), p.Probabilities, lat, describeFloat(p.LatencyMs), p.GroundTruth))
	})
	for _, e := range errs {
		out = append(out, describeBad(&e))
	}
	return out
}

// checkSame checks that body decodes alike with and without the fast
// decoders, in both formats, as predictions and as ground truth.
func checkSame(t *testing.T, body []byte) {
	t.Helper()
	for _, f := range []format{formatJSON, formatNDJSON} {
		for _, lim := range []limits{{maxFeatures: 1000, maxFeatureBytes: 4096}, {maxFeatures: 2, maxFeatureBytes: 4}} {
			if got, want := converted(body, f, true, lim), converted(body, f, false, lim); !slices.Equal(got, want) {
				t.Fatalf("converted predictions from %q (format %d, %+v):\nfast %q\nstd  %q", body, f, lim, got, want)
			}
		}
		if got, want := decoded[wirePrediction](body, f, true), decoded[wirePrediction](body, f, false); !slices.Equal(got, want) {
			t.Fatalf("predictions from %q (format %d):\nfast %q\nstd  %q", body, f, got, want)
		}
		if got, want := decoded[wireGroundTruth](body, f, true), decoded[wireGroundTruth](body, f, false); !slices.Equal(got, want) {
			t.Fatalf("ground truth from %q (format %d):\nfast %q\nstd  %q", body, f, got, want)
		}
	}
}

// fastCases are records the fast decoders must decode exactly as
// encoding/json does, or leave to it.
var fastCases = []string{
	`{"id":"a","model_name":"m","model_version":"1","prediction":1,"confidence":0.5,"features":{"x":1,"y":"z"},"latency":{"inference_ms":3}}`,
	` { "id" : "a" , "model_name" : "m" , "features" : { "x" : 1 } , "latency" : { } , "probabilities" : { } } `,
	`{}`,
	// Repeated fields: the last wins, objects and maps merge.
	`{"id":"a","id":"b"}`,
	`{"latency":{"inference_ms":1},"latency":{"preprocessing_ms":2}}`,
	`{"latency":{"inference_ms":1,"inference_ms":2}}`,
	`{"probabilities":{"a":0.1},"probabilities":{"b":0.9}}`,
	`{"probabilities":{"a":0.1,"a":0.2}}`,
	`{"features":{"a":1},"features":null}`,
	`{"confidence":0.5,"confidence":null}`,
	`{"ground_truth":1,"ground_truth":2}`,
	// Keys encoding/json matches case-insensitively, or after escapes.
	`{"ID":"a","Model_Name":"m","MODEL_VERSION":"1"}`,
	`{"model_verſion":"1"}`,
	`{"latency":{"INFERENCE_MS":1}}`,
	`{"latency_ms":1,"Latency_Ms":2}`,
	`{"i\u0064":"a","model\u005fname":"m"}`,
	`{"ground_truth":"x","Ground_Truth":"y"}`,
	// Escapes, odd text and odd keys.
	`{"id":"a\"b","model_name":"caf\u00e9","model_version":"\ud83d\ude00"}`,
	`{"features":{"a\u00e9":1,"b\"q":"x y","\n":null}}`,
	"{\"id\":\"a\xffb\"}",
	"{\"id\":\"a\tb\"}",
	`{"id":"\ud800"}`,
	`{"unknown":{"a":[1,{"b":null}],"c":"\u0041"},"other":[],"id":"x"}`,
	`{"":1,"id":"x"}`,
	`{"feature":1,"idx":"y"}`,
	// Numbers.
	`{"confidence":1e400}`,
	`{"confidence":-1e400,"latency_ms":1e-400}`,
	`{"latency":{"inference_ms":1E+2,"preprocessing_ms":-0,"postprocessing_ms":0.0e-0}}`,
	`{"confidence":-0}`,
	`{"prediction":-0,"ground_truth":1e400}`,
	`{"probabilities":{"a":1e400}}`,
	`{"probabilities":{"a":null}}`,
	`{"probabilities":{"a":"0.5"}}`,
	`{"features":{"big":123456789012345678901234567890,"tiny":1e-400,"huge":1e400}}`,
	// Features: limits, whitespace, escapes, nesting.
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":1,"b":"x y","c":true,"d":null}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{ "a" : 1 ,"b":"x"}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":1,"b":2,"c":3}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"abcde":1}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":12345}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":"abc"}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"aé":1}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"abcde":1}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":{"b":1}}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":[1, 2]}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{"a":1,"a":2}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{}}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":{ }}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":[]}`,
	`{"model_name":"m","model_version":"1","prediction":1,"features":"x"}`,
	"{\"model_name\":\"m\",\"model_version\":\"1\",\"prediction\":1,\"features\":{\"a\xff\":\"\xfe\"}}",
	// Labels and timestamps.
	`{"model_name":"m","model_version":"1","prediction":"caf\u00e9","ground_truth":"a\"b","timestamp":"2026-11-26T10:00:00\u005a"}`,
	`{"model_name":"m","model_version":"1","prediction":"","ground_truth":"","timestamp":""}`,
	`{"model_name":"m","model_version":"1","prediction":1.0,"ground_truth":-0,"timestamp":1795000000.25}`,
	`{"model_name":"m","model_version":"1","prediction":1.5,"timestamp":"2030-01-01T00:00:00Z","confidence":1.5,"latency_ms":-1}`,
	`{"model_name":"m/x","model_version":"","prediction":true,"probabilities":{"a":0.2,"b":0.7}}`,
	`{"confidence":01}`,
	`{"confidence":1.}`,
	`{"confidence":.5}`,
	`{"confidence":+1}`,
	`{"confidence":-}`,
	`{"confidence":1e}`,
	`{"confidence":1e+}`,
	`{"confidence":0x10}`,
	`{"confidence":1.5.3}`,
	`{"confidence":NaN}`,
	// Types encoding/json refuses.
	`{"id":5}`,
	`{"model_name":true}`,
	`{"confidence":"0.5"}`,
	`{"latency":[1]}`,
	`{"latency":{"inference_ms":"3"}}`,
	`{"probabilities":[0.5]}`,
	`{"id":null,"model_name":null,"timestamp":null,"features":null,"prediction":null,"confidence":null,"probabilities":null,"latency":null,"latency_ms":null,"ground_truth":null}`,
	// Syntax.
	`{"id":"a",}`,
	`{"id":"a"`,
	`{"id" "a"}`,
	`{"id":"a"} x`,
	`{"id":"a"}{"id":"b"}`,
	`{"id":"a\x"}`,
	`{"id":"a\u12"}`,
	`{"features":{"a":tru}}`,
	`{"features":{"a":nullx}}`,
	`{"features":{"a":[1,]}}`,
	`{id:"a"}`,
	`[]`,
	` [ ] `,
	`[{}]`,
	`[{"id":"a"},{"id":"b"}]`,
	`[{"id":"a"},]`,
	`[{"id":"a"}] x`,
	`[{"id":"a"}`,
	`[{"id":"a"},{"id":5},{"id":"c"}]`,
	`[{"id":"a"},{"id":"b" "c"},{"id":"c"}]`,
	`[1,{"id":"a"}]`,
	`[null]`,
	`null`,
	`"x"`,
	`{"unknown":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	`{"unknown":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
	"{\"id\":\"a\"}\n\n {\"id\":\"b\"} \r\n{\"id\":\n{}\n[]\n\u00a0{\"id\":\"c\"}",
}

func TestFastDecodeMatchesStd(t *testing.T) {
	for _, c := range fastCases {
		checkSame(t, []byte(c))
	}
}

// TestFastDecodeValues checks values the fast decoder reads itself
// against what encoding/json gives for them, written out.
func TestFastDecodeValues(t *testing.T) {
	cases := []struct{ in, want string }{
		{
			`{"id":"a","model_name":"m","model_version":"1","timestamp":"2026-11-26T10:00:00Z","features":{"x":1, "y":"z"},"prediction":1,"confidence":-0,"probabilities":{"1":0.5},"latency":{"inference_ms":1E+2},"latency_ms":1e-400,"ground_truth":true}`,
			`0/1 id="a" name="m" version="1" ts="\"2026-11-26T10:00:00Z\"" features="{\"x\":1, \"y\":\"z\"}" prediction="1" confidence=-0 probs={"1":0.5} latency=nil,100,nil latency_ms=0 truth="true" bad=nil`,
		},
		{
			`{"id":"a","id":"b","probabilities":{"a":0.1},"probabilities":{"b":0.9}}`,
			`0/1 id="b" name="" version="" ts=nil features=nil prediction=nil confidence=nil probs={"a":0.1,"b":0.9} latency=nil latency_ms=nil truth=nil bad=nil`,
		},
		{
			`{"model_verſion":"1","ID":"x"}`,
			`0/1 id="x" name="" version="1" ts=nil features=nil prediction=nil confidence=nil probs=nil latency=nil latency_ms=nil truth=nil bad=nil`,
		},
		{
			`{"confidence":1e400}`,
			`0/1 id="" name="" version="" ts=nil features=nil prediction=nil confidence=0 probs=nil latency=nil latency_ms=nil truth=nil bad={index 0 line 0 field "confidence": must be a number, not a number}`,
		},
	}
	for _, c := range cases {
		got := decoded[wirePrediction]([]byte(c.in), formatNDJSON, true)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("decode %s =\n%q, want\n%q", c.in, got, c.want)
		}
	}
}

func FuzzFastDecodeMatchesStd(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c))
	}
	f.Add(benchNDJSON(3, 4))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSame(t, body)
	})
}

// parseTimeStd is parseTime with the string decoded by encoding/json.
func parseTimeStd(raw []byte, now time.Time) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, errTimestamp
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() < 1970 {
			return time.Time{}, errTimestamp
		}
		return t.UTC(), nil
	}
	return parseTime(raw, now)
}

func checkTime(t *testing.T, raw []byte) {
	t.Helper()
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	got, gotErr := parseTime(raw, now)
	want, wantErr := parseTimeStd(raw, now)
	if !got.Equal(want) || got.Location() != want.Location() || !errors.Is(gotErr, wantErr) {
		t.Errorf("parseTime(%q) = %v, %v; with encoding/json %v, %v", raw, got, gotErr, want, wantErr)
	}
}

func TestParseTimeStrings(t *testing.T) {
	for _, in := range []string{
		`"2026-11-26T10:00:00Z"`, `"2026-11-26T10:00:00.123456789+01:00"`, `"2026-11-26T10:00:00\u005a"`,
		`"2026-11-26T10:00:00Z`, `"2026-11-26 10:00:00Z"`, "\"2026-11-26T10:00:00Z\xff\"", `"1969-12-31T23:59:59Z"`,
		`""`, `"`, `"\""`, "\"2026-11-26T10:00:00Z\t\"",
	} {
		checkTime(t, []byte(in))
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add([]byte(`"2026-11-26T10:00:00Z"`))
	f.Add([]byte(`"2026-11-26T10:00:00.5-07:00"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkTime(t, append([]byte{'"'}, b...))
	})
}
