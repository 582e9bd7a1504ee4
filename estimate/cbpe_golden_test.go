package estimate

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// cbpeGolden is testdata/cbpe_<case>.json: CBPE reimplemented with NumPy and
// scikit-learn by testdata/golden.py and run on the CSV files beside it.
type cbpeGolden struct {
	Args struct {
		Kind        string   `json:"kind"`
		Metrics     []Metric `json:"metrics"`
		ChunkSize   any      `json:"chunk_size"` // rows, or a period alias
		Calibration string   `json:"calibration"`
		Normalize   string   `json:"normalize"`
		Seed        uint32   `json:"seed"`
	} `json:"args"`
	Result struct {
		Metrics          []string                     `json:"metrics"`
		NeedsCalibration bool                         `json:"needs_calibration"`
		Chunks           []map[string]json.RawMessage `json:"chunks"`
	} `json:"result"`
}

// goldenMetric is one metric of one chunk; nil pointers are JSON nulls.
type goldenMetric struct {
	Value                   *float64 `json:"value"`
	SamplingError           *float64 `json:"sampling_error"`
	Realized                *float64 `json:"realized"`
	UpperConfidenceBoundary *float64 `json:"upper_confidence_boundary"`
	LowerConfidenceBoundary *float64 `json:"lower_confidence_boundary"`
	UpperThreshold          *float64 `json:"upper_threshold"`
	LowerThreshold          *float64 `json:"lower_threshold"`
	Alert                   bool     `json:"alert"`
}

var goldenClasses = []string{"cat", "dog", "fish"}

// readCSVData reads a testdata CSV written by golden.py into Data.
func readCSVData(t testing.TB, path string, multiclass bool) Data {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	class := func(s string) int {
		if s == "" {
			return NoLabel
		}
		if multiclass {
			return slices.Index(goldenClasses, s)
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var d Data
	names := []string{"y_pred_proba"}
	if multiclass {
		names = []string{"proba_cat", "proba_dog", "proba_fish"}
	}
	d.Scores = make([][]float64, len(names))
	for _, r := range recs[1:] {
		for k, n := range names {
			v, err := strconv.ParseFloat(r[col[n]], 64)
			if err != nil {
				t.Fatal(err)
			}
			d.Scores[k] = append(d.Scores[k], v)
		}
		d.Pred = append(d.Pred, class(r[col["y_pred"]]))
		d.Label = append(d.Label, class(r[col["y_true"]]))
		if i, ok := col["timestamp"]; ok {
			ts, err := time.Parse(time.RFC3339, r[i])
			if err != nil {
				t.Fatal(err)
			}
			d.Time = append(d.Time, ts)
		}
	}
	return d
}

func TestCBPEMatchesReimplementation(t *testing.T) {
	for _, name := range []string{
		"binary", "binary_never_cm_true", "binary_always_cm_pred", "binary_weekly",
		"multiclass", "multiclass_default", "multiclass_never_cm_all",
	} {
		t.Run(name, func(t *testing.T) {
			var g cbpeGolden
			b, err := os.ReadFile("testdata/cbpe_" + name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &g); err != nil {
				t.Fatal(err)
			}
			mc := g.Args.Kind == "multiclass"
			ref := readCSVData(t, "testdata/"+g.Args.Kind+"_reference.csv", mc)
			ana := readCSVData(t, "testdata/"+g.Args.Kind+"_analysis.csv", mc)
			cal, err := ParseCalibration(g.Args.Calibration)
			if err != nil {
				t.Fatal(err)
			}
			var chunker Chunker
			switch s := g.Args.ChunkSize.(type) {
			case float64:
				chunker = SizeChunker{Size: int(s)}
			case string:
				chunker = PeriodChunker{Period: Period(s)}
			}
			opts := Options{
				Metrics:     g.Args.Metrics,
				Chunker:     chunker,
				Calibration: cal,
				Normalize:   Normalization(g.Args.Normalize),
				Seed:        g.Args.Seed,
			}
			if mc {
				opts.Classes = goldenClasses
			}
			e, err := Fit(ref, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Components(); !slices.Equal(got, g.Result.Metrics) {
				t.Errorf("Components() = %v, want %v", got, g.Result.Metrics)
			}
			if e.NeedsCalibration() != g.Result.NeedsCalibration {
				t.Errorf("NeedsCalibration() = %v, want %v", e.NeedsCalibration(), g.Result.NeedsCalibration)
			}
			res, err := e.Run(ana)
			if err != nil {
				t.Fatal(err)
			}
			all := append(e.Reference(), res...)
			if len(all) != len(g.Result.Chunks) {
				t.Fatalf("%d chunks, want %d", len(all), len(g.Result.Chunks))
			}
			worst := 0.0
			for i, want := range g.Result.Chunks {
				compareChunk(t, all[i], want, &worst)
			}
			t.Logf("largest relative difference: %.3g", worst)
		})
	}
}

// goldenTolerance bounds the relative difference from the reimplementation.
// The arithmetic is the same but for the order of a few sums, so results
// agree to a few ulps; the bootstrap and calibration use the same random
// draws.
const goldenTolerance = 1e-12

func compareChunk(t *testing.T, got ChunkResult, want map[string]json.RawMessage, worst *float64) {
	t.Helper()
	var key, period string
	var start, end int
	for field, v := range map[string]any{"key": &key, "period": &period, "start_index": &start, "end_index": &end} {
		if err := json.Unmarshal(want[field], v); err != nil {
			t.Fatalf("golden chunk %s: %v", field, err)
		}
	}
	if got.Key != key || got.Period != period || got.Start != start || got.End != end {
		t.Errorf("chunk %s %s [%d, %d], want %s %s [%d, %d]", got.Period, got.Key, got.Start, got.End, period, key, start, end)
		return
	}
	for _, m := range got.Metrics {
		raw, ok := want[m.Name]
		if !ok {
			t.Errorf("%s %s: unexpected metric %s", period, key, m.Name)
			continue
		}
		var w goldenMetric
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatal(err)
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			t.Fatal(err)
		}
		_, hasRealized := probe["realized"]
		if m.HasRealized != hasRealized {
			t.Errorf("%s %s %s: has realized = %v, want %v", period, key, m.Name, m.HasRealized, hasRealized)
		}
		for _, f := range []struct {
			field     string
			got       float64
			want      *float64
			onlyLabel bool
		}{
			{"value", m.Value, w.Value, false},
			{"sampling_error", m.SamplingError, w.SamplingError, false},
			{"realized", m.Realized, w.Realized, true},
			{"upper_confidence_boundary", m.UpperConfidenceBoundary, w.UpperConfidenceBoundary, false},
			{"lower_confidence_boundary", m.LowerConfidenceBoundary, w.LowerConfidenceBoundary, false},
			{"upper_threshold", m.UpperThreshold, w.UpperThreshold, false},
			{"lower_threshold", m.LowerThreshold, w.LowerThreshold, false},
		} {
			if f.onlyLabel && !hasRealized {
				continue
			}
			want := nanIfNil(f.want)
			got := f.got
			if math.IsInf(got, 0) {
				got = math.NaN() // JSON null
			}
			if !near(got, want, goldenTolerance) {
				t.Errorf("%s %s %s.%s = %v, want %v (±%g)", period, key, m.Name, f.field, got, want, goldenTolerance)
			} else if !math.IsNaN(want) {
				*worst = math.Max(*worst, math.Abs(got-want)/math.Max(1, math.Abs(want)))
			}
		}
		if m.Alert != w.Alert {
			t.Errorf("%s %s %s.alert = %v, want %v", period, key, m.Name, m.Alert, w.Alert)
		}
	}
}
