package monitor

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
)

// columnBuilder turns stored feature objects into drift columns, typed like
// the reference's columns, reading each object once without building maps.
// Values are converted as the dataset package converts NDJSON, so that
// production data and a reference file read the same way: in a categorical
// column numbers become their shortest decimal form and booleans True or
// False; in a numerical column numbers written as strings are accepted, and
// anything else makes the column not computable, naming the prediction.
type columnBuilder struct {
	index map[string]int
	cols  []*colAcc
	rows  int

	// the row being added, for visit
	row   int
	ts    time.Time
	visit func(name, value []byte) bool

	// max, when positive, is the most rows kept: past it, rows are kept as
	// a uniform random sample of all those added (reservoir sampling, rng).
	max int
	rng *rand.Rand
}

type colAcc struct {
	name   string
	typ    drift.ColumnType
	nums   []float64
	codes  []int32
	dict   map[string]int32
	levels []string
	bad    string // why a numerical column cannot be computed
}

func newColumnBuilder(names []string, types map[string]drift.ColumnType) *columnBuilder {
	b := &columnBuilder{index: make(map[string]int, len(names))}
	for _, n := range names {
		b.index[n] = len(b.cols)
		b.cols = append(b.cols, &colAcc{name: n, typ: types[n], dict: map[string]int32{}})
	}
	b.visit = b.setValue // bound once: no allocation per row
	return b
}

// sample makes the builder keep at most limit rows, a uniform random sample
// of all those added, drawn with a generator seeded with seed.
func (b *columnBuilder) sample(limit int, seed uint64) {
	b.max, b.rng = limit, rand.New(rand.NewPCG(seed, 0x6d77))
}

// sampled reports whether the built columns hold a sample of the rows
// added rather than all of them.
func (b *columnBuilder) sampled() bool { return b.max > 0 && b.rows > b.max }

// kept returns the number of rows in the built columns.
func (b *columnBuilder) kept() int {
	if b.sampled() {
		return b.max
	}
	return b.rows
}

// add appends one prediction's features (a JSON object) as a row; past
// the builder's maximum, it replaces a random row or is left out, so that
// every row added is kept with the same probability (Vitter's algorithm R).
func (b *columnBuilder) add(ts time.Time, features []byte) error {
	row := b.rows
	b.rows++
	if b.max > 0 && row >= b.max {
		j := b.rng.IntN(row + 1)
		if j >= b.max {
			return nil
		}
		row = j
		for _, c := range b.cols {
			if c.typ == drift.Numerical {
				c.nums[row] = math.NaN()
			} else {
				c.codes[row] = -1
			}
		}
	} else {
		for _, c := range b.cols {
			if c.typ == drift.Numerical {
				c.nums = append(c.nums, math.NaN())
			} else {
				c.codes = append(c.codes, -1)
			}
		}
	}
	b.row, b.ts = row, ts
	return modelwatch.RangeFeatures(features, b.visit)
}

func (b *columnBuilder) setValue(name, value []byte) bool {
	ci, ok := b.index[string(name)]
	if !ok || len(value) == 0 || value[0] == 'n' {
		return true
	}
	c := b.cols[ci]
	if c.typ == drift.Numerical {
		c.setNumber(b.row, b.ts, value)
	} else {
		c.codes[b.row] = c.internValue(value)
	}
	return true
}

// internValue returns the code of a JSON scalar's categorical form; the
// common case, a string without escapes already seen, does not allocate.
func (c *colAcc) internValue(value []byte) int32 {
	if value[0] == '"' {
		inner := value[1 : len(value)-1]
		if code, ok := c.dict[string(inner)]; ok {
			return code
		}
	}
	return c.intern(labelOf(value))
}

func (c *colAcc) setNumber(row int, ts time.Time, value []byte) {
	text := value
	if value[0] == '"' {
		text = value[1 : len(value)-1]
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil || value[0] == 't' || value[0] == 'f' {
		if c.bad == "" {
			shown := string(value)
			if value[0] == 't' || value[0] == 'f' {
				shown = strconv.Quote(labelOf(value))
			}
			c.bad = fmt.Sprintf("the prediction of %s has %s, which is not a number", ts.Format(time.RFC3339Nano), shown)
		}
		return
	}
	c.nums[row] = v
}

// labelOf is the categorical form of a JSON scalar.
func labelOf(value []byte) string {
	switch value[0] {
	case 't':
		return "True"
	case 'f':
		return "False"
	case '"':
		inner := value[1 : len(value)-1]
		for _, ch := range inner {
			if ch == '\\' {
				var s string
				if err := json.Unmarshal(value, &s); err == nil {
					return s
				}
				break
			}
		}
		return string(inner)
	}
	if v, err := strconv.ParseFloat(string(value), 64); err == nil {
		return drift.FormatNumber(v)
	}
	return string(value)
}

// dropUnused removes the levels no kept row has (those of rows a sample
// replaced), renumbering the codes.
func (c *colAcc) dropUnused() {
	used := make([]bool, len(c.levels))
	for _, code := range c.codes {
		if code >= 0 {
			used[code] = true
		}
	}
	if !slices.Contains(used, false) {
		return
	}
	renum := make([]int32, len(c.levels))
	levels := c.levels[:0:0]
	for code, ok := range used {
		renum[code] = -1
		if ok {
			renum[code] = int32(len(levels))
			levels = append(levels, c.levels[code])
		}
	}
	for i, code := range c.codes {
		if code >= 0 {
			c.codes[i] = renum[code]
		}
	}
	c.levels = levels
	c.dict = nil // no more rows are added
}

func (c *colAcc) intern(s string) int32 {
	if code, ok := c.dict[s]; ok {
		return code
	}
	code := int32(len(c.levels))
	c.dict[s] = code
	c.levels = append(c.levels, s)
	return code
}

// columns returns the built columns in reference order.
func (b *columnBuilder) columns() []drift.Column {
	out := make([]drift.Column, len(b.cols))
	for i, c := range b.cols {
		if b.sampled() && c.typ != drift.Numerical {
			c.dropUnused()
		}
		switch {
		case c.typ == drift.Numerical && c.bad != "":
			out[i] = drift.Invalid(c.name, drift.Numerical, c.bad)
		case c.typ == drift.Numerical:
			out[i] = drift.Numeric(c.name, c.nums)
		default:
			out[i] = drift.Encoded(c.name, c.codes, c.levels)
		}
	}
	return out
}
