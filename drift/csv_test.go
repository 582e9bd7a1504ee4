package drift_test

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// readCSV loads a golden CSV the way pandas.read_csv types it for
// Evidently: a column whose non-empty fields all parse as numbers is
// numerical; True/False columns and anything else are categorical; an empty
// field is missing. The dataset package has the production reader; this
// small one keeps the drift tests independent of it.
func readCSV(t testing.TB, path string) []drift.Column {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	header, body := rows[0], rows[1:]
	cols := make([]drift.Column, len(header))
	for c, name := range header {
		numeric := true
		for _, r := range body {
			v := r[c]
			if v == "" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				numeric = false
			}
		}
		if numeric {
			vals := make([]float64, len(body))
			for i, r := range body {
				if r[c] == "" {
					vals[i] = nan()
					continue
				}
				vals[i], _ = strconv.ParseFloat(r[c], 64)
			}
			cols[c] = drift.Numeric(name, vals)
			continue
		}
		vals := make([]string, len(body))
		missing := make([]bool, len(body))
		for i, r := range body {
			vals[i], missing[i] = r[c], r[c] == ""
		}
		cols[c] = drift.Strings(name, vals, missing)
	}
	return cols
}
