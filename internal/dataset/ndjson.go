package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/modelwatch/modelwatch/drift"
)

// jsonColumn accumulates one NDJSON field.
type jsonColumn struct {
	name    string
	nums    []float64 // the value when it is a JSON number, else NaN
	codes   []int32   // the value as a label, -1 when null or absent
	dict    dict
	numbers bool // every non-null value is a number
	bools   bool // every non-null value is a boolean
	seen    bool // some value is not null
	firstNonNumber
}

// firstNonNumber remembers the first value that is not a number.
type firstNonNumber struct {
	badRow  int
	badText string
}

// ParseNDJSON parses newline-delimited JSON: one object per line, each key
// a column (columns appear in order of first use). Numbers are numerical,
// booleans categorical, strings categorical; null or an absent key is a
// missing value; nested objects and arrays are kept as their JSON text.
func ParseNDJSON(data []byte, opts Options) (*Table, error) {
	var cols []*jsonColumn
	index := make(map[string]int)
	rows := 0
	line := 0
	for len(data) > 0 {
		line++
		var rec []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			rec, data = data[:nl], data[nl+1:]
		} else {
			rec, data = data, nil
		}
		rec = bytes.TrimSpace(rec)
		if len(rec) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(rec))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("line %d: not a JSON object", line)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			key, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fmt.Errorf("line %d, field %q: %w", line, key, err)
			}
			ci, ok := index[key]
			if !ok {
				ci = len(cols)
				index[key] = ci
				c := &jsonColumn{name: key, numbers: true, bools: true, dict: dict{index: make(map[string]int32)}}
				for range rows {
					c.nums = append(c.nums, math.NaN())
					c.codes = append(c.codes, -1)
				}
				cols = append(cols, c)
			}
			c := cols[ci]
			if len(c.codes) > rows {
				return nil, fmt.Errorf("line %d: field %q appears twice", line, key)
			}
			if err := c.add(raw, rows); err != nil {
				return nil, fmt.Errorf("line %d, field %q: %w", line, key, err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("line %d: text after the JSON object", line)
		}
		rows++
		for _, c := range cols {
			if len(c.codes) < rows {
				c.nums = append(c.nums, math.NaN())
				c.codes = append(c.codes, -1)
			}
		}
		if opts.Progress != nil && rows%65536 == 0 {
			opts.Progress(int64(line), int64(line+bytes.Count(data, []byte{'\n'})))
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	if err := opts.checkNames(names); err != nil {
		return nil, err
	}
	t := &Table{Rows: rows}
	for _, c := range cols {
		col, err := c.finish(opts)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

// add records the value of one row.
func (c *jsonColumn) add(raw json.RawMessage, row int) error {
	v, code := math.NaN(), int32(-1)
	switch raw[0] {
	case 'n':
	case 't', 'f':
		c.seen, c.numbers = true, false
		c.noteBad(row, string(raw))
		if raw[0] == 't' {
			code = c.dict.intern([]byte("True"))
		} else {
			code = c.dict.intern([]byte("False"))
		}
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		c.seen, c.numbers, c.bools = true, false, false
		c.noteBad(row, s)
		code = c.dict.intern([]byte(s))
	case '{', '[':
		c.seen, c.numbers, c.bools = true, false, false
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return err
		}
		c.noteBad(row, buf.String())
		code = c.dict.intern(buf.Bytes())
	default:
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return fmt.Errorf("number %s out of range", raw)
		}
		c.seen, c.bools = true, false
		v = f
		code = c.dict.intern([]byte(drift.FormatNumber(f)))
	}
	c.nums = append(c.nums, v)
	c.codes = append(c.codes, code)
	return nil
}

func (c *jsonColumn) noteBad(row int, text string) {
	if c.numbers || c.badText == "" {
		if c.badText == "" {
			c.badRow, c.badText = row, text
		}
	}
}

// finish builds the drift column, applying forced and expected types.
func (c *jsonColumn) finish(opts Options) (drift.Column, error) {
	forced, how, err := opts.plan(c.name)
	if err != nil {
		return drift.Column{}, err
	}
	typ := forced
	if typ == "" {
		typ = drift.Categorical
		if c.numbers {
			typ = drift.Numerical
		}
	}
	if typ == drift.Numerical {
		if c.numbers {
			return drift.Numeric(c.name, c.nums), nil
		}
		// Labels that are numbers written as strings are accepted.
		nums := make([]float64, len(c.codes))
		for i, code := range c.codes {
			nums[i] = math.NaN()
			if code < 0 {
				continue
			}
			v, ok := parseNumber([]byte(c.dict.levels[code]))
			if !ok {
				msg := fmt.Sprintf("row %d: %q is not a number", i+1, c.dict.levels[code])
				if how == userForced {
					return drift.Column{}, fmt.Errorf("column %q: %s", c.name, msg)
				}
				return drift.Invalid(c.name, drift.Numerical, msg), nil
			}
			nums[i] = v
		}
		return drift.Numeric(c.name, nums), nil
	}
	col := drift.Encoded(c.name, c.codes, c.dict.levels)
	col.NumericLevels = c.numbers && c.seen
	return col, nil
}
