package dataset

import (
	"bytes"
	"errors"
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

// splitHeader separates the header record from the body.
func splitHeader(data []byte) ([]string, []byte, error) {
	for len(data) > 0 && (data[0] == '\n' || data[0] == '\r') {
		data = data[1:]
	}
	if len(data) == 0 {
		return nil, nil, errors.New("no header row")
	}
	var names []string
	pos, buf := 0, []byte(nil)
	for {
		var field []byte
		var err error
		field, pos, buf, err = nextField(data, pos, buf)
		if err != nil {
			return nil, nil, fmt.Errorf("header: %w", err)
		}
		names = append(names, string(field))
		if pos < len(data) && data[pos] == ',' {
			pos++
			continue
		}
		pos = skipEOL(data, pos)
		break
	}
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if n == "" {
			n = fmt.Sprintf("Unnamed: %d", i) // pandas' name for an empty header
			names[i] = n
		}
		if seen[n] {
			return nil, nil, fmt.Errorf("header: column %q appears twice", n)
		}
		seen[n] = true
	}
	return names, data[pos:], nil
}

// nextField returns the field starting at pos and the position of the
// byte after it (a separator, a line end or the end). Quoted fields are
// unescaped into buf.
func nextField(data []byte, pos int, buf []byte) ([]byte, int, []byte, error) {
	if pos < len(data) && data[pos] == '"' {
		buf = buf[:0]
		pos++
		for {
			q := bytes.IndexByte(data[pos:], '"')
			if q < 0 {
				return nil, pos, buf, errors.New("unterminated quoted field")
			}
			buf = append(buf, data[pos:pos+q]...)
			pos += q + 1
			if pos < len(data) && data[pos] == '"' { // "" is a quote
				buf = append(buf, '"')
				pos++
				continue
			}
			break
		}
		// Like pandas, keep any text between the closing quote and the
		// separator.
		for pos < len(data) && data[pos] != ',' && data[pos] != '\n' && data[pos] != '\r' {
			buf = append(buf, data[pos])
			pos++
		}
		return buf, pos, buf, nil
	}
	start := pos
	for pos < len(data) {
		c := data[pos]
		if c == ',' || c == '\n' || c == '\r' {
			break
		}
		pos++
	}
	return data[start:pos], pos, buf, nil
}

// skipEOL moves past a line end at pos, if any.
func skipEOL(data []byte, pos int) int {
	if pos < len(data) && data[pos] == '\r' {
		pos++
	}
	if pos < len(data) && data[pos] == '\n' {
		pos++
	}
	return pos
}

// split cuts the body into chunks on record boundaries, about four per
// worker, and reserves row slots for each. Without quotes any newline ends
// a record; with quotes the records are walked with the parser's own
// quoting rules to find the boundaries.
func (f *csvFile) split(workers, minChunk int) {
	if minChunk <= 0 {
		minChunk = 1 << 20
	}
	n := max(1, min(4*workers, len(f.data)/minChunk))
	quoted := bytes.IndexByte(f.data, '"') >= 0
	bounds := []int{0}
	pos := 0
	for i := 1; i < n; i++ {
		target := len(f.data) * i / n
		if target <= pos {
			continue
		}
		if quoted {
			for pos < target {
				pos = skipRecord(f.data, pos)
			}
		} else {
			nl := bytes.IndexByte(f.data[target:], '\n')
			if nl < 0 {
				break
			}
			pos = target + nl + 1
		}
		if pos >= len(f.data) {
			break
		}
		bounds = append(bounds, pos)
	}
	bounds = append(bounds, len(f.data))
	offset := 0
	for i := 0; i+1 < len(bounds); i++ {
		c := csvChunk{start: bounds[i], end: bounds[i+1], offset: offset}
		c.capacity = recordBound(f.data[c.start:c.end])
		offset += c.capacity
		f.chunks = append(f.chunks, c)
	}
}

// recordBound is an upper bound on the records in data: its line ends
// (\n, \r\n or a lone \r), plus one if the last line has none. It is
// exact for files without blank lines or quoted line breaks, so that the
// chunks' rows need no moving afterwards.
func recordBound(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if cr := bytes.Count(data, []byte{'\r'}); cr > 0 {
		n += cr - bytes.Count(data, []byte("\r\n"))
	}
	if len(data) > 0 && data[len(data)-1] != '\n' && data[len(data)-1] != '\r' {
		n++
	}
	return n
}

// skipRecord returns the start of the record after the one at pos.
func skipRecord(data []byte, pos int) int {
	for pos < len(data) {
		if data[pos] == '"' {
			pos++
			for pos < len(data) {
				q := bytes.IndexByte(data[pos:], '"')
				if q < 0 {
					return len(data)
				}
				pos += q + 1
				if pos < len(data) && data[pos] == '"' {
					pos++
					continue
				}
				break
			}
		}
		for pos < len(data) && data[pos] != ',' && data[pos] != '\n' && data[pos] != '\r' {
			pos++
		}
		if pos < len(data) && data[pos] == ',' {
			pos++
			continue
		}
		return skipEOL(data, pos)
	}
	return pos
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
