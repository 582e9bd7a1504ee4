package modelwatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Features holds a prediction's model inputs as the JSON encoding of an object
// whose values are numbers, strings, booleans or null. It is kept encoded
// because that is how it travels and is stored; FeaturesOf builds one from a
// map and Map decodes it.
type Features []byte

// FeaturesOf encodes m as Features. Values must be numbers, strings, booleans
// or nil.
func FeaturesOf(m map[string]any) (Features, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode features: %w", err)
	}
	if err := ValidateFeatures(b); err != nil {
		return nil, err
	}
	return Features(b), nil
}

// Map decodes f into a map whose values are float64, string, bool or nil.
// Empty Features give an empty map.
func (f Features) Map() (map[string]any, error) {
	m := map[string]any{}
	if len(f) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(f, &m); err != nil {
		return nil, fmt.Errorf("decode features: %w", err)
	}
	return m, nil
}

// MarshalJSON implements json.Marshaler: Features are written as they are
// (null when empty).
func (f Features) MarshalJSON() ([]byte, error) {
	if len(f) == 0 {
		return []byte("null"), nil
	}
	return f, nil
}

// UnmarshalJSON implements json.Unmarshaler. It accepts an object of scalar
// values (or null) and keeps a compact copy of it.
func (f *Features) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*f = nil
		return nil
	}
	if err := ValidateFeatures(data); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Grow(len(data))
	if err := json.Compact(&buf, data); err != nil {
		return err
	}
	*f = buf.Bytes()
	return nil
}

// FeatureError says which feature of an object is invalid and why.
type FeatureError struct {
	Name    string // the feature's name; empty when the whole value is wrong
	Message string
}

// Error implements the error interface.
func (e *FeatureError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return fmt.Sprintf("feature %q %s", e.Name, e.Message)
}

// ValidateFeatures checks that data is a JSON object whose values are numbers,
// strings, booleans or null. It returns a *FeatureError naming the first
// offending feature.
func ValidateFeatures(data []byte) error {
	if !json.Valid(data) {
		return &FeatureError{Message: "must be a JSON object"}
	}
	return CheckFeatureObject(data)
}

// CheckFeatureObject is ValidateFeatures for input already known to be
// syntactically valid JSON (for example a json.RawMessage that encoding/json
// produced): it only checks the shape and that the text is UTF-8 (JSON's
// syntax does not require it, PostgreSQL does), without allocating unless
// it finds an error.
func CheckFeatureObject(data []byte) error {
	if utf8.Valid(data) {
		return RangeFeatures(data, func(_, _ []byte) bool { return true })
	}
	var bad *FeatureError
	err := RangeFeatures(data, func(name, value []byte) bool {
		if !utf8.Valid(name) || !utf8.Valid(value) {
			bad = &FeatureError{Name: strings.ToValidUTF8(string(name), "\uFFFD"), Message: invalidUTF8}
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if bad == nil { // not in a name or a value: outside the strings
		bad = &FeatureError{Message: invalidUTF8}
	}
	return bad
}

// invalidUTF8 says why a feature whose text is not UTF-8 is refused.
const invalidUTF8 = "must be valid UTF-8 text"

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at data[i] (a
// quote), or -1 if it is not terminated.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

func unquoteKey(key []byte) string {
	if s, err := strconv.Unquote(string(key)); err == nil {
		return s
	}
	var s string
	if err := json.Unmarshal(key, &s); err == nil {
		return s
	}
	return string(key)
}

// RangeFeatures calls fn for each feature of a JSON object of scalar values
// (as CheckFeatureObject accepts), in order, with the feature's name (JSON
// escapes decoded) and its raw JSON value, until fn returns false. It does
// not allocate unless a name contains escapes. data must be valid JSON.
func RangeFeatures(data []byte, fn func(name, value []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return &FeatureError{Message: "must be a JSON object"}
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		if data[i] != '"' {
			return &FeatureError{Message: "must be a JSON object"}
		}
		keyStart := i
		if i = skipString(data, i); i < 0 {
			return &FeatureError{Message: "must be a JSON object"}
		}
		key := data[keyStart+1 : i-1]
		if bytesContain(key, '\\') {
			key = []byte(unquoteKey(data[keyStart:i]))
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return &FeatureError{Message: "must be a JSON object"}
		}
		i = skipSpace(data, i+1)
		valStart := i
		if i >= len(data) {
			return &FeatureError{Message: "must be a JSON object"}
		}
		switch data[i] {
		case '{', '[':
			return &FeatureError{Name: string(key), Message: "must be a number, string, boolean or null, not an object or array"}
		case '"':
			if i = skipString(data, i); i < 0 {
				return &FeatureError{Message: "must be a JSON object"}
			}
		default:
			for i < len(data) && !isDelim(data[i]) {
				i++
			}
		}
		if !fn(key, data[valStart:i]) {
			return nil
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return &FeatureError{Message: "must be a JSON object"}
		}
		if data[i] == '}' {
			return nil
		}
		if data[i] != ',' {
			return &FeatureError{Message: "must be a JSON object"}
		}
		i = skipSpace(data, i+1)
	}
	return &FeatureError{Message: "must be a JSON object"}
}

func bytesContain(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
