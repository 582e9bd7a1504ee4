package estimatecli

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// writeParquet writes rows (column name → value; a nil pointer is null)
// with schema g, as the archive writes its files.
func writeParquet(t *testing.T, g parquet.Group, rows []map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[map[string]any](&b, parquet.NewSchema("rows", g))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadParquet(t *testing.T) {
	g := parquet.Group{
		"y_pred_proba": parquet.Leaf(parquet.DoubleType),
		"y_pred":       parquet.Int(64),
		"y_true":       parquet.Optional(parquet.Int(64)),
		"flag":         parquet.Leaf(parquet.BooleanType),
		"class":        parquet.String(),
		"ts":           parquet.Timestamp(parquet.Millisecond),
		"day":          parquet.Date(),
	}
	ts := time.Date(2024, 3, 1, 12, 30, 0, 5e6, time.UTC)
	data := writeParquet(t, g, []map[string]any{
		{"y_pred_proba": math.Nextafter(0.3, 1), "y_pred": int64(1), "y_true": new(int64(0)), "flag": true, "class": "cat", "ts": ts, "day": ts},
		{"y_pred_proba": 0.25, "y_pred": int64(0), "y_true": nil, "flag": false, "class": "dog", "ts": ts.Add(time.Hour), "day": ts},
	})
	tab, err := ReadParquet(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"y_pred_proba": {"0.30000000000000004", "0.25"},
		"y_pred":       {"1", "0"},
		"y_true":       {"0", ""},
		"flag":         {"True", "False"},
		"class":        {"cat", "dog"},
		"ts":           {"2024-03-01T12:30:00.005Z", "2024-03-01T13:30:00.005Z"},
		"day":          {"2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"},
	}
	for name, vals := range want {
		i := tab.Column(name)
		if i < 0 {
			t.Errorf("no column %q in %q", name, tab.Columns)
			continue
		}
		var got []string
		for _, row := range tab.Rows {
			got = append(got, row[i])
		}
		if !slices.Equal(got, vals) {
			t.Errorf("column %s = %q, want %q", name, got, vals)
		}
	}
	if !slices.Equal(tab.Line, []int{1, 2}) || tab.where(1) != "row 2" {
		t.Errorf("lines %v, %q; want rows 1 and 2", tab.Line, tab.where(1))
	}

	// Through ReadFile, by extension, and with errors that name the row.
	path := filepath.Join(t.TempDir(), "ref.parquet")
	bad := writeParquet(t, g, []map[string]any{
		{"y_pred_proba": 0.5, "y_pred": int64(1), "y_true": new(int64(1)), "flag": true, "class": "cat", "ts": ts, "day": ts},
		{"y_pred_proba": 1.5, "y_pred": int64(1), "y_true": new(int64(1)), "flag": true, "class": "cat", "ts": ts, "day": ts},
	})
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	tab, err = ReadFile(path)
	if err != nil || tab.Name != "ref.parquet" {
		t.Fatalf("ReadFile = %+v, %v", tab, err)
	}
	m, _ := DetectModel(tab, Columns{YPredProba: "y_pred_proba", YPred: "y_pred", YTrue: "y_true"})
	_, err = ToData(tab, m, Columns{YPredProba: "y_pred_proba", YPred: "y_pred", YTrue: "y_true"}, true, true)
	if err == nil || !strings.Contains(err.Error(), `ref.parquet: row 2: column y_pred_proba: "1.5" is not a probability`) {
		t.Errorf("out-of-range probability: %v", err)
	}
	if _, err := ReadParquet(bytes.NewReader([]byte("PAR1 not parquet")), 16); err == nil {
		t.Error("no error for a file that is not Parquet")
	}
}
