package drift

import (
	"fmt"
	"math"
	"strconv"
)

// ColumnType is the type of a column, under Evidently's names.
type ColumnType string

// The two column types. Evidently's third, "text", is not supported.
const (
	Numerical   ColumnType = "num"
	Categorical ColumnType = "cat"
)

// Column is one named column of a dataset, passed to Prepare and Compare.
//
// A numerical column keeps its values in Numbers, NaN and ±Inf meaning
// missing. A categorical column is dictionary-encoded: Codes[i] indexes
// Levels, a negative code meaning missing; this makes counting free and lets
// a reader intern each distinct string once. Use Numeric, Strings and
// Encoded to build columns; the zero Column is not valid.
//
// Compare never modifies a Column's slices.
type Column struct {
	// Name identifies the column; reference and current columns are
	// matched by name.
	Name string
	// Type is Numerical or Categorical.
	Type ColumnType
	// Numbers holds the values of a numerical column.
	Numbers []float64
	// Codes holds the values of a categorical column as indexes into
	// Levels; negative codes are missing values.
	Codes []int32
	// Levels are the distinct category labels of a categorical column.
	// Categories are compared by label.
	Levels []string
	// NumericLevels records that every level is a number written by
	// FormatNumber, as when a numerical column is treated as categorical.
	// The z-test then orders the levels numerically, as pandas would.
	NumericLevels bool
	// Invalid, when not empty, says why the column could not be read (for
	// example a non-numeric value in a numerical column). The column is
	// then reported as not computable with this reason.
	Invalid string
}

// Numeric returns a numerical column; NaN and ±Inf are missing values.
func Numeric(name string, values []float64) Column {
	return Column{Name: name, Type: Numerical, Numbers: values}
}

// Strings returns a categorical column from its labels. missing may be nil;
// when it is not, missing[i] marks values[i] as a missing value.
func Strings(name string, values []string, missing []bool) Column {
	codes := make([]int32, len(values))
	index := make(map[string]int32)
	var levels []string
	for i, v := range values {
		if missing != nil && i < len(missing) && missing[i] {
			codes[i] = -1
			continue
		}
		c, ok := index[v]
		if !ok {
			c = int32(len(levels))
			index[v] = c
			levels = append(levels, v)
		}
		codes[i] = c
	}
	return Column{Name: name, Type: Categorical, Codes: codes, Levels: levels}
}

// Encoded returns a categorical column from codes into levels; negative
// codes are missing values. The slices are used as they are, not copied.
func Encoded(name string, codes []int32, levels []string) Column {
	return Column{Name: name, Type: Categorical, Codes: codes, Levels: levels}
}

// Invalid returns a column of the given type that could not be read,
// reported as not computable with the given reason.
func Invalid(name string, typ ColumnType, reason string) Column {
	return Column{Name: name, Type: typ, Invalid: reason}
}

// Len returns the number of rows of the column, missing values included.
func (c Column) Len() int {
	if c.Type == Numerical {
		return len(c.Numbers)
	}
	return len(c.Codes)
}

// validate checks that the column is well formed.
func (c Column) validate() error {
	switch c.Type {
	case Numerical:
		return nil
	case Categorical:
		if c.Invalid != "" {
			return nil
		}
		for i, code := range c.Codes {
			if int(code) >= len(c.Levels) {
				return fmt.Errorf("column %q row %d: code %d is not a level (%d levels)", c.Name, i, code, len(c.Levels))
			}
		}
		return nil
	case "":
		return fmt.Errorf("column %q: no type", c.Name)
	default:
		return fmt.Errorf("column %q: unknown type %q", c.Name, c.Type)
	}
}

// FormatNumber writes a number as a category label: the shortest text
// that parses back to the same float64, with integral values written
// without a decimal point ("3", not "3.0"). Readers use it when a numerical
// column is treated as categorical, so that equal numbers get equal labels.
func FormatNumber(v float64) string {
	if v == 0 {
		return "0" // -0 and +0 are the same category, as in pandas
	}
	if math.IsInf(v, 1) {
		return "inf"
	}
	if math.IsInf(v, -1) {
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// asCategorical turns a numerical column into a categorical one with
// numeric levels, used when the reference is categorical but the current
// column arrived as numbers.
func (c Column) asCategorical() Column {
	codes := make([]int32, len(c.Numbers))
	index := make(map[float64]int32)
	var levels []string
	for i, v := range c.Numbers {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			codes[i] = -1
			continue
		}
		if v == 0 {
			v = 0 // fold -0 into +0
		}
		code, ok := index[v]
		if !ok {
			code = int32(len(levels))
			index[v] = code
			levels = append(levels, FormatNumber(v))
		}
		codes[i] = code
	}
	return Column{Name: c.Name, Type: Categorical, Codes: codes, Levels: levels, NumericLevels: true}
}
