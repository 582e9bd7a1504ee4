package dataset

import (
	"bytes"
	"errors"
	"fmt"
)

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
