package estimate

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestResultJSON(t *testing.T) {
	r := ChunkResult{
		Chunk:  Chunk{Key: "[0:499]", Start: 0, End: 499},
		Period: "analysis",
		Metrics: []MetricResult{
			{
				Name: "roc_auc", Value: 0.8, SamplingError: 0.01, Realized: math.NaN(), HasRealized: true,
				UpperConfidenceBoundary: 0.83, LowerConfidenceBoundary: 0.77, UpperThreshold: math.NaN(), LowerThreshold: 0.85, Alert: true,
			},
			{
				Name: "f1", Value: math.NaN(), SamplingError: math.Inf(1), UpperConfidenceBoundary: math.NaN(),
				LowerConfidenceBoundary: math.NaN(), UpperThreshold: 1, LowerThreshold: 0,
			},
		},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"period":"analysis","key":"[0:499]","start_index":0,"end_index":499,` +
		`"roc_auc":{"value":0.8,"sampling_error":0.01,"realized":null,"upper_confidence_boundary":0.83,"lower_confidence_boundary":0.77,"upper_threshold":null,"lower_threshold":0.85,"alert":true},` +
		`"f1":{"value":null,"sampling_error":null,"upper_confidence_boundary":null,"lower_confidence_boundary":null,"upper_threshold":1,"lower_threshold":0,"alert":false}}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	if strings.Contains(string(b), "NaN") || !json.Valid(b) {
		t.Error("invalid JSON")
	}

	// Read back, as the server reads a stored chunk: the same JSON again,
	// metrics in order, NaN for null, realized only where it was written.
	var back ChunkResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if string(again) != want {
		t.Errorf("JSON read back and written again\n%s\nwant\n%s", again, want)
	}
	auc, f1 := back.Metrics[0], back.Metrics[1]
	if auc.Name != "roc_auc" || !auc.HasRealized || !math.IsNaN(auc.Realized) || !math.IsNaN(auc.UpperThreshold) || !auc.Alert ||
		f1.Name != "f1" || f1.HasRealized || !math.IsNaN(f1.Value) || f1.UpperThreshold != 1 || back.Key != "[0:499]" || back.End != 499 || back.Period != "analysis" {
		t.Errorf("read back %+v", back)
	}
	for _, bad := range []string{`[]`, `{"accuracy": 3}`, `{"key": 3}`, `{"period": "analysis"`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
