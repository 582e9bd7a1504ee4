package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/modelwatch/modelwatch/drift"
)

// parquetKind is how a Parquet column is read.
type parquetKind int

const (
	pqNumber parquetKind = iota
	pqText
	pqBool
	pqSkip
)

// ReadParquet reads the flat columns of a Parquet file. Integer, floating
// point and decimal columns are numerical; strings and other byte arrays,
// and booleans, are categorical; nulls are missing values. Date and time
// columns are left out, as Evidently leaves out datetime columns, and so
// are nested columns (groups, lists, maps); Table.Skipped names them.
func ReadParquet(r io.ReaderAt, size int64, opts Options) (t *Table, err error) {
	// A corrupt file must not crash the caller, whatever the decoder does.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("corrupt parquet data: %v", p)
		}
	}()
	if err := checkFooter(r, size); err != nil {
		return nil, err
	}
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, err
	}
	groups := f.RowGroups()
	if err := checkRowCounts(f.NumRows(), groups, opts.MaxRows); err != nil {
		return nil, err
	}
	t = &Table{Rows: int(f.NumRows())}
	var names []string
	for _, c := range f.Root().Columns() {
		names = append(names, c.Name())
	}
	if err := opts.checkNames(names); err != nil {
		return nil, err
	}
	for _, c := range f.Root().Columns() {
		k, scale, why := parquetKindOf(c)
		if k == pqSkip {
			t.Skipped = append(t.Skipped, fmt.Sprintf("%s (%s)", c.Name(), why))
			continue
		}
		var nums []float64 // not sized from the metadata, which may lie
		var codes []int32
		d := dict{index: make(map[string]int32)}
		buf := make([]parquet.Value, 4096)
		for gi, g := range groups {
			err := ReadColumnChunk(g, gi, c, buf, func(vs []parquet.Value) {
				for _, v := range vs {
					switch {
					case v.IsNull():
						nums = append(nums, math.NaN())
						codes = append(codes, -1)
					case k == pqNumber:
						nums = append(nums, parquetNumber(v, scale))
					case k == pqBool:
						label := "False"
						if v.Boolean() {
							label = "True"
						}
						codes = append(codes, d.intern([]byte(label)))
					default:
						codes = append(codes, d.intern(v.ByteArray()))
					}
				}
			})
			if err != nil {
				return nil, err
			}
			if opts.Progress != nil {
				opts.Progress(int64(gi+1), int64(len(groups)))
			}
		}
		col, err := parquetColumn(c.Name(), k, nums, codes, d.levels, opts)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

// ReadColumnChunk reads the values of flat column c in row group g (gi is
// its index, for messages) page by page into buf, passing each batch to fn
// in row order. A chunk that decodes to more or fewer values than the row
// group's rows is an error, and one too long stops as soon as it passes
// them: a corrupt file's pages must not grow a column past what its row
// counts, already bounded, allow.
func ReadColumnChunk(g parquet.RowGroup, gi int, c *parquet.Column, buf []parquet.Value, fn func([]parquet.Value)) error {
	want, read := int(g.NumRows()), 0
	pages := g.ColumnChunks()[c.Index()].Pages()
	defer pages.Close()
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("column %q, row group %d: %w", c.Name(), gi, err)
		}
		vr := page.Values()
		for {
			n, err := vr.ReadValues(buf)
			if read += n; read > want {
				return fmt.Errorf("column %q, row group %d: more values than the row group's %d rows", c.Name(), gi, want)
			}
			fn(buf[:n])
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("column %q, row group %d: %w", c.Name(), gi, err)
			}
		}
	}
	if read != want {
		return fmt.Errorf("column %q, row group %d: %d values for %d rows", c.Name(), gi, read, want)
	}
	return nil
}

