package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/drift-example.txt from modelwatch drift's output")

// The cases are the shared Evidently ones (Evidently 0.7.21's outputs),
// copied into drift/testdata/evidently/.
const driftCases = "../../drift/testdata/evidently/"

func runDrift(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"drift"}, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

func caseArgs(name string) []string {
	return []string{"--reference", driftCases + name + "/reference.csv", "--current", driftCases + name + "/current.csv"}
}

func TestDriftJSONMatchesEvidently(t *testing.T) {
	dirs, _ := filepath.Glob(driftCases + "*")
	if len(dirs) == 0 {
		t.Fatal("no cases")
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			stdout, _, err := runDrift(t, append(caseArgs(name), "--json", "-")...)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range got {
					if !yield(k) {
						return
					}
				}
			})
			want := []string{"columns", "dataset_drift", "drift_share", "number_of_columns", "number_of_drifted_columns", "share_of_drifted_columns"}
			if !slices.Equal(keys, want) {
				t.Errorf("top-level keys %v, want %v", keys, want)
			}
			var rep struct {
				DriftShare   float64 `json:"drift_share"`
				Columns      int     `json:"number_of_columns"`
				Drifted      int     `json:"number_of_drifted_columns"`
				Share        float64 `json:"share_of_drifted_columns"`
				DatasetDrift bool    `json:"dataset_drift"`
				PerColumn    []struct {
					Name      string   `json:"column_name"`
					Type      string   `json:"column_type"`
					Test      string   `json:"stattest"`
					Threshold float64  `json:"stattest_threshold"`
					Kind      string   `json:"score_kind"`
					Score     *float64 `json:"drift_score"`
					Drift     bool     `json:"drift_detected"`
				} `json:"columns"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			var ev struct {
				Columns []struct {
					Column      string  `json:"column"`
					ColumnType  string  `json:"column_type"`
					StatTestKey string  `json:"stattest_key"`
					Threshold   float64 `json:"stattest_threshold"`
					Score       float64 `json:"drift_score"`
					Drift       bool    `json:"drift_detected"`
				} `json:"columns"`
				Dataset struct {
					Columns int     `json:"number_of_columns"`
					Drifted int     `json:"number_of_drifted_columns"`
					Share   float64 `json:"share_of_drifted_columns"`
					Drift   bool    `json:"dataset_drift"`
				} `json:"dataset"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "evidently.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			if rep.Columns != ev.Dataset.Columns || rep.Drifted != ev.Dataset.Drifted || rep.Share != ev.Dataset.Share || rep.DatasetDrift != ev.Dataset.Drift || rep.DriftShare != 0.5 {
				t.Errorf("dataset %d/%d/%v/%v, want %d/%d/%v/%v", rep.Columns, rep.Drifted, rep.Share, rep.DatasetDrift, ev.Dataset.Columns, ev.Dataset.Drifted, ev.Dataset.Share, ev.Dataset.Drift)
			}
			byName := map[string]int{}
			for i, c := range rep.PerColumn {
				byName[c.Name] = i
			}
			for _, w := range ev.Columns {
				i, ok := byName[w.Column]
				if !ok {
					t.Errorf("no column %s", w.Column)
					continue
				}
				g := rep.PerColumn[i]
				if g.Score == nil || math.Abs(*g.Score-w.Score) > 1e-12 && math.Abs(*g.Score-w.Score) > 1e-9*math.Abs(w.Score) {
					t.Errorf("%s: score %v, want %v", w.Column, g.Score, w.Score)
				}
				if g.Type != w.ColumnType || g.Test != w.StatTestKey || g.Threshold != w.Threshold || g.Drift != w.Drift {
					t.Errorf("%s: %s/%s/%v/%v, want %s/%s/%v/%v", w.Column, g.Type, g.Test, g.Threshold, g.Drift, w.ColumnType, w.StatTestKey, w.Threshold, w.Drift)
				}
				if g.Kind != "p_value" && g.Kind != "distance" {
					t.Errorf("%s: score_kind %q", w.Column, g.Kind)
				}
			}
		})
	}
}

