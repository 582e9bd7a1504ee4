package dataset

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/modelwatch/modelwatch/drift"
)

// Table is a dataset read from a file: its columns in file order.
type Table struct {
	// Columns are the typed columns, in the order of the file.
	Columns []drift.Column
	// Rows is the number of data rows.
	Rows int
	// Skipped names the columns left out, with why (Parquet only).
	Skipped []string
}

// Types returns each column's type, to read a second file the same way.
func (t *Table) Types() map[string]drift.ColumnType {
	m := make(map[string]drift.ColumnType, len(t.Columns))
	for _, c := range t.Columns {
		m[c.Name] = c.Type
	}
	return m
}

// Options controls how a file is read. The zero value infers every type.
type Options struct {
	// Categorical and Numerical force the type of the named columns, as the
	// --categorical and --numerical flags do. A field of a forced numerical
	// column that is not a number is an error.
	Categorical, Numerical []string
	// Types are the expected types of columns, usually the reference's
	// when reading the current data. A column that does not fit its
	// expected type (text in a numerical column) is returned as an
	// invalid drift column whose reason names the row and field, so that
	// the comparison reports it and goes on.
	Types map[string]drift.ColumnType
	// Workers is the number of goroutines parsing CSV. Zero means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Progress, when set, is called as parsing advances, with the bytes
	// done and the total.
	Progress func(done, total int64)
	// MaxRows, when positive, is the most rows ReadParquet accepts: a
	// file whose metadata claims more is refused before anything is
	// decoded. Parquet's run-length encodings let a tiny file claim
	// billions of rows, so a server reading untrusted files sets it. CSV
	// and NDJSON rows are bounded by the size of the input and ignore it.
	MaxRows int

	// chunkBytes overrides the minimum CSV chunk size (tests).
	chunkBytes int
}

// force says how a column's type was decided.
type force int

const (
	inferred force = iota
	userForced
	expected
)

// plan returns a column's forced type (or "") and how it was forced.
func (o Options) plan(name string) (drift.ColumnType, force, error) {
	isCat := contains(o.Categorical, name)
	isNum := contains(o.Numerical, name)
	switch {
	case isCat && isNum:
		return "", 0, fmt.Errorf("column %q is both categorical and numerical", name)
	case isCat:
		return drift.Categorical, userForced, nil
	case isNum:
		return drift.Numerical, userForced, nil
	}
	if t, ok := o.Types[name]; ok {
		return t, expected, nil
	}
	return "", inferred, nil
}

// checkNames reports forced columns that the file does not have.
func (o Options) checkNames(names []string) error {
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	for _, list := range [][]string{o.Categorical, o.Numerical} {
		for _, n := range list {
			if !have[n] {
				return fmt.Errorf("column %q is not in the file (columns: %s)", n, strings.Join(names, ", "))
			}
		}
	}
	return nil
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ReadFile reads a CSV (.csv), NDJSON (.ndjson, .jsonl) or Parquet
// (.parquet) file, chosen by its extension.
func ReadFile(path string, opts Options) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".txt":
		data, unmap, err := mapFile(path)
		if err != nil {
			return nil, fmt.Errorf("read csv %q: %w", path, err)
		}
		t, err := ParseCSV(data, opts)
		unmap()
		if err != nil {
			return nil, fmt.Errorf("read csv %q: %w", path, err)
		}
		return t, nil
	case ".ndjson", ".jsonl":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read ndjson %q: %w", path, err)
		}
		t, err := ParseNDJSON(data, opts)
		if err != nil {
			return nil, fmt.Errorf("read ndjson %q: %w", path, err)
		}
		return t, nil
	case ".parquet", ".pq":
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read parquet %q: %w", path, err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("read parquet %q: %w", path, err)
		}
		t, err := ReadParquet(f, st.Size(), opts)
		if err != nil {
			return nil, fmt.Errorf("read parquet %q: %w", path, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("read %q: unknown file type %q (want .csv, .ndjson, .jsonl or .parquet)", path, ext)
}

// textColumn builds a categorical column from interned labels, folding
// the labels pandas would read as one value: boolean literals become
// True/False, and when every label is a number the labels are written
// canonically (so "1" and "1.0" are one category) and sort numerically.
func textColumn(name string, codes []int32, levels []string) drift.Column {
	allBool, allNum := len(levels) > 0, len(levels) > 0
	for _, l := range levels {
		if _, ok := boolLabel(l); !ok {
			allBool = false
		}
		if _, ok := parseNumber([]byte(l)); !ok {
			allNum = false
		}
	}
	var canon func(string) string
	switch {
	case allNum:
		canon = func(l string) string {
			v, _ := parseNumber([]byte(l))
			return drift.FormatNumber(v)
		}
	case allBool:
		canon = func(l string) string {
			b, _ := boolLabel(l)
			return b
		}
	default:
		return drift.Encoded(name, codes, levels)
	}
	remap := make([]int32, len(levels))
	index := make(map[string]int32)
	var out []string
	for i, l := range levels {
		c := canon(l)
		k, ok := index[c]
		if !ok {
			k = int32(len(out))
			index[c] = k
			out = append(out, c)
		}
		remap[i] = k
	}
	for i, c := range codes {
		if c >= 0 {
			codes[i] = remap[c]
		}
	}
	col := drift.Encoded(name, codes, out)
	col.NumericLevels = allNum
	return col
}

// numbersAsText turns a numerical column into a categorical one with
// canonical number labels, for a column forced to be categorical.
func numbersAsText(name string, nums []float64) drift.Column {
	codes := make([]int32, len(nums))
	index := make(map[float64]int32)
	var levels []string
	for i, v := range nums {
		if math.IsNaN(v) {
			codes[i] = -1
			continue
		}
		if v == 0 {
			v = 0
		}
		k, ok := index[v]
		if !ok {
			k = int32(len(levels))
			index[v] = k
			levels = append(levels, drift.FormatNumber(v))
		}
		codes[i] = k
	}
	col := drift.Encoded(name, codes, levels)
	col.NumericLevels = true
	return col
}
