package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// The CBPE goldens of package estimate: testdata/golden.py reimplements
// CBPE with NumPy and scikit-learn and runs it on the CSV files there.
const estimateTestdata = "../../estimate/testdata/"

// runEstimate runs "modelwatch estimate args..." and returns stdout.
func runEstimate(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"estimate"}, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestEstimateJSONMatchesGolden(t *testing.T) {
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"binary", []string{"--chunk-size", "250", "--metrics", "roc_auc,f1,average_precision,precision,recall,specificity,accuracy,confusion_matrix"}},
		{"binary_weekly", []string{"--chunk-period", "W", "--timestamp-column", "timestamp"}},
		{"multiclass_default", []string{"--chunk-size", "300", "--metrics", "roc_auc,f1,precision,recall,specificity,accuracy,confusion_matrix"}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			var want struct {
				Args struct {
					Kind string `json:"kind"`
				} `json:"args"`
				Result map[string]any `json:"result"`
			}
			readJSON(t, estimateTestdata+"cbpe_"+c.golden+".json", &want)
			kind := want.Args.Kind
			args := append([]string{
				"--reference", estimateTestdata + kind + "_reference.csv",
				"--analysis", estimateTestdata + kind + "_analysis.csv",
				"--json", "-",
			}, c.args...)
			out, _, err := runEstimate(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			compareJSON(t, "", got, want.Result)
		})
	}
}

// compareJSON compares two decoded JSON values: same keys, numbers within
// 1e-12 (relative above 1).
func compareJSON(t *testing.T, path string, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s = %v, want %v", path, got, want)
			return
		}
		for k := range w {
			compareJSON(t, path+"."+k, g[k], w[k])
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: %d elements, want %d", path, len(g), len(w))
			return
		}
		for i := range w {
			compareJSON(t, path+"["+string(rune('0'+i%10))+"]", g[i], w[i])
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-12*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	default:
		if got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestEstimateTable(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "out.json")
	out, stderr, err := runEstimate(t,
		"--reference", estimateTestdata+"binary_reference.csv",
		"--analysis", estimateTestdata+"binary_analysis.csv",
		"--chunk-size", "500", "--json", jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CBPE estimate of binary_analysis.csv, fitted on binary_reference.csv: binary model, probabilities calibrated (isotonic).",
		"roc_auc", "lower threshold",
		"reference  [0:499]", "reference  [1500:1999]", "analysis   [1500:1799]",
		" !", "(0.", // alerts and realised values
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "the reference data make 4 chunks, fewer than 6") ||
		!strings.Contains(stderr, "the analysis data make 4 chunks, fewer than 6") {
		t.Errorf("stderr %q: want warnings about 4 chunks", stderr)
	}
	var doc struct {
		Metrics          []string         `json:"metrics"`
		NeedsCalibration bool             `json:"needs_calibration"`
		Chunks           []map[string]any `json:"chunks"`
	}
	readJSON(t, jsonPath, &doc)
	if len(doc.Metrics) != 6 || !doc.NeedsCalibration || len(doc.Chunks) != 8 {
		t.Errorf("JSON file: %d metrics, calibration %v, %d chunks; want 6, true, 8", len(doc.Metrics), doc.NeedsCalibration, len(doc.Chunks))
	}
	last := doc.Chunks[len(doc.Chunks)-1]
	if _, ok := last["accuracy"].(map[string]any)["realized"]; ok {
		t.Error("unlabelled chunk has a realized value")
	}
}

