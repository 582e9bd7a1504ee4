package dataset

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/drift"
)

// finish compacts the rows, merges the chunk dictionaries and builds the
// drift columns.
func (f *csvFile) finish(forced []drift.ColumnType, how []force) (*Table, error) {
	rows := 0
	for _, ch := range f.chunks {
		rows += ch.rows
	}
	t := &Table{Rows: rows, Columns: make([]drift.Column, len(f.names))}
	for c, name := range f.names {
		switch f.kinds[c] {
		case kindNum:
			if b := f.firstBad(c); b != nil {
				msg := fmt.Sprintf("row %d: %q is not a number", b.row+1, b.text)
				if how[c] == userForced {
					return nil, fmt.Errorf("column %q: %s", name, msg)
				}
				t.Columns[c] = drift.Invalid(name, drift.Numerical, msg)
				continue
			}
			nums := compact(f.nums[c], f.chunks)
			if forced[c] == drift.Categorical {
				t.Columns[c] = numbersAsText(name, nums)
				continue
			}
			t.Columns[c] = drift.Numeric(name, nums)
		case kindText:
			codes, levels := f.mergeText(c)
			col := textColumn(name, codes, levels)
			if forced[c] != drift.Categorical && col.NumericLevels {
				// Only possible when every value is missing or a number
				// that sniffing could not see: read it as numbers.
				t.Columns[c] = levelsToNumbers(name, col)
				continue
			}
			t.Columns[c] = col
		}
	}
	return t, nil
}

// compact moves each chunk's rows next to the previous chunk's, dropping
// unused slots, and trims the slice.
func compact[T any](vals []T, chunks []csvChunk) []T {
	n := 0
	for _, ch := range chunks {
		if ch.offset != n {
			copy(vals[n:n+ch.rows], vals[ch.offset:ch.offset+ch.rows])
		}
		n += ch.rows
	}
	return vals[:n:n]
}

// mergeText maps every chunk's labels to one dictionary in order of first
// appearance.
func (f *csvFile) mergeText(c int) ([]int32, []string) {
	index := make(map[string]int32)
	var levels []string
	for _, ch := range f.chunks {
		d := ch.dicts[c]
		remap := make([]int32, len(d.levels))
		for i, l := range d.levels {
			k, ok := index[l]
			if !ok {
				k = int32(len(levels))
				index[l] = k
				levels = append(levels, l)
			}
			remap[i] = k
		}
		codes := f.codes[c][ch.offset : ch.offset+ch.rows]
		for i, code := range codes {
			if code >= 0 {
				codes[i] = remap[code]
			}
		}
	}
	return compact(f.codes[c], f.chunks), levels
}

// levelsToNumbers turns a categorical column with numeric levels back
// into numbers.
func levelsToNumbers(name string, col drift.Column) drift.Column {
	vals := make([]float64, len(col.Levels))
	for i, l := range col.Levels {
		vals[i], _ = parseNumber([]byte(l))
	}
	nums := make([]float64, len(col.Codes))
	for i, code := range col.Codes {
		if code < 0 {
			nums[i] = math.NaN()
			continue
		}
		nums[i] = vals[code]
	}
	return drift.Numeric(name, nums)
}
