package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// duckDB returns the command that runs testdata/duckdb/read.mjs with the
// npm package @duckdb/node-api, installed from testdata/duckdb's
// package.json and package-lock.json into $MODELWATCH_DUCKDB_DIR (default
// ~/.cache/modelwatch-duckdb) with npm ci. Missing, it fails the test under
// CI=true and skips it otherwise.
func duckDB(t *testing.T) (node, script string) {
	t.Helper()
	node = testenv.Program(t, "nodejs", "node", "nodejs")
	dir := os.Getenv("MODELWATCH_DUCKDB_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "modelwatch-duckdb")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api", "package.json")); err != nil {
		src, _ := filepath.Abs("testdata/duckdb")
		msg := fmt.Sprintf("DuckDB for Node.js is not installed in %s: mkdir -p %[1]s && cp %s/package*.json %[1]s && npm ci --prefix %[1]s", dir, src)
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The script resolves its imports from its own directory.
	run := t.TempDir()
	b, err := os.ReadFile("testdata/duckdb/read.mjs")
	if err != nil {
		t.Fatal(err)
	}
	script = filepath.Join(run, "read.mjs")
	if err := os.WriteFile(script, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(run, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return node, script
}

// duckOutput is what read.mjs prints.
type duckOutput struct {
	Files []struct {
		File    string                       `json:"file"`
		Columns [][2]string                  `json:"columns"`
		Rows    []map[string]json.RawMessage `json:"rows"`
	} `json:"files"`
	Days []struct {
		Model   string `json:"model_name"`
		Version string `json:"model_version"`
		Day     string `json:"day"`
		N       int    `json:"n"`
	} `json:"days"`
}

// TestDuckDBReadsArchive archives with SQLite into a directory, then has
// DuckDB read every file: the column types are the documented ones, and
// every row and value agrees with the database's.
func TestDuckDBReadsArchive(t *testing.T) {
	node, script := duckDB(t)
	e := sqliteEnv(t)
	dir := t.TempDir()
	e.Bucket = fileBucket(t, dir)
	want := load(t, e, testData())
	if _, err := New(e.Store, e.Bucket, Options{Now: e.Clock.Now}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	parts, err := List(t.Context(), e.Bucket, "", "")
	if err != nil || len(parts) != 14 {
		t.Fatalf("archive has %d files, %v; want 14", len(parts), err)
	}
	args := []string{script, dir}
	for _, p := range parts {
		args = append(args, filepath.Join(dir, filepath.FromSlash(p.Key)))
	}
	var stderr bytes.Buffer
	cmd := exec.Command(node, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node read.mjs: %v\n%s", err, stderr.String())
	}
	var got duckOutput
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("read DuckDB's output: %v\n%.2000s", err, out)
	}
	fixed := map[string]string{
		"id": "VARCHAR", "model_name": "VARCHAR", "model_version": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE",
		"prediction": "VARCHAR", "confidence": "DOUBLE", "probabilities": "MAP(VARCHAR, DOUBLE)", "preprocessing_ms": "DOUBLE",
		"inference_ms": "DOUBLE", "postprocessing_ms": "DOUBLE", "latency_ms": "DOUBLE", "ground_truth": "VARCHAR",
		"labelled_at": "TIMESTAMP WITH TIME ZONE",
	}
	rows := 0
	for i, f := range got.Files {
		types := map[string]string{}
		for _, c := range f.Columns {
			types[c[0]] = c[1]
		}
		for col, typ := range fixed {
			if types[col] != typ {
				t.Errorf("%s: DuckDB reads column %s as %q, want %s", f.File, col, types[col], typ)
			}
		}
		wantFeatures := `STRUCT(amount DOUBLE, country VARCHAR, is_new BOOLEAN, "note ""q""" VARCHAR)`
		if parts[i].Model == jsonKey {
			if types["features_json"] != "JSON" || types["features"] != "" {
				t.Errorf("%s: features as %q / %q, want a JSON column", f.File, types["features"], types["features_json"])
			}
		} else if types["features"] != wantFeatures {
			t.Errorf("%s: DuckDB reads the features as %s, want %s", f.File, types["features"], wantFeatures)
		}
		for _, r := range f.Rows {
			p, err := fromDuck(r)
			if err != nil {
				t.Fatalf("%s: %v", f.File, err)
			}
			rows++
			if w, ok := want[p.ID]; !ok || !samePrediction(p, w) {
				pj, _ := json.Marshal(p)
				wj, _ := json.Marshal(w)
				t.Errorf("%s: DuckDB reads\n %s\nthe database had\n %s", f.File, pj, wj)
			}
		}
	}
	total := 0
	for _, d := range got.Days {
		total += d.N
		if d.Model != typedKey.Name && d.Model != jsonKey.Name || !strings.HasPrefix(d.Day, "2026-08-") {
			t.Errorf("DuckDB's Hive partitions: %+v", d)
		}
	}
	if len(got.Days) != 14 || total != rows || rows == 0 {
		t.Errorf("DuckDB read %d rows in %d files and %d rows in %d Hive partitions; want the same, 14 days", rows, len(got.Files), total, len(got.Days))
	}
}

// fromDuck turns a row as DuckDB's JSON prints it into a prediction.
func fromDuck(r map[string]json.RawMessage) (modelwatch.Prediction, error) {
	var p modelwatch.Prediction
	str := func(col string) (string, bool, error) {
		if string(r[col]) == "null" || r[col] == nil {
			return "", false, nil
		}
		var s string
		err := json.Unmarshal(r[col], &s)
		return s, true, err
	}
	num := func(col string) (*float64, error) {
		if string(r[col]) == "null" || r[col] == nil {
			return nil, nil
		}
		var v float64
		err := json.Unmarshal(r[col], &v)
		return &v, err
	}
	micros := func(col string) (time.Time, error) {
		raw := strings.Trim(string(r[col]), `"`)
		if raw == "null" || raw == "" {
			return time.Time{}, nil
		}
		us, err := strconv.ParseInt(raw, 10, 64)
		return time.UnixMicro(us).UTC(), err
	}
	var errs []error
	must := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var s string
	var err error
	p.ID, _, err = str("id")
	must(err)
	p.ModelName, _, err = str("model_name")
	must(err)
	p.ModelVersion, _, err = str("model_version")
	must(err)
	s, _, err = str("prediction")
	p.Prediction = modelwatch.Label(s)
	must(err)
	s, _, err = str("ground_truth")
	p.GroundTruth = modelwatch.Label(s)
	must(err)
	p.Timestamp, err = micros("_ts_us")
	must(err)
	p.LabelledAt, err = micros("_labelled_us")
	must(err)
	for col, dst := range map[string]**float64{
		"confidence": &p.Confidence, "preprocessing_ms": &p.Latency.PreprocessingMs,
		"inference_ms": &p.Latency.InferenceMs, "postprocessing_ms": &p.Latency.PostprocessingMs, "latency_ms": &p.LatencyMs,
	} {
		*dst, err = num(col)
		must(err)
	}
	if raw := r["probabilities"]; raw != nil && string(raw) != "null" {
		var kv []struct {
			Key   string  `json:"key"`
			Value float64 `json:"value"`
		}
		must(json.Unmarshal(raw, &kv))
		p.Probabilities = map[string]float64{}
		for _, e := range kv {
			p.Probabilities[e.Key] = e.Value
		}
	}
	if raw := r["features"]; raw != nil && string(raw) != "null" {
		p.Features = modelwatch.Features(raw)
	}
	if s, ok, err := str("features_json"); ok {
		must(err)
		p.Features = modelwatch.Features(s)
	}
	if len(errs) > 0 {
		return p, fmt.Errorf("row %s: %v", p.ID, errs)
	}
	return p, nil
}
