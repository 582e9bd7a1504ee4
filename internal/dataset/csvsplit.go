package dataset

import "bytes"

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
