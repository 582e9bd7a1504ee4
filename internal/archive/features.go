package archive

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch"
)

// Kinds of feature values.
const (
	kindNull   byte = 'z'
	kindNumber byte = 'n'
	kindString byte = 's'
	kindBool   byte = 'b'
	kindOther  byte = 'x' // a number float64 cannot hold (1e400): only JSON keeps it
)

// feature is one decoded feature value.
type feature struct {
	name string
	kind byte
	num  float64
	str  string // a string's value, or the raw text of kindOther
	b    bool
}

// parseFeatures decodes a feature object into dst (reset first), sorted by
// name, keeping the last of repeated names as JSON decoders do. Empty
// features give no values.
func parseFeatures(dst []feature, f modelwatch.Features) ([]feature, error) {
	dst = dst[:0]
	if len(f) == 0 {
		return dst, nil
	}
	var perr error
	err := modelwatch.RangeFeatures(f, func(name, value []byte) bool {
		v := feature{name: string(name)}
		switch value[0] {
		case 'n':
			v.kind = kindNull
		case 't', 'f':
			v.kind, v.b = kindBool, value[0] == 't'
		case '"':
			v.kind = kindString
			if bytes.IndexByte(value, '\\') < 0 {
				v.str = string(value[1 : len(value)-1])
			} else if perr = json.Unmarshal(value, &v.str); perr != nil {
				return false
			}
		default:
			n, err := strconv.ParseFloat(string(value), 64)
			if err != nil {
				v.kind, v.str = kindOther, string(value)
			} else {
				v.kind, v.num = kindNumber, n
			}
		}
		dst = append(dst, v)
		return true
	})
	if err == nil {
		err = perr
	}
	if err != nil {
		return dst, err
	}
	slices.SortStableFunc(dst, func(a, b feature) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	// Of repeated names the last one wins: after a stable sort it is the
	// last of its run.
	out := dst[:0]
	for i, v := range dst {
		if i+1 < len(dst) && dst[i+1].name == v.name {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// maxTypedFeatures bounds the feature columns of a typed file.
const maxTypedFeatures = 2000

// featureSchema is the typed features of a file: every prediction has
// exactly these names, and each name holds values of one kind (or null).
type featureSchema struct {
	names []string
	kinds []byte // kindNumber, kindString or kindBool
}

// inferSchema returns the typed schema that every row of sample fits, or
// ok=false when the features must be kept as JSON: predictions with
// different names, a name with values of two kinds, a prediction without
// features, names no Parquet reader handles well.
func inferSchema(sample [][]feature) (featureSchema, bool) {
	if len(sample) == 0 || len(sample[0]) == 0 || len(sample[0]) > maxTypedFeatures {
		return featureSchema{}, false
	}
	s := featureSchema{names: make([]string, len(sample[0])), kinds: make([]byte, len(sample[0]))}
	for i, v := range sample[0] {
		if !goodName(v.name) {
			return featureSchema{}, false
		}
		s.names[i] = v.name
		s.kinds[i] = kindNull
	}
	for _, row := range sample {
		if len(row) != len(s.names) {
			return featureSchema{}, false
		}
		for i, v := range row {
			if v.name != s.names[i] {
				return featureSchema{}, false
			}
			switch {
			case v.kind == kindOther:
				return featureSchema{}, false
			case v.kind == kindNull:
			case s.kinds[i] == kindNull:
				s.kinds[i] = v.kind
			case s.kinds[i] != v.kind:
				return featureSchema{}, false
			}
		}
	}
	for i, k := range s.kinds {
		if k == kindNull {
			s.kinds[i] = kindNumber // only nulls so far: a number column
		}
	}
	return s, true
}

// fits reports whether a prediction's features fit the schema.
func (s featureSchema) fits(row []feature) bool {
	if len(row) != len(s.names) {
		return false
	}
	for i, v := range row {
		if v.name != s.names[i] || (v.kind != kindNull && v.kind != s.kinds[i]) {
			return false
		}
	}
	return true
}

// goodName reports whether a feature name can be a Parquet column name.
func goodName(name string) bool {
	if name == "" || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// featuresJSON writes typed features back as a JSON object, names sorted.
func featuresJSON(names []string, values []any) (modelwatch.Features, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(values[i])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return modelwatch.Features(b.Bytes()), nil
}
