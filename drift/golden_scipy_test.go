package drift_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// testdata/scipy/cases.json is written by testdata/scipy/generate.py from
// SciPy 1.10.1 / NumPy 1.24 (Debian's /usr/bin/python3); see that script.

type scipyCase struct {
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Reference json.RawMessage `json:"reference"`
	Current   json.RawMessage `json:"current"`
	Results   map[string]struct {
		StatTest      string   `json:"stattest"`
		Score         *float64 `json:"score"`
		DriftDetected bool     `json:"drift_detected"`
		Error         string   `json:"error"`
	} `json:"results"`
}

type uniformSpec struct {
	Seed  uint32  `json:"seed"`
	N     int     `json:"n"`
	Scale float64 `json:"scale"`
	Shift float64 `json:"shift"`
	Power int     `json:"power"`
	Step  float64 `json:"step"`
}

// sample decodes a stored sample: a list of values (null = missing) or a
// uniformSpec regenerated with NumPy's legacy generator.
func sample(t *testing.T, name, typ string, raw json.RawMessage) drift.Column {
	t.Helper()
	var spec uniformSpec
	if raw[0] == '{' {
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		return drift.Numeric(name, spec.draw())
	}
	if typ == "num" {
		var vals []*float64
		if err := json.Unmarshal(raw, &vals); err != nil {
			t.Fatal(err)
		}
		out := make([]float64, len(vals))
		for i, v := range vals {
			out[i] = math.NaN()
			if v != nil {
				out[i] = *v
			}
		}
		return drift.Numeric(name, out)
	}
	var vals []*string
	if err := json.Unmarshal(raw, &vals); err != nil {
		t.Fatal(err)
	}
	labels := make([]string, len(vals))
	missing := make([]bool, len(vals))
	for i, v := range vals {
		if v == nil {
			missing[i] = true
			continue
		}
		labels[i] = *v
	}
	return drift.Strings(name, labels, missing)
}

func TestSciPyGoldenCases(t *testing.T) {
	var doc struct {
		Cases []scipyCase `json:"cases"`
	}
	loadJSON(t, "testdata/scipy/cases.json", &doc)
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			ref := []drift.Column{sample(t, "x", c.Type, c.Reference)}
			cur := []drift.Column{sample(t, "x", c.Type, c.Current)}
			for key, want := range c.Results {
				opts := drift.Options{}
				if key != "default" {
					opts.StatTest = key
				}
				rep, err := drift.Compare(ref, cur, opts)
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				got := rep.Columns[0]
				if got.StatTest != want.StatTest {
					t.Errorf("%s: stattest %q, want %q", key, got.StatTest, want.StatTest)
				}
				score, ok := got.Score()
				if want.Error != "" {
					if ok {
						t.Errorf("%s: score %v, want not computable (SciPy: %s)", key, score, want.Error)
					}
					continue
				}
				if !ok || !near(score, *want.Score) {
					t.Errorf("%s(ref, cur) = %v (reason %q), want %v (±1e-9)", want.StatTest, score, got.Reason, *want.Score)
					continue
				}
				if got.DriftDetected != want.DriftDetected {
					t.Errorf("%s: drift_detected = %v, want %v", key, got.DriftDetected, want.DriftDetected)
				}
			}
		})
	}
}