func TestDriftTableJSONAndHTMLFiles(t *testing.T) {
	dir := t.TempDir()
	jsonPath, htmlPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	stdout, _, err := runDrift(t, append(caseArgs("missing_values"), "--json", jsonPath, "--html", htmlPath)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"COLUMN", "num_nan30", "wasserstein", "Dataset drift NOT detected: 1 of 5 columns"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil || !json.Valid(b) {
		t.Errorf("json file: %v", err)
	}
	h, err := os.ReadFile(htmlPath)
	if err != nil || !bytes.Contains(h, []byte("Dataset drift is NOT detected")) || !bytes.Contains(h, []byte("reference.csv (1200 rows)")) {
		t.Errorf("html file: %v", err)
	}
}

// exitStatus is the status main exits with for err returned by run.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

func TestDriftFailOnDrift(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"drift, --fail-on-drift", append(caseArgs("small_num_shift"), "--fail-on-drift"), 1},
		{"no drift, --fail-on-drift", append(caseArgs("small_num_nodrift"), "--fail-on-drift"), 0},
		{"drift, no --fail-on-drift", caseArgs("small_num_shift"), 0},
		{"drift, --fail-on-drift, --json -", append(caseArgs("small_num_shift"), "--fail-on-drift", "--json", "-"), 1},
	}
	for _, tt := range tests {
		stdout, _, err := runDrift(t, tt.args...)
		if got := exitStatus(err); got != tt.want {
			t.Errorf("%s: exit status %d (%v), want %d", tt.name, got, err, tt.want)
		}
		if stdout == "" {
			t.Errorf("%s: no report on stdout", tt.name)
		}
	}
}

// TestDriftExitStatus: every error exits with 2, so that a CI step tells
// "the data drift" (1 under --fail-on-drift) from "the check did not run".
func TestDriftExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("x,y\n1,a\n2,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknownExt := filepath.Join(dir, "data.xlsx")
	if err := os.WriteFile(unknownExt, []byte("x\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noDir := filepath.Join(dir, "no", "such", "dir")
	shift := caseArgs("small_num_shift")
	with := func(extra ...string) []string { return append(slices.Clone(shift), extra...) }
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown --stattest", with("--stattest", "kolmogorov"), `unknown stattest "kolmogorov"`},
		{"unknown --stattest under --fail-on-drift", with("--stattest", "kolmogorov", "--fail-on-drift"), `unknown stattest "kolmogorov"`},
		{"unknown --per-column-stattest", with("--per-column-stattest", "x=nope"), `"nope"`},
		{"unknown --columns", with("--columns", "nope"), `column "nope" is not in the reference`},
		{"bad --drift-share", with("--drift-share", "1.5"), "--drift-share 1.5"},
		{"text in a --numerical column", []string{"--reference", bad, "--current", bad, "--numerical", "y"}, `bad.csv": column "y": row 1: "a" is not a number`},
		{"missing current file", []string{"--reference", bad, "--current", filepath.Join(dir, "missing.csv")}, "missing.csv"},
		{"missing reference file", []string{"--reference", filepath.Join(dir, "missing.csv"), "--current", bad}, "missing.csv"},
		{"unknown file type", []string{"--reference", unknownExt, "--current", bad}, "unknown file type"},
		{"directory as input", []string{"--reference", dir + "/", "--current", bad}, dir},
		{"--json not writable", with("--json", filepath.Join(noDir, "r.json")), "write json"},
		{"--html not writable", with("--html", filepath.Join(noDir, "r.html"), "--fail-on-drift"), "write html"},
	}
	for _, tt := range tests {
		_, _, err := runDrift(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
		if got := exitStatus(err); got != driftExitError {
			t.Errorf("%s: exit status %d, want %d", tt.name, got, driftExitError)
		}
	}
}

// TestDriftUsageExitStatus: command lines kong rejects exit with 2 as
// well (Go's flag package uses 2 for usage errors). kong's own status is
// 80; main maps it.
func TestDriftUsageExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing --current", []string{"--reference", "a.csv"}, "missing flags: --current"},
		{"unknown flag", append(caseArgs("small_num_shift"), "--bogus"), "unknown flag --bogus"},
		{"malformed threshold", append(caseArgs("small_num_shift"), "--stattest-threshold", "x"), "stattest-threshold"},
		{"flag without value", append(caseArgs("small_num_shift"), "--json"), "--json"},
		{"stray argument", append(caseArgs("small_num_shift"), "extra"), "unexpected argument extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runDrift(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if got := exitStatus(err); got != driftExitError {
				t.Errorf("exit status %d, want %d", got, driftExitError)
			}
		})
	}
}

