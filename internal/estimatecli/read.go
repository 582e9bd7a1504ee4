package estimatecli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Table is a file read as text: a header and rows of fields. Line gives
// the file line of each row (or, in a Parquet file, its 1-based row
// number), for error messages.
type Table struct {
	Name    string     // the file name, for messages
	Columns []string   // the header
	Rows    [][]string // one field per column; "" is missing
	Line    []int      // the file line (or row) of each row
	// Unit names what Line counts: "line" (the default) or "row".
	Unit string
}

// where names row i of the table for an error message: "line 3".
func (t *Table) where(i int) string {
	unit := t.Unit
	if unit == "" {
		unit = "line"
	}
	return unit + " " + strconv.Itoa(t.Line[i])
}

// Column returns the index of the named column, or -1.
func (t *Table) Column(name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// ReadFile reads a CSV file, an NDJSON file (".ndjson", ".jsonl") or a
// Parquet file (".parquet", ".pq"), chosen by the name's extension.
func ReadFile(path string) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var t *Table
	switch ext {
	case ".ndjson", ".jsonl":
		t, err = ReadNDJSON(f)
	case ".parquet", ".pq":
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			t, err = ReadParquet(f, st.Size())
		}
	default:
		t, err = ReadCSV(f)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	t.Name = filepath.Base(path)
	return t, nil
}

// ReadCSV reads comma-separated values with a header line. Every row must
// have as many fields as the header; an empty field is a missing value.
func ReadCSV(r io.Reader) (*Table, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("no header line")
	}
	if err != nil {
		return nil, err
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if err := uniqueColumns(head); err != nil {
		return nil, err
	}
	t := &Table{Columns: head}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		t.Rows = append(t.Rows, rec)
		t.Line = append(t.Line, line)
	}
}

// ReadNDJSON reads one JSON object per line. Columns are the keys in order
// of first appearance; a key missing from a line, or null, is a missing
// value. Numbers keep their text; booleans become "true" and "false".
func ReadNDJSON(r io.Reader) (*Table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	t := &Table{}
	index := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var obj map[string]any
		if err := d.Decode(&obj); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		row := make([]string, len(t.Columns))
		for k, v := range obj {
			i, ok := index[k]
			if !ok {
				i = len(t.Columns)
				index[k] = i
				t.Columns = append(t.Columns, k)
				row = append(row, "")
			}
			s, err := scalar(v)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", line, k, err)
			}
			row[i] = s
		}
		t.Rows = append(t.Rows, row)
		t.Line = append(t.Line, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Rows read before a column first appeared are short.
	for i, row := range t.Rows {
		for len(row) < len(t.Columns) {
			row = append(row, "")
		}
		t.Rows[i] = row
	}
	return t, nil
}

func scalar(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", errors.New("want a string, number, boolean or null")
}

func uniqueColumns(cols []string) error {
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			return fmt.Errorf("header: column %q appears twice", c)
		}
		seen[c] = true
	}
	return nil
}