// checkFooter checks a file's magic numbers and that its footer fits in the
// file, before parquet-go allocates the footer length the file claims.
func checkFooter(r io.ReaderAt, size int64) error {
	const magic = "PAR1"
	if size < 12 {
		return fmt.Errorf("not a parquet file: %d bytes", size)
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return fmt.Errorf("read parquet header: %w", err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("read parquet footer: %w", err)
	}
	if string(head[:4]) != magic || string(tail[4:]) != magic {
		return errors.New("not a parquet file (no PAR1 magic number at its start and end; encrypted files are not supported)")
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("corrupt parquet file: a footer of %d bytes in a file of %d", n, size)
	}
	return nil
}

// checkRowCounts checks a file's row counts before anything is decoded:
// none negative, the row groups adding up to the file's, and at most
// maxRows (when positive).
func checkRowCounts(rows int64, groups []parquet.RowGroup, maxRows int) error {
	if rows < 0 {
		return fmt.Errorf("corrupt parquet metadata: %d rows", rows)
	}
	if maxRows > 0 && rows > int64(maxRows) {
		return fmt.Errorf("the file has %d rows, more than the limit of %d", rows, maxRows)
	}
	var sum int64
	for i, g := range groups {
		n := g.NumRows()
		if n < 0 || n > rows-sum {
			return fmt.Errorf("corrupt parquet metadata: row group %d claims %d rows of the file's %d", i, n, rows)
		}
		sum += n
	}
	if sum != rows {
		return fmt.Errorf("corrupt parquet metadata: the row groups hold %d rows, the file %d", sum, rows)
	}
	return nil
}

// parquetKindOf classifies a top-level column; for decimals it returns the
// scale, and for skipped columns why.
func parquetKindOf(c *parquet.Column) (parquetKind, int, string) {
	if !c.Leaf() || c.Repeated() {
		return pqSkip, 0, "nested"
	}
	typ := c.Type()
	if lt := typ.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.TimestampType, *format.DateType, *format.TimeType:
			return pqSkip, 0, "date or time"
		case *format.DecimalType:
			return pqNumber, int(v.Scale), ""
		case *format.StringType, *format.EnumType, *format.JsonType, *format.UUIDType:
			return pqText, 0, ""
		}
	}
	switch typ.Kind() {
	case parquet.Boolean:
		return pqBool, 0, ""
	case parquet.Int32, parquet.Int64, parquet.Float, parquet.Double:
		return pqNumber, 0, ""
	case parquet.Int96:
		return pqSkip, 0, "INT96 timestamp"
	}
	return pqText, 0, ""
}

// parquetNumber converts a numeric value, applying a decimal scale.
func parquetNumber(v parquet.Value, scale int) float64 {
	var f float64
	switch v.Kind() {
	case parquet.Int32:
		f = float64(v.Int32())
	case parquet.Int64:
		f = float64(v.Int64())
	case parquet.Float:
		f = float64(v.Float())
	case parquet.Double:
		f = v.Double()
	case parquet.ByteArray, parquet.FixedLenByteArray: // big-endian two's complement decimal
		b := v.ByteArray()
		n := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		f, _ = new(big.Float).SetInt(n).Float64()
	default:
		return math.NaN()
	}
	if scale > 0 {
		f /= math.Pow10(scale)
	}
	return f
}

// parquetColumn builds the drift column, applying forced and expected
// types.
func parquetColumn(name string, k parquetKind, nums []float64, codes []int32, levels []string, opts Options) (drift.Column, error) {
	forced, how, err := opts.plan(name)
	if err != nil {
		return drift.Column{}, err
	}
	if k == pqNumber {
		if forced == drift.Categorical {
			return numbersAsText(name, nums), nil
		}
		return drift.Numeric(name, nums), nil
	}
	if forced != drift.Numerical {
		return textColumn(name, codes, levels), nil
	}
	out := make([]float64, len(codes))
	for i, code := range codes {
		out[i] = math.NaN()
		if code < 0 {
			continue
		}
		v, ok := parseNumber([]byte(levels[code]))
		if !ok {
			msg := fmt.Sprintf("row %d: %q is not a number", i+1, levels[code])
			if how == userForced {
				return drift.Column{}, fmt.Errorf("column %q: %s", name, msg)
			}
			return drift.Invalid(name, drift.Numerical, msg), nil
		}
		out[i] = v
	}
	return drift.Numeric(name, out), nil
}
