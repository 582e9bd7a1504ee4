package httpapi

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// The fast decoders below read the records of the common shape — plain
// strings, numbers, each known field at most once — in one pass over the
// bytes, without reflection. They give up (return false) on anything else:
// a syntax error, a value of an unexpected type, a string with escapes, a
// key that encoding/json would match case-insensitively, a repeated field,
// a number out of range. The record is then decoded again with
// encoding/json, which reports the problem as it always did. So a fast
// decoder either produces exactly the value encoding/json would, or
// nothing; FuzzFastDecodeMatchesStd checks this.

// fastDecoder is a wire record with a fast decoder.
type fastDecoder interface {
	// decodeFast decodes the JSON object at s into the zero record it is
	// called on and leaves s just past the object. false means s holds
	// something the fast decoder does not handle.
	decodeFast(s *scan) bool
}

// maxFastDepth is the deepest nesting of arrays and objects the fast
// decoders skip over; deeper values go to encoding/json.
const maxFastDepth = 64

// scan is a cursor over a JSON text with what the records of one request
// body share: recent model names and versions (so that a batch of one
// model version holds one copy of each) and blocks of floats.
type scan struct {
	data []byte
	i    int

	names  [2]string // the last model name and version read
	floats []float64 // values behind the *float64 fields, allocated in blocks
	lats   []wireLatency
}

func (s *scan) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips whitespace and consumes c if it comes next.
func (s *scan) next(c byte) bool {
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// plainString reads, after whitespace, a string without escapes or control
// characters whose contents are valid UTF-8 (which encoding/json would take
// as they are) and returns its contents.
func (s *scan) plainString() ([]byte, bool) {
	s.ws()
	d := s.data
	if s.i >= len(d) || d[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	ascii := true
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			str := d[start:i]
			if !ascii && !utf8.Valid(str) {
				return nil, false
			}
			s.i = i + 1
			return str, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// literal consumes lit if it comes next (after whitespace).
func (s *scan) literal(lit string) bool {
	s.ws()
	if bytes.HasPrefix(s.data[s.i:], []byte(lit)) {
		s.i += len(lit)
		return true
	}
	return false
}

// number reads, after whitespace, a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scan) number() ([]byte, bool) {
	s.ws()
	d, i := s.data, s.i
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	default:
		return nil, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return nil, false
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return nil, false
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	s.i = i
	return d[start:i], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipString consumes, after whitespace, any valid JSON string (escapes
// allowed; like encoding/json's syntax check, the bytes need not be UTF-8).
func (s *scan) skipString() bool {
	s.ws()
	d := s.data
	if s.i >= len(d) || d[s.i] != '"' {
		return false
	}
	for i := s.i + 1; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			s.i = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			i++
			if i >= len(d) {
				return false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) {
					return false
				}
				for _, h := range d[i+1 : i+5] {
					if !isHex(h) {
						return false
					}
				}
				i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipValue consumes, after whitespace, any valid JSON value nested at most
// maxFastDepth deep.
func (s *scan) skipValue(depth int) bool {
	s.ws()
	if s.i >= len(s.data) {
		return false
	}
	switch s.data[s.i] {
	case '"':
		return s.skipString()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case '{', '[':
		if depth >= maxFastDepth {
			return false
		}
		closing := byte('}')
		if s.data[s.i] == '[' {
			closing = ']'
		}
		s.i++
		if s.next(closing) {
			return true
		}
		for {
			if closing == '}' && (!s.skipString() || !s.next(':')) {
				return false
			}
			if !s.skipValue(depth + 1) {
				return false
			}
			if s.next(closing) {
				return true
			}
			if !s.next(',') {
				return false
			}
		}
	}
	_, ok := s.number()
	return ok
}

// raw reads any value and returns its bytes, as a json.RawMessage field
// receives them.
func (s *scan) raw() ([]byte, bool) {
	s.ws()
	start := s.i
	if !s.skipValue(0) {
		return nil, false
	}
	return s.data[start:s.i], true
}

// str reads a string field: a plain string, or null, which leaves *dst
// as it is (encoding/json's rule for null).
func (s *scan) str(dst *string) bool {
	if s.literal("null") {
		return true
	}
	b, ok := s.plainString()
	if ok {
		*dst = string(b)
	}
	return ok
}

// name reads a model name or version (a string field), reusing the copy
// of the last one read when it is the same.
func (s *scan) name(dst *string, slot int) bool {
	if s.literal("null") {
		return true
	}
	b, ok := s.plainString()
	if !ok {
		return false
	}
	if string(b) != s.names[slot] {
		s.names[slot] = string(b)
	}
	*dst = s.names[slot]
	return true
}

// float reads a *float64 field: a number that parses as a float64, or
// null (nil).
func (s *scan) float(dst **float64) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	b, ok := s.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return false // out of range: encoding/json reports a type error
	}
	if len(s.floats) == cap(s.floats) {
		s.floats = make([]float64, 0, 512)
	}
	s.floats = append(s.floats, v)
	*dst = &s.floats[len(s.floats)-1]
	return true
}

// endMember consumes the ',' or '}' after an object member and reports
// whether the object goes on and whether it is well formed.
func (s *scan) endMember() (more, ok bool) {
	s.ws()
	if s.i < len(s.data) {
		switch s.data[s.i] {
		case ',':
			s.i++
			return true, true
		case '}':
			s.i++
			return false, true
		}
	}
	return false, false
}

// object reads an object, calling member for each key with the scan just
// past the key's colon; member reads the value.
func (s *scan) object(member func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.next(':') || !member(key) {
			return false
		}
		more, ok := s.endMember()
		if !ok || !more {
			return ok
		}
	}
}

// unknown skips the value of a key that names no field, unless
// encoding/json would match it to one of names case-insensitively.
func (s *scan) unknown(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return false
		}
	}
	return s.skipValue(0)
}