// toNDJSON rewrites a CSV file as NDJSON, numbers as numbers and empty
// cells as missing keys.
func toNDJSON(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, r := range recs[1:] {
		obj := map[string]any{}
		for i, v := range r {
			switch {
			case v == "":
			case strings.HasPrefix(recs[0][i], "proba") || recs[0][i] == "y_pred_proba":
				obj[recs[0][i]] = json.Number(v)
			default:
				obj[recs[0][i]] = v
			}
		}
		line, _ := json.Marshal(obj)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEstimateNDJSONEqualsCSV(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"binary", "multiclass"} {
		for _, part := range []string{"reference", "analysis"} {
			toNDJSON(t, estimateTestdata+kind+"_"+part+".csv", filepath.Join(dir, kind+"_"+part+".ndjson"))
		}
		csvOut, _, err := runEstimate(t, "--reference", estimateTestdata+kind+"_reference.csv", "--analysis", estimateTestdata+kind+"_analysis.csv", "--json", "-")
		if err != nil {
			t.Fatal(err)
		}
		ndOut, _, err := runEstimate(t, "--reference", filepath.Join(dir, kind+"_reference.ndjson"), "--analysis", filepath.Join(dir, kind+"_analysis.ndjson"), "--json", "-")
		if err != nil {
			t.Fatal(err)
		}
		if csvOut != ndOut {
			t.Errorf("%s: NDJSON output differs from CSV output", kind)
		}
	}
}

// toParquet rewrites a CSV file as Parquet with typed columns: timestamp
// as a TIMESTAMP, probabilities as doubles, classes as integers when every
// class is one, else as strings; empty cells are nulls.
func toParquet(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, body := recs[0], recs[1:]
	integral := func(j int) bool {
		for _, r := range body {
			if _, err := strconv.ParseInt(r[j], 10, 64); r[j] != "" && err != nil {
				return false
			}
		}
		return true
	}
	g := parquet.Group{}
	conv := make([]func(string) any, len(head))
	for j, name := range head {
		switch {
		case name == "timestamp":
			g[name] = parquet.Timestamp(parquet.Microsecond)
			conv[j] = func(s string) any {
				ts, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				return ts
			}
		case name == "y_pred_proba" || strings.HasPrefix(name, "proba_"):
			g[name] = parquet.Leaf(parquet.DoubleType)
			conv[j] = func(s string) any {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		case integral(j):
			g[name] = parquet.Optional(parquet.Int(64))
			conv[j] = func(s string) any {
				if s == "" {
					return (*int64)(nil)
				}
				v, _ := strconv.ParseInt(s, 10, 64)
				return &v
			}
		default:
			g[name] = parquet.Optional(parquet.String())
			conv[j] = func(s string) any {
				if s == "" {
					return (*string)(nil)
				}
				return &s
			}
		}
	}
	rows := make([]map[string]any, len(body))
	for i, r := range body {
		rows[i] = map[string]any{}
		for j, v := range r {
			rows[i][head[j]] = conv[j](v)
		}
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[map[string]any](out, parquet.NewSchema("rows", g), parquet.MaxRowsPerRowGroup(700))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEstimateParquetEqualsCSV estimates the golden data written as CSV
// and as Parquet (several row groups, nulls for missing labels, a
// TIMESTAMP column): the JSON documents must be identical.
func TestEstimateParquetEqualsCSV(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		kind string
		args []string
	}{
		{"binary", []string{"--chunk-size", "250", "--metrics", "roc_auc,f1,average_precision,precision,recall,specificity,accuracy,confusion_matrix"}},
		{"binary", []string{"--chunk-period", "W", "--timestamp-column", "timestamp"}},
		{"multiclass", []string{"--chunk-size", "300", "--metrics", "roc_auc,f1,precision,recall,specificity,accuracy,confusion_matrix"}},
	} {
		var files [2][2]string // [csv, parquet] × [reference, analysis]
		for i, part := range []string{"reference", "analysis"} {
			files[0][i] = estimateTestdata + c.kind + "_" + part + ".csv"
			files[1][i] = filepath.Join(dir, c.kind+"_"+part+".parquet")
			toParquet(t, files[0][i], files[1][i])
		}
		var outs [2]string
		for k := range files {
			out, _, err := runEstimate(t, append([]string{"--reference", files[k][0], "--analysis", files[k][1], "--json", "-"}, c.args...)...)
			if err != nil {
				t.Fatalf("%s %v: %v", files[k][0], c.args, err)
			}
			outs[k] = out
		}
		if outs[0] != outs[1] || !strings.Contains(outs[1], `"realized"`) {
			t.Errorf("%s %v: the Parquet output differs from the CSV output:\n%s\nwant\n%s", c.kind, c.args, outs[1], outs[0])
		}
	}
}

func TestEstimateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ref := estimateTestdata + "binary_reference.csv"
	ana := estimateTestdata + "binary_analysis.csv"
	unlabelled := write("unlabelled.csv", "y_pred_proba,y_pred,y_true\n0.2,0,0\n0.9,1,\n")
	badProba := write("bad.csv", "y_pred_proba,y_pred,y_true\n0.2,0,0\n1.7,1,1\n")
	badClass := write("class.csv", "y_pred_proba,y_pred,y_true\n0.2,0,0\n0.7,yes,1\n")
	noProba := write("none.csv", "score,y_pred,y_true\n0.2,0,0\n")
	notParquet := write("data.parquet", "PAR1")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unlabelled reference row", []string{"--reference", unlabelled, "--analysis", ana}, "unlabelled.csv: line 3: column y_true: missing"},
		{"probability out of range", []string{"--reference", ref, "--analysis", badProba}, `bad.csv: line 3: column y_pred_proba: "1.7" is not a probability`},
		{"unknown class", []string{"--reference", ref, "--analysis", badClass}, `class.csv: line 3: column y_pred: "yes": want 0 or 1`},
		{"no probability column", []string{"--reference", noProba, "--analysis", ana}, `no column "y_pred_proba"`},
		{"corrupt parquet", []string{"--reference", notParquet, "--analysis", ana}, "read " + notParquet},
		{"unknown metric", []string{"--reference", ref, "--analysis", ana, "--metrics", "auc"}, `metric "auc"`},
		{"period without timestamps", []string{"--reference", ref, "--analysis", ana, "--chunk-period", "W"}, "--chunk-period needs --timestamp-column"},
		{"bad period", []string{"--reference", ref, "--analysis", ana, "--chunk-period", "fortnight", "--timestamp-column", "timestamp"}, `period "fortnight"`},
		{"missing timestamp column", []string{"--reference", ref, "--analysis", ana, "--timestamp-column", "ts"}, `no column "ts"`},
		{"too many chunks", []string{"--reference", ref, "--analysis", ana, "--chunk-number", "5000"}, "chunk number 5000"},
	} {
		_, _, err := runEstimate(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// Usage errors end in kong's exit status, not a message.
	for name, args := range map[string][]string{
		"two chunkings":   {"--reference", ref, "--analysis", ana, "--chunk-size", "10", "--chunk-number", "3"},
		"bad calibration": {"--reference", ref, "--analysis", ana, "--calibration", "isotonic"},
		"missing file":    {"--reference", filepath.Join(dir, "nope.csv"), "--analysis", ana},
	} {
		if _, _, err := runEstimate(t, args...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
