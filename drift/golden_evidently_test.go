package drift_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// The cases in testdata/evidently/ are copied unchanged from
// /work/shared/testdata/evidently/: reference.csv and current.csv, and
// Evidently 0.7.21's own results for its default DataDriftPreset
// (evidently.json) and for every applicable stattest
// (evidently_all_tests.json).

type evidentlyCase struct {
	Columns []struct {
		Column        string  `json:"column"`
		ColumnType    string  `json:"column_type"`
		StatTestKey   string  `json:"stattest_key"`
		Threshold     float64 `json:"stattest_threshold"`
		DriftScore    float64 `json:"drift_score"`
		DriftDetected bool    `json:"drift_detected"`
	} `json:"columns"`
	Dataset struct {
		NumberOfColumns        int     `json:"number_of_columns"`
		NumberOfDriftedColumns int     `json:"number_of_drifted_columns"`
		ShareOfDriftedColumns  float64 `json:"share_of_drifted_columns"`
		DatasetDrift           bool    `json:"dataset_drift"`
		DriftShare             float64 `json:"drift_share"`
	} `json:"dataset"`
}

type evidentlyAllTests struct {
	Columns map[string]struct {
		ColumnType string `json:"column_type"`
		Tests      map[string]struct {
			Threshold     *float64 `json:"stattest_threshold"`
			DriftScore    *float64 `json:"drift_score"`
			DriftDetected bool     `json:"drift_detected"`
			Error         string   `json:"error"`
			Skipped       string   `json:"skipped"`
		} `json:"tests"`
	} `json:"columns"`
}

func evidentlyCases(t *testing.T) []string {
	dirs, err := filepath.Glob("testdata/evidently/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no Evidently cases: %v", err)
	}
	return dirs
}

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// near reports whether got matches want within 1e-9 relative or 1e-12
// absolute.
func near(got, want float64) bool {
	d := math.Abs(got - want)
	return d <= 1e-12 || d <= 1e-9*math.Abs(want)
}

func nan() float64 { return math.NaN() }

func TestEvidentlyDefaultPreset(t *testing.T) {
	for _, dir := range evidentlyCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var want evidentlyCase
			loadJSON(t, filepath.Join(dir, "evidently.json"), &want)
			ref := readCSV(t, filepath.Join(dir, "reference.csv"))
			cur := readCSV(t, filepath.Join(dir, "current.csv"))
			rep, err := drift.Compare(ref, cur, drift.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]drift.ColumnResult{}
			for _, c := range rep.Columns {
				got[c.ColumnName] = c
			}
			for _, w := range want.Columns {
				g, ok := got[w.Column]
				if !ok {
					t.Errorf("column %s missing from the report", w.Column)
					continue
				}
				if string(g.ColumnType) != w.ColumnType || g.StatTest != w.StatTestKey || g.StatTestThreshold != w.Threshold {
					t.Errorf("%s: type/test/threshold = %s/%s/%v, want %s/%s/%v", w.Column, g.ColumnType, g.StatTest, g.StatTestThreshold, w.ColumnType, w.StatTestKey, w.Threshold)
				}
				score, ok := g.Score()
				if !ok || !near(score, w.DriftScore) {
					t.Errorf("%s: %s(ref, cur) = %v (reason %q), want %v (±1e-9)", w.Column, g.StatTest, score, g.Reason, w.DriftScore)
				}
				if g.DriftDetected != w.DriftDetected {
					t.Errorf("%s: drift_detected = %v, want %v", w.Column, g.DriftDetected, w.DriftDetected)
				}
			}
			d := want.Dataset
			if rep.NumberOfColumns != d.NumberOfColumns || rep.NumberOfDriftedColumns != d.NumberOfDriftedColumns ||
				rep.ShareOfDriftedColumns != d.ShareOfDriftedColumns || rep.DatasetDrift != d.DatasetDrift || rep.DriftShare != d.DriftShare {
				t.Errorf("dataset = %d/%d/%v/%v/%v, want %d/%d/%v/%v/%v",
					rep.NumberOfColumns, rep.NumberOfDriftedColumns, rep.ShareOfDriftedColumns, rep.DatasetDrift, rep.DriftShare,
					d.NumberOfColumns, d.NumberOfDriftedColumns, d.ShareOfDriftedColumns, d.DatasetDrift, d.DriftShare)
			}
		})
	}
}

// TestEvidentlyAllTests compares every test Evidently could compute on
// each case, the permutation tests TVD and empirical_mmd included: they
// are seeded, so their p-values equal Evidently's. The race detector
// makes this test about five times slower (1.7 s to 9 s of CPU, mostly
// empirical_mmd's kernel sums), which make test's -race run can afford.
func TestEvidentlyAllTests(t *testing.T) {
	for _, dir := range evidentlyCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var want evidentlyAllTests
			loadJSON(t, filepath.Join(dir, "evidently_all_tests.json"), &want)
			ref := readCSV(t, filepath.Join(dir, "reference.csv"))
			cur := readCSV(t, filepath.Join(dir, "current.csv"))
			for col, info := range want.Columns {
				for key, w := range info.Tests {
					if w.Skipped != "" {
						continue
					}
					rep, err := drift.Compare(ref, cur, drift.Options{Columns: []string{col}, PerColumnStatTest: map[string]string{col: key}})
					if err != nil {
						t.Fatal(err)
					}
					g := rep.Columns[0]
					score, ok := g.Score()
					if w.Error != "" {
						if ok {
							t.Errorf("%s %s: score %v, want not computable (Evidently: %.60s)", col, key, score, w.Error)
						}
						continue
					}
					if string(g.ColumnType) != info.ColumnType {
						t.Errorf("%s: type %s, want %s", col, g.ColumnType, info.ColumnType)
					}
					if !ok || !near(score, *w.DriftScore) {
						t.Errorf("%s: %s(ref, cur) = %v (reason %q), want %v (±1e-9)", col, key, score, g.Reason, *w.DriftScore)
						continue
					}
					if g.StatTestThreshold != *w.Threshold || g.DriftDetected != w.DriftDetected {
						t.Errorf("%s %s: threshold/drift = %v/%v, want %v/%v", col, key, g.StatTestThreshold, g.DriftDetected, *w.Threshold, w.DriftDetected)
					}
				}
			}
		})
	}
}
