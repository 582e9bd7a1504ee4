package estimatecli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/dataset"
)

// ReadParquet reads a Parquet file with internal/dataset's reader, the one
// the drift command uses, and writes its values as text: numbers in the
// shortest form that parses back to the same float64 (so a probability is
// the same as in a CSV file with its shortest text), booleans as True and
// False, strings as they are, nulls as missing values. Timestamp and date
// columns, which internal/dataset leaves out, are read here as RFC 3339
// times in UTC (a timestamp not adjusted to UTC is taken as UTC, like a CSV
// timestamp without a zone). Nested columns are left out. Line holds each
// row's 1-based number.
func ReadParquet(r io.ReaderAt, size int64) (*Table, error) {
	ds, err := dataset.ReadParquet(r, size, dataset.Options{})
	if err != nil {
		return nil, err
	}
	t := &Table{Unit: "row"}
	cols := make([][]string, 0, len(ds.Columns))
	for _, c := range ds.Columns {
		if c.Invalid != "" {
			return nil, fmt.Errorf("column %q: %s", c.Name, c.Invalid)
		}
		t.Columns = append(t.Columns, c.Name)
		cols = append(cols, columnText(c))
	}
	times, err := readTimeColumns(r, size)
	if err != nil {
		return nil, err
	}
	for _, tc := range times {
		t.Columns = append(t.Columns, tc.name)
		cols = append(cols, tc.values)
	}
	if err := uniqueColumns(t.Columns); err != nil {
		return nil, err
	}
	for j, col := range cols {
		if len(col) != ds.Rows {
			return nil, fmt.Errorf("column %q has %d values for %d rows", t.Columns[j], len(col), ds.Rows)
		}
	}
	t.Rows = make([][]string, ds.Rows)
	t.Line = make([]int, ds.Rows)
	for i := range t.Rows {
		row := make([]string, len(cols))
		for j, col := range cols {
			row[j] = col[i]
		}
		t.Rows[i] = row
		t.Line[i] = i + 1
	}
	return t, nil
}

// columnText writes a column's values as text; "" is missing.
func columnText(c drift.Column) []string {
	if c.Type == drift.Numerical {
		out := make([]string, len(c.Numbers))
		for i, v := range c.Numbers {
			if !math.IsNaN(v) {
				out[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		return out
	}
	out := make([]string, len(c.Codes))
	for i, code := range c.Codes {
		if code >= 0 {
			out[i] = c.Levels[code]
		}
	}
	return out
}

// timeColumn is a Parquet date or time column as RFC 3339 text.
type timeColumn struct {
	name   string
	values []string
}

// readTimeColumns reads the flat timestamp, date and INT96 columns of a
// Parquet file.
func readTimeColumns(r io.ReaderAt, size int64) (cols []timeColumn, err error) {
	// A corrupt file must not crash the command, whatever the decoder does.
	defer func() {
		if p := recover(); p != nil {
			cols, err = nil, fmt.Errorf("corrupt parquet data: %v", p)
		}
	}()
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, err
	}
	for _, c := range f.Root().Columns() {
		conv := timeConverter(c)
		if conv == nil {
			continue
		}
		tc := timeColumn{name: c.Name()}
		buf := make([]parquet.Value, 1024)
		for gi, g := range f.RowGroups() {
			err := dataset.ReadColumnChunk(g, gi, c, buf, func(vs []parquet.Value) {
				for _, v := range vs {
					s := ""
					if !v.IsNull() {
						s = conv(v).UTC().Format(time.RFC3339Nano)
					}
					tc.values = append(tc.values, s)
				}
			})
			if err != nil {
				return nil, err
			}
		}
		cols = append(cols, tc)
	}
	return cols, nil
}

// julianUnixEpoch is the Julian day number of 1970-01-01, INT96's epoch.
const julianUnixEpoch = 2440588

// timeConverter returns how to turn a value of a flat timestamp or date
// column into a time, or nil for any other column (time of day included:
// it is no point in time).
func timeConverter(c *parquet.Column) func(parquet.Value) time.Time {
	if !c.Leaf() || c.Repeated() {
		return nil
	}
	typ := c.Type()
	if lt := typ.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.TimestampType:
			unit := time.Microsecond
			if v.Unit.Value != nil {
				unit = v.Unit.Value.Duration()
			}
			return func(x parquet.Value) time.Time {
				n := x.Int64()
				switch unit {
				case time.Millisecond:
					return time.UnixMilli(n)
				case time.Microsecond:
					return time.UnixMicro(n)
				}
				return time.Unix(0, n)
			}
		case *format.DateType:
			return func(x parquet.Value) time.Time {
				return time.Unix(int64(x.Int32())*86400, 0)
			}
		}
	}
	if typ.Kind() == parquet.Int96 {
		// Nanoseconds of the day in the low 64 bits, the Julian day above.
		return func(x parquet.Value) time.Time {
			i := x.Int96()
			nanos := int64(uint64(i[0]) | uint64(i[1])<<32)
			days := int64(i[2]) - julianUnixEpoch
			return time.Unix(days*86400, nanos)
		}
	}
	return nil
}