func TestDriftHelpDocumentsExitStatus(t *testing.T) {
	stdout, _, err := runDrift(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(stdout), " ")
	for _, want := range []string{"Exit status: 0 when the comparison ran", "1 only when --fail-on-drift is set and the dataset drifts", "2 on any error"} {
		if !strings.Contains(text, want) {
			t.Errorf("drift --help lacks %q:\n%s", want, stdout)
		}
	}
}

func TestDriftOptions(t *testing.T) {
	type column struct {
		Name      string  `json:"column_name"`
		Type      string  `json:"column_type"`
		Test      string  `json:"stattest"`
		Threshold float64 `json:"stattest_threshold"`
		Reason    string  `json:"reason"`
	}
	get := func(args ...string) map[string]column {
		t.Helper()
		stdout, _, err := runDrift(t, append(args, "--json", "-")...)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			DriftShare float64  `json:"drift_share"`
			Columns    []column `json:"columns"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		out := map[string]column{}
		for _, c := range rep.Columns {
			out[c.Name] = c
		}
		return out
	}
	cols := get(append(caseArgs("small_num_shift"), "--stattest", "psi", "--num-stattest", "wasserstein",
		"--per-column-stattest", "x=ks,y=ed", "--stattest-threshold", "0.2", "--per-column-stattest-threshold", "x=0.01")...)
	if c := cols["x"]; c.Test != "ks" || c.Threshold != 0.01 {
		t.Errorf("x: %s %v, want ks 0.01", c.Test, c.Threshold)
	}
	if c := cols["y"]; c.Test != "ed" || c.Threshold != 0.2 {
		t.Errorf("y: %s %v, want ed 0.2", c.Test, c.Threshold)
	}
	if c := cols["z"]; c.Test != "wasserstein" || c.Threshold != 0.2 {
		t.Errorf("z: %s %v, want wasserstein 0.2", c.Test, c.Threshold)
	}
	cols = get(append(caseArgs("binary_small"), "--columns", "flag_int,answer", "--categorical", "flag_int", "--cat-stattest", "chisquare", "--cat-stattest-threshold", "0.1")...)
	if len(cols) != 2 || cols["flag_int"].Type != "cat" || cols["flag_int"].Test != "chisquare" || cols["answer"].Threshold != 0.1 {
		t.Errorf("--columns/--categorical: %+v", cols)
	}
	cols = get(append(caseArgs("small_cat_drift"), "--stattest", "ks")...)
	if c := cols["color"]; !strings.Contains(c.Reason, "does not apply to categorical") {
		t.Errorf("ks on a categorical column: reason %q", c.Reason)
	}
}

// writeBenchCSV writes the benchmark dataset of issue 3 (20 numerical
// columns: normal, lognormal, uniform, gamma; 5 categorical with 3 to 19
// levels) as CSV with Python-repr floats, and returns its size.
func writeBenchCSV(b *testing.B, path string, rows int, seed uint64, shift float64) int64 {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, 5))
	line := make([]byte, 0, 512)
	for c := range 20 {
		line = fmt.Appendf(line, "num%02d,", c)
	}
	line = append(line, "cat0,cat1,cat2,cat3,cat4\n"...)
	for row := 0; row <= rows; row++ {
		if _, err := w.Write(line); err != nil {
			b.Fatal(err)
		}
		line = line[:0]
		for c := range 20 {
			var v float64
			switch c % 4 {
			case 0:
				v = r.NormFloat64() + shift
			case 1:
				v = math.Exp(r.NormFloat64() + shift)
			case 2:
				v = r.Float64()*10 + shift
			default:
				v = r.ExpFloat64() + r.ExpFloat64() + shift
			}
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
			line = append(line, ',')
		}
		for c, n := range []int{3, 5, 8, 12, 19} {
			line = fmt.Appendf(line, "L%d_%d", c, r.IntN(n))
			if c < 4 {
				line = append(line, ',')
			} else {
				line = append(line, '\n')
			}
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	f.Close()
	return st.Size()
}

// BenchmarkDriftCLI runs `modelwatch drift` on two CSV files of the given
// rows each: reading, parsing, comparing and printing the table. MB/s is
// CSV bytes (both files) per second.
func BenchmarkDriftCLI(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			dir := b.TempDir()
			ref, cur := filepath.Join(dir, "ref.csv"), filepath.Join(dir, "cur.csv")
			size := writeBenchCSV(b, ref, rows, 1, 0) + writeBenchCSV(b, cur, rows, 2, 0.05)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				var out bytes.Buffer
				if err := run(context.Background(), []string{"drift", "--reference", ref, "--current", cur}, &out, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// jsonColumns runs drift with --json - and returns the report's columns.
func jsonColumns(t *testing.T, args ...string) []struct {
	Name      string  `json:"column_name"`
	Type      string  `json:"column_type"`
	Test      string  `json:"stattest"`
	Threshold float64 `json:"stattest_threshold"`
	Drift     bool    `json:"drift_detected"`
} {
	t.Helper()
	stdout, _, err := runDrift(t, append(args, "--json", "-")...)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Columns []struct {
			Name      string  `json:"column_name"`
			Type      string  `json:"column_type"`
			Test      string  `json:"stattest"`
			Threshold float64 `json:"stattest_threshold"`
			Drift     bool    `json:"drift_detected"`
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	return rep.Columns
}

// tableColumns runs drift and returns the first field of each table row.
func tableColumns(t *testing.T, args ...string) []string {
	t.Helper()
	stdout, _, err := runDrift(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, line := range strings.Split(stdout, "\n") {
		if i == 0 {
			if !strings.HasPrefix(line, "COLUMN ") {
				t.Fatalf("no table header:\n%s", stdout)
			}
			continue
		}
		if line == "" {
			break
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

// TestDriftColumnOrder: JSON and table list the columns in input order,
// the reference's header order. --columns selects, it does not reorder,
// and the current file's own order does not matter.
func TestDriftColumnOrder(t *testing.T) {
	ref := driftCases + "missing_values/reference.csv"
	cur := driftCases + "missing_values/current.csv"
	// The current file with its columns in reverse order.
	b, err := os.ReadFile(cur)
	if err != nil {
		t.Fatal(err)
	}
	var reversed strings.Builder
	for line := range strings.Lines(string(b)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), ",")
		slices.Reverse(f)
		reversed.WriteString(strings.Join(f, ",") + "\n")
	}
	curReversed := filepath.Join(t.TempDir(), "current.csv")
	if err := os.WriteFile(curReversed, []byte(reversed.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	all := []string{"num_nan30", "num_full", "nan_share_up", "cat_nan", "num_nan_shift"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"input order", []string{"--reference", ref, "--current", cur}, all},
		{"current in another order", []string{"--reference", ref, "--current", curReversed}, all},
		{"--columns in another order", []string{"--reference", ref, "--current", cur, "--columns", "num_nan_shift,cat_nan,num_nan30"}, []string{"num_nan30", "cat_nan", "num_nan_shift"}},
	}
	for _, tt := range tests {
		var fromJSON []string
		for _, c := range jsonColumns(t, tt.args...) {
			fromJSON = append(fromJSON, c.Name)
		}
		if !slices.Equal(fromJSON, tt.want) {
			t.Errorf("%s: JSON columns %v, want %v", tt.name, fromJSON, tt.want)
		}
		if got := tableColumns(t, tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: table rows %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDriftNumStattestThreshold: --num-stattest-threshold sets the
// threshold, and so the verdict, of numerical columns only; it beats
// --stattest-threshold and loses to --per-column-stattest-threshold.
func TestDriftNumStattestThreshold(t *testing.T) {
	// missing_values: num_nan30 gets ks with p = 0.813 (no drift at 0.05),
	// cat_nan jensenshannon with d = 0.0418 (no drift at 0.1).
	type want struct {
		thr   float64
		drift bool
	}
	tests := []struct {
		name  string
		flags []string
		want  map[string]want
	}{
		{"defaults", nil, map[string]want{"num_nan30": {0.05, false}, "cat_nan": {0.1, false}}},
		{"--num-stattest-threshold", []string{"--num-stattest-threshold", "0.9"}, map[string]want{"num_nan30": {0.9, true}, "cat_nan": {0.1, false}}},
		{"beats --stattest-threshold", []string{"--num-stattest-threshold", "0.9", "--stattest-threshold", "0.01"}, map[string]want{"num_nan30": {0.9, true}, "cat_nan": {0.01, true}}},
		{"loses to --per-column-stattest-threshold", []string{"--num-stattest-threshold", "0.9", "--per-column-stattest-threshold", "num_nan30=0.5"}, map[string]want{"num_nan30": {0.5, false}, "cat_nan": {0.1, false}}},
	}
	for _, tt := range tests {
		cols := jsonColumns(t, append(caseArgs("missing_values"), tt.flags...)...)
		for _, c := range cols {
			w, ok := tt.want[c.Name]
			if !ok {
				if c.Type == "num" && slices.Contains(tt.flags, "--num-stattest-threshold") && c.Threshold != 0.9 {
					t.Errorf("%s: %s threshold %v, want 0.9", tt.name, c.Name, c.Threshold)
				}
				continue
			}
			if c.Threshold != w.thr || c.Drift != w.drift {
				t.Errorf("%s: %s threshold/drift %v/%v, want %v/%v", tt.name, c.Name, c.Threshold, c.Drift, w.thr, w.drift)
			}
		}
	}
}

// TestDriftProgress: on a terminal, files of at least progressMin bytes
// show "reading NAME  NN%" on stderr, erased once read; otherwise stderr
// stays clean. The terminal is faked and the size threshold lowered.
func TestDriftProgress(t *testing.T) {
	yes := func(io.Writer) bool { return true }
	tests := []struct {
		name     string
		terminal func(io.Writer) bool
		min      int64
		want     bool
	}{
		{"terminal, large file", yes, 1, true},
		{"terminal, small file", yes, 1 << 40, false},
		{"not a terminal", nil, 1, false}, // isTerminal on a bytes.Buffer
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		cmd := driftCmd{
			Reference: driftCases + "small_num_shift/reference.csv", Current: driftCases + "small_num_shift/current.csv",
			DriftShare: 0.5, terminal: tt.terminal, progressMin: tt.min,
		}
		if err := cmd.Run(&env{ctx: context.Background(), stdout: &stdout, stderr: &stderr}); err != nil {
			t.Fatal(err)
		}
		got := stderr.String()
		if !tt.want {
			if got != "" {
				t.Errorf("%s: stderr %q, want nothing", tt.name, got)
			}
			continue
		}
		for _, want := range []string{"\rreading reference.csv 100%\r\033[K", "\rreading current.csv 100%\r\033[K"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: stderr %q lacks %q", tt.name, got, want)
			}
		}
		if !strings.HasSuffix(got, "\r\033[K") {
			t.Errorf("%s: stderr %q does not end by erasing the line", tt.name, got)
		}
		if !strings.HasPrefix(stdout.String(), "COLUMN ") {
			t.Errorf("%s: progress reached stdout: %q", tt.name, stdout.String())
		}
	}
}

func TestProgressBar(t *testing.T) {
	var w bytes.Buffer
	update, erase := progressBar(&w, "ref.csv")
	for _, done := range []int64{0, 1, 100, 101, 150, 400, 400} {
		update(done, 400)
	}
	erase()
	want := "\rreading ref.csv   0%\rreading ref.csv  25%\rreading ref.csv  37%\rreading ref.csv 100%\r\033[K"
	if got := w.String(); got != want {
		t.Errorf("progress output %q, want %q", got, want)
	}
}

// driftExample is the documented example: its first line is the command
// as typed at the repository root, the rest its exact output.
const driftExample = "testdata/drift-example.txt"

// exampleDocs are the pages, relative to the repository root, that show
// the example and must show it verbatim in a console block.
var exampleDocs = []string{"docs/drift.md", "README.md"}

// TestDriftDocumentedExample runs the documented example command from the
// repository root and compares its output with the golden transcript, so
// the example in the docs cannot drift from what modelwatch prints.
// -update rewrites the transcript's output from the command.
func TestDriftDocumentedExample(t *testing.T) {
	golden, err := os.ReadFile(driftExample)
	if err != nil {
		t.Fatal(err)
	}
	command, _, _ := strings.Cut(string(golden), "\n")
	args, ok := strings.CutPrefix(command, "$ modelwatch ")
	if !ok {
		t.Fatalf("%s: first line %q is not a modelwatch command", driftExample, command)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), strings.Fields(args), &stdout, &stderr)
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v, stderr %q", command, err, stderr.String())
	}
	got := command + "\n" + stdout.String()
	if *update {
		if err := os.WriteFile(filepath.Join(wd, driftExample), []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != string(golden) {
		t.Errorf("%s printed\n%s\nwant (%s)\n%s", command, got, driftExample, golden)
	}
	block := "```console\n" + string(golden) + "```\n"
	for _, doc := range exampleDocs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), block) {
			t.Errorf("%s does not show the example of %s verbatim:\n%s", doc, driftExample, block)
		}
	}
}
