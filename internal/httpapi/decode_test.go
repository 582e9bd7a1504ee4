package httpapi

import (
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// decodePredictions runs the ingest decoder the way handlePredictions does.
func decodePredictions(body []byte, f format) ([]modelwatch.Prediction, []modelwatch.FieldError) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	var ps []modelwatch.Prediction
	var errs []modelwatch.FieldError
	decodeRecords(body, f, func(index, line int, wp *wirePrediction, bad *modelwatch.FieldError) {
		if bad != nil {
			bad.Index, bad.Line = index, line
			errs = append(errs, *bad)
			return
		}
		var p modelwatch.Prediction
		p, errs = toPrediction(wp, index, line, now, limits{maxFeatures: 50, maxFeatureBytes: 64}, errs)
		ps = append(ps, p)
	})
	return ps, errs
}

func FuzzDecodePredictions(f *testing.F) {
	seeds := []string{
		`{"model_name":"m","model_version":"1","prediction":1,"confidence":0.5}`,
		`[{"model_name":"m","model_version":"1","prediction":"a","features":{"x":1,"y":"z"},"latency":{"inference_ms":3}}]`,
		"{\"model_name\":\"m\",\"model_version\":\"1\",\"prediction\":true}\n{\"bad\":\n",
		`[{"prediction":1.5,"confidence":"x","timestamp":"never"},{"features":[1]}]`,
		`{"model_name":"m","model_version":"1","prediction":2,"ground_truth":2,"timestamp":1795000000.25,"probabilities":{"2":0.9}}`,
		`[1, "a", null, {}]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool) {
		fm := formatJSON
		if ndjson {
			fm = formatNDJSON
		}
		ps, errs := decodePredictions(body, fm)
		for _, e := range errs {
			if e.Message == "" || e.Index < 0 {
				t.Fatalf("field error without a message or with a negative index: %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		// Whatever the decoder accepts is a valid prediction ready to store.
		for i := range ps {
			p := &ps[i]
			if v := p.Validate(); v != nil {
				t.Fatalf("accepted an invalid prediction %+v: %v", p, v)
			}
			if p.ID == "" || p.Timestamp.IsZero() {
				t.Fatalf("accepted prediction without id or timestamp: %+v", p)
			}
			if len(p.Features) > 0 {
				if err := modelwatch.ValidateFeatures(p.Features); err != nil {
					t.Fatalf("accepted features %s: %v", p.Features, err)
				}
			}
		}
	})
}

func FuzzDecodeGroundTruth(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a","ground_truth":1},{"id":"b","ground_truth":"x"}]`,
		`{"id":"a","ground_truth":true}`,
		"{\"id\":\"a\",\"ground_truth\":null}\n{\"id\":\"b\"}\n",
		`[{"id":1,"ground_truth":{"x":1}}]`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool) {
		fm := formatJSON
		if ndjson {
			fm = formatNDJSON
		}
		decodeRecords(body, fm, func(index, line int, wg *wireGroundTruth, bad *modelwatch.FieldError) {
			if bad != nil {
				if bad.Message == "" {
					t.Fatalf("decoding error without a message at %d", index)
				}
				return
			}
			if len(wg.Raw) == 0 {
				return
			}
			l, err := modelwatch.ParseLabel(wg.Raw)
			if err == nil && len(l) > modelwatch.MaxLabelLength {
				t.Fatalf("label of %d bytes accepted", len(l))
			}
		})
	})
}
