package dataset

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/modelwatch/modelwatch/drift"
)

// kind is how a CSV column is being parsed.
type kind int8

const (
	kindNum  kind = iota // numbers, NaN for missing
	kindText             // interned labels, -1 for missing
	kindSkip             // not parsed in this pass
)

// csvFile is a CSV file being parsed.
type csvFile struct {
	data   []byte
	names  []string
	kinds  []kind
	chunks []csvChunk
	nums   [][]float64 // per column, when kindNum
	codes  [][]int32   // per column, when kindText
}

// csvChunk is a piece of the body that starts and ends on a record
// boundary, parsed by one goroutine.
type csvChunk struct {
	start, end int
	offset     int // first row slot in the column slices
	capacity   int // row slots reserved (an upper bound on its rows)
	rows       int
	dicts      []*dict    // per text column: the chunk's own labels
	bad        []*badCell // per numeric column: the first non-number
	err        error
	errRow     int
}

// badCell is the first field of a numeric column that is not a number.
type badCell struct {
	row  int // within the chunk
	text string
}

// dict interns the labels of one column in one chunk.
type dict struct {
	index  map[string]int32
	levels []string
}

// ParseCSV parses CSV data: a header row naming the columns, then one
// record per row, fields separated by commas and optionally quoted with
// '"' (RFC 4180). Blank lines are skipped and missing trailing fields are
// missing values, as in pandas; a record with more fields than the header
// is an error.
func ParseCSV(data []byte, opts Options) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	header, body, err := splitHeader(data)
	if err != nil {
		return nil, err
	}
	f := &csvFile{data: body, names: header}
	if err := opts.checkNames(header); err != nil {
		return nil, err
	}
	forced := make([]drift.ColumnType, len(header))
	how := make([]force, len(header))
	for i, n := range header {
		if forced[i], how[i], err = opts.plan(n); err != nil {
			return nil, err
		}
	}
	f.split(opts.workers(), opts.chunkBytes)
	f.kinds = f.sniff(forced)
	if err := f.parseAll(opts); err != nil {
		return nil, err
	}
	// Numeric guesses that met text are parsed again as text, unless
	// the type was forced.
	redo := make([]kind, len(header))
	again := false
	for c := range header {
		redo[c] = kindSkip
		if f.kinds[c] != kindNum || forced[c] == drift.Numerical {
			continue
		}
		if f.firstBad(c) != nil {
			redo[c], f.kinds[c], again = kindText, kindText, true
		}
	}
	if again {
		f.kinds = mergeKinds(f.kinds, redo)
		if err := f.parseKinds(redo, opts); err != nil {
			return nil, err
		}
	}
	return f.finish(forced, how)
}

// mergeKinds keeps the redo kinds' text columns and marks the rest as
// already parsed (their slices are kept).
func mergeKinds(kinds, redo []kind) []kind {
	out := make([]kind, len(kinds))
	for c := range kinds {
		out[c] = kinds[c]
		if redo[c] == kindText {
			out[c] = kindText
		}
	}
	return out
}

// sniff guesses each column's kind from the first records: numerical if
// every non-missing field seen is a number.
func (f *csvFile) sniff(forced []drift.ColumnType) []kind {
	kinds := make([]kind, len(f.names))
	numeric := make([]bool, len(f.names))
	for i := range numeric {
		numeric[i] = true
	}
	pos, buf := 0, []byte(nil)
	end := len(f.data)
	if len(f.chunks) > 0 {
		end = f.chunks[0].end
	}
	data := f.data[:end]
	for rows := 0; pos < len(data) && rows < 1000; rows++ {
		if data[pos] == '\n' || data[pos] == '\r' {
			pos = skipEOL(data, pos)
			continue
		}
		for c := 0; ; c++ {
			var field []byte
			var err error
			field, pos, buf, err = nextField(data, pos, buf)
			if err != nil {
				pos = len(data)
				break
			}
			if c < len(numeric) && numeric[c] && !isNA(field) {
				if _, ok := parseNumber(field); !ok {
					numeric[c] = false
				}
			}
			if pos < len(data) && data[pos] == ',' {
				pos++
				continue
			}
			pos = skipEOL(data, pos)
			break
		}
	}
	for c := range kinds {
		switch {
		case forced[c] == drift.Numerical:
			kinds[c] = kindNum
		case forced[c] == drift.Categorical && !numeric[c]:
			kinds[c] = kindText
		case numeric[c]:
			kinds[c] = kindNum // forced categorical numbers become labels later
		default:
			kinds[c] = kindText
		}
	}
	return kinds
}

