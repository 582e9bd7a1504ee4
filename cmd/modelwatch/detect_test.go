package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// detectVector is the part of a River vector (../../concept/testdata/river,
// River's own outputs) that detect replays.
type detectVector struct {
	Params         map[string]any `json:"params"`
	Stream         []float64      `json:"stream"`
	DriftIndices   []int          `json:"drift_indices"`
	WarningIndices *[]int         `json:"warning_indices"`
}

// detectStreamFile writes a vector's stream to a file, one value per line, and
// returns the path and the vector.
func detectStreamFile(t *testing.T, vector string) (string, detectVector) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "concept", "testdata", "river", vector+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v detectVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", vector, err)
	}
	var sb strings.Builder
	for _, x := range v.Stream {
		b, _ := json.Marshal(x)
		sb.Write(b)
		sb.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), vector+".txt")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, v
}

// detectOutput is detect's JSON.
type detectOutput struct {
	Detector       string         `json:"detector"`
	Params         map[string]any `json:"params"`
	N              int            `json:"n"`
	DriftIndices   []int          `json:"drift_indices"`
	WarningIndices []int          `json:"warning_indices"`
}

func runDetect(t *testing.T, args ...string) (detectOutput, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"detect"}, args...), &stdout, &stderr)
	var out detectOutput
	if err == nil {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			t.Fatalf("detect %v printed %q: %v", args, stdout.String(), jerr)
		}
	}
	return out, stdout.String() + stderr.String(), err
}

// TestDetectRiverVectors replays River's docstring and unit-test streams
// through the command and gets River's indices.
func TestDetectRiverVectors(t *testing.T) {
	tests := []struct {
		vector, detector string
	}{
		{"adwin_doc", "adwin"},
		{"ddm_doc", "ddm"},
		{"eddm_doc", "eddm"},
		{"hddm_a_doc", "hddm_a"},
		{"hddm_w_doc", "hddm_w"},
		{"pagehinkley_doc", "pagehinkley"},
		{"kswin_doc", "kswin"}, // seed=42: the sampler draws as River's
		{"river_unittest_kswin_ds1", "kswin"},
		{"river_unittest_hddm_a_twosided_ds3", "hddm_a"},
		{"river_unittest_pagehinkley_down_ds3", "pagehinkley"},
	}
	for _, tt := range tests {
		path, v := detectStreamFile(t, tt.vector)
		args := []string{"--detector", tt.detector, path}
		for name, value := range v.Params {
			b, _ := json.Marshal(value)
			args = append(args, "--param", name+"="+strings.Trim(string(b), `"`))
		}
		got, msg, err := runDetect(t, args...)
		if err != nil {
			t.Errorf("detect %v: %v\n%s", args, err, msg)
			continue
		}
		if got.Detector != tt.detector || got.N != len(v.Stream) || !slices.Equal(got.DriftIndices, detectNonNil(v.DriftIndices)) {
			t.Errorf("%s: detect = %s, n %d, drift indices %v; want %s, %d, %v",
				tt.vector, got.Detector, got.N, got.DriftIndices, tt.detector, len(v.Stream), v.DriftIndices)
		}
		if v.WarningIndices != nil && !slices.Equal(got.WarningIndices, detectNonNil(*v.WarningIndices)) {
			t.Errorf("%s: warning indices = %v, want %v", tt.vector, got.WarningIndices, *v.WarningIndices)
		}
		for name, value := range v.Params {
			if got.Params[name] != value {
				t.Errorf("%s: params[%s] = %v, want %v", tt.vector, name, got.Params[name], value)
			}
		}
	}
}

func detectNonNil(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return xs
}

// TestDetectDefaults: every parameter is listed with River's default, and
// the index lists are arrays even when empty.
func TestDetectDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.txt")
	if err := os.WriteFile(path, []byte("0\n1\n0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"detect", "--detector", "kswin", path}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	want := `{"detector":"kswin","params":{"alpha":0.005,"window_size":100,"stat_size":30,"seed":0,"window":null},"n":3,"drift_indices":[],"warning_indices":[]}` + "\n"
	if stdout.String() != want {
		t.Errorf("detect kswin printed %s, want %s", stdout.String(), want)
	}
}

func TestDetectStdin(t *testing.T) {
	for _, file := range []string{"", "-"} {
		f, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		stream := strings.Repeat("0\n", 40) + "1\n" + "0\n"
		if _, err := f.WriteString(stream); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		saved := os.Stdin
		os.Stdin = f
		args := []string{"-d", "ddm"}
		if file != "" {
			args = append(args, file)
		}
		got, msg, err := runDetect(t, args...)
		os.Stdin = saved
		f.Close()
		// DDM on zeros then an error after its warm start: drift (River's
		// p_min = s_min = 0).
		if err != nil || got.N != 42 || !slices.Equal(got.DriftIndices, []int{40}) {
			t.Errorf("detect %v on stdin = %+v, %v (%s), want n 42, drift [40]", args, got, err, msg)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.txt", "0\n1\n")
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"-d", "ddm", write("half.txt", "0\n1\n0.5\n")}, `line 3: "0.5" is not 0 (correct) or 1 (error)`},
		{[]string{"-d", "adwin", write("word.txt", "0.1\n\nx\n")}, "line 2: empty value"},
		{[]string{"-d", "adwin", write("nan.txt", "1\nNaN\n")}, `line 2: "NaN" is not a finite number`},
		{[]string{"-d", "adwin", "-p", "dleta=0.1", good}, `adwin: unknown parameter "dleta" (parameters: delta, clock, max_buckets, min_window_length, grace_period)`},
		{[]string{"-d", "adwin", "-p", "clock=0", good}, "ADWIN: clock must be at least 1, got 0"},
		{[]string{"-d", "adwin", "-p", "clock=fast", good}, `adwin: parameter clock="fast": want an integer`},
		{[]string{"-d", "adwin", "-p", "clock", good}, `--param "clock": want NAME=VALUE`},
		{[]string{"-d", "adwin", "-p", "clock=1", "-p", "clock=2", good}, "--param clock given twice"},
		{[]string{"-d", "kswin", "-p", "window_size=40", good}, "window_size must be at least twice stat_size"},
		{[]string{"-d", "eddm", "-p", "alpha=0.5", good}, "alpha (0.5) must be greater than or equal to beta (0.9)"},
		{[]string{"-d", "adwin", filepath.Join(dir, "missing.txt")}, "detect: open stream:"},
		{[]string{"-d", "cusum", good}, "--detector must be one of"},
		{[]string{good}, "missing flags: --detector"},
	}
	for _, tt := range tests {
		_, msg, err := runDetect(t, tt.args...)
		if err == nil || !strings.Contains(err.Error()+msg, tt.msg) {
			t.Errorf("detect %v: error %v (%s), want %q", tt.args, err, msg, tt.msg)
		}
	}
}