// seen records that field f was read and reports whether it was already.
func seen(set *uint32, f int) bool {
	if *set&(1<<f) != 0 {
		return true
	}
	*set |= 1 << f
	return false
}

var predictionFields = []string{
	"id", "model_name", "model_version", "timestamp", "features", "prediction",
	"confidence", "probabilities", "latency", "latency_ms", "ground_truth",
}

func (w *wirePrediction) decodeFast(s *scan) bool {
	var set uint32
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return !seen(&set, 0) && s.str(&w.ID)
		case "model_name":
			return !seen(&set, 1) && s.name(&w.ModelName, 0)
		case "model_version":
			return !seen(&set, 2) && s.name(&w.ModelVersion, 1)
		case "timestamp":
			var ok bool
			w.Timestamp, ok = s.raw()
			return !seen(&set, 3) && ok
		case "features":
			var ok bool
			w.Features, w.featureSummary, ok = s.features()
			return !seen(&set, 4) && ok
		case "prediction":
			var ok bool
			w.Prediction, ok = s.raw()
			return !seen(&set, 5) && ok
		case "confidence":
			return !seen(&set, 6) && s.float(&w.Confidence)
		case "probabilities":
			return !seen(&set, 7) && s.probabilities(&w.Probabilities)
		case "latency":
			return !seen(&set, 8) && s.latency(&w.Latency)
		case "latency_ms":
			return !seen(&set, 9) && s.float(&w.LatencyMs)
		case "ground_truth":
			var ok bool
			w.GroundTruth, ok = s.raw()
			return !seen(&set, 10) && ok
		}
		return s.unknown(key, predictionFields...)
	})
}

// featureSummary is what the fast decoder learnt of a features object on
// the way: enough for features to check the limits and compact it without
// reading it again. Only an object of scalars whose names have no escapes
// gets one (ok).
type featureSummary struct {
	ok      bool
	spaced  bool // whitespace between tokens, which compacting removes
	n       int  // features
	longest int  // bytes of the longest name or value
}

// features reads a features value like raw, and summarises it.
func (s *scan) features() ([]byte, featureSummary, bool) {
	s.ws()
	start := s.i
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		b, ok := s.raw()
		return b, featureSummary{}, ok
	}
	sum := featureSummary{ok: true}
	s.i++
	ws := func() {
		at := s.i
		s.ws()
		sum.spaced = sum.spaced || s.i != at
	}
	ws()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return s.data[start:s.i], sum, true
	}
	for {
		at := s.i
		if !s.skipString() {
			return nil, sum, false
		}
		if bytes.IndexByte(s.data[at:s.i], '\\') >= 0 {
			sum.ok = false // the name's length is that of its decoded form
		}
		sum.longest = max(sum.longest, s.i-at-2)
		ws()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return nil, sum, false
		}
		s.i++
		ws()
		at = s.i
		if s.i >= len(s.data) {
			return nil, sum, false
		}
		switch s.data[s.i] {
		case '{', '[':
			sum.ok = false // features reports it
		}
		if !s.skipValue(1) {
			return nil, sum, false
		}
		sum.longest = max(sum.longest, s.i-at)
		sum.n++
		ws()
		if s.i >= len(s.data) {
			return nil, sum, false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
			ws()
			continue
		case '}':
			s.i++
			return s.data[start:s.i], sum, true
		}
		return nil, sum, false
	}
}

// probabilities reads an object of numbers, or null (nil).
func (s *scan) probabilities(dst *map[string]float64) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	m := map[string]float64{}
	*dst = m
	return s.object(func(key []byte) bool {
		b, ok := s.number()
		if !ok {
			return false
		}
		v, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return false
		}
		m[string(key)] = v
		return true
	})
}

var latencyFields = []string{"preprocessing_ms", "inference_ms", "postprocessing_ms"}

// latency reads a latency object, or null (nil).
func (s *scan) latency(dst **wireLatency) bool {
	if s.literal("null") {
		*dst = nil
		return true
	}
	if len(s.lats) == cap(s.lats) {
		s.lats = make([]wireLatency, 0, 128)
	}
	s.lats = append(s.lats, wireLatency{})
	l := &s.lats[len(s.lats)-1]
	*dst = l
	var set uint32
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "preprocessing_ms":
			return !seen(&set, 0) && s.float(&l.PreprocessingMs)
		case "inference_ms":
			return !seen(&set, 1) && s.float(&l.InferenceMs)
		case "postprocessing_ms":
			return !seen(&set, 2) && s.float(&l.PostprocessingMs)
		}
		return s.unknown(key, latencyFields...)
	})
}

var groundTruthFields = []string{"id", "ground_truth"}

func (g *wireGroundTruth) decodeFast(s *scan) bool {
	var set uint32
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return !seen(&set, 0) && s.str(&g.ID)
		case "ground_truth":
			var ok bool
			g.Raw, ok = s.raw()
			return !seen(&set, 1) && ok
		}
		return s.unknown(key, groundTruthFields...)
	})
}