// parseAll allocates the columns and parses every chunk.
func (f *csvFile) parseAll(opts Options) error {
	total := 0
	for _, c := range f.chunks {
		total += c.capacity
	}
	f.nums = make([][]float64, len(f.names))
	f.codes = make([][]int32, len(f.names))
	for c, k := range f.kinds {
		if k == kindNum {
			f.nums[c] = make([]float64, total)
		} else {
			f.codes[c] = make([]int32, total)
		}
	}
	return f.parseKinds(f.kinds, opts)
}

// parseKinds parses the chunks in parallel for the columns whose kind is
// not kindSkip.
func (f *csvFile) parseKinds(kinds []kind, opts Options) error {
	total := 0
	for _, c := range f.chunks {
		total += c.capacity
	}
	for c, k := range kinds {
		if k == kindText && f.codes[c] == nil {
			f.codes[c] = make([]int32, total)
			f.nums[c] = nil
		}
	}
	var done atomic.Int64
	var progressMu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(opts.workers(), len(f.chunks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f.parseChunk(&f.chunks[i], kinds)
				if opts.Progress != nil {
					d := done.Add(int64(f.chunks[i].end - f.chunks[i].start))
					progressMu.Lock()
					opts.Progress(d, int64(len(f.data)))
					progressMu.Unlock()
				}
			}
		}()
	}
	for i := range f.chunks {
		work <- i
	}
	close(work)
	wg.Wait()
	row := 0
	for _, c := range f.chunks {
		if c.err != nil {
			return fmt.Errorf("row %d: %w", row+c.errRow+1, c.err)
		}
		row += c.rows
	}
	return nil
}

// parseChunk parses one chunk's records into the column slices.
func (f *csvFile) parseChunk(ch *csvChunk, kinds []kind) {
	data := f.data[ch.start:ch.end]
	ncol := len(f.names)
	if ch.dicts == nil {
		ch.dicts = make([]*dict, ncol)
		ch.bad = make([]*badCell, ncol)
	}
	for c, k := range kinds {
		switch k {
		case kindText:
			ch.dicts[c] = &dict{index: make(map[string]int32)}
		case kindNum:
			ch.bad[c] = nil
		}
	}
	pos, row := 0, 0
	var buf []byte
	for pos < len(data) {
		if data[pos] == '\n' || data[pos] == '\r' { // blank line
			pos = skipEOL(data, pos)
			continue
		}
		slot := ch.offset + row
		c := 0
		for {
			var field []byte
			var err error
			field, pos, buf, err = nextField(data, pos, buf)
			if err != nil {
				ch.err, ch.errRow = err, row
				return
			}
			if c >= ncol {
				ch.err, ch.errRow = fmt.Errorf("more fields than the %d columns of the header", ncol), row
				return
			}
			switch kinds[c] {
			case kindNum:
				v := math.NaN()
				if !isNA(field) && ch.bad[c] == nil {
					if x, ok := parseNumber(field); ok {
						v = x
					} else {
						ch.bad[c] = &badCell{row: row, text: string(field)}
					}
				}
				f.nums[c][slot] = v
			case kindText:
				code := int32(-1)
				if !isNA(field) {
					code = ch.dicts[c].intern(field)
				}
				f.codes[c][slot] = code
			}
			c++
			if pos < len(data) && data[pos] == ',' {
				pos++
				continue
			}
			pos = skipEOL(data, pos)
			break
		}
		for ; c < ncol; c++ { // missing trailing fields
			switch kinds[c] {
			case kindNum:
				f.nums[c][slot] = math.NaN()
			case kindText:
				f.codes[c][slot] = -1
			}
		}
		row++
	}
	ch.rows = row
}

// intern returns the chunk-local code of a label.
func (d *dict) intern(b []byte) int32 {
	if code, ok := d.index[string(b)]; ok {
		return code
	}
	s := string(b)
	code := int32(len(d.levels))
	d.index[s] = code
	d.levels = append(d.levels, s)
	return code
}

// firstBad returns the first non-number of a numeric column over all
// chunks, with its row counted over the whole file.
func (f *csvFile) firstBad(c int) *badCell {
	row := 0
	for _, ch := range f.chunks {
		if b := ch.bad[c]; b != nil {
			return &badCell{row: row + b.row, text: b.text}
		}
		row += ch.rows
	}
	return nil
}
