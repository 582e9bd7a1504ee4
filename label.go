package modelwatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// MaxLabelLength is the longest class label accepted, in bytes.
const MaxLabelLength = 256

// Label is a class label: a predicted class or a ground truth. In JSON it may
// be written as a string, an integer or a boolean and is kept as its string
// form, so 1, 1.0 and "1" are the same class and true is "true". The empty
// Label means "no label".
type Label string

// ParseLabel parses the JSON encoding of a class label. A string is taken as
// it is; an integral number (1, 1.0, 1e3) becomes its decimal integer form; a
// boolean becomes "true" or "false"; null gives the empty Label. Fractional
// numbers, objects and arrays are errors, as are empty strings and labels
// longer than MaxLabelLength bytes.
func ParseLabel(data []byte) (Label, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "", errors.New("must be a string, integer or boolean")
	}
	switch c := data[0]; {
	case c == '"':
		s, ok := plainString(data)
		if !ok {
			if err := json.Unmarshal(data, &s); err != nil {
				return "", errors.New("must be a string, integer or boolean")
			}
		}
		if s == "" {
			return "", errors.New("must not be empty")
		}
		if len(s) > MaxLabelLength {
			return "", errors.New("is longer than " + strconv.Itoa(MaxLabelLength) + " bytes")
		}
		return Label(s), nil
	case c == 't' && string(data) == "true", c == 'f' && string(data) == "false":
		return Label(data), nil
	case c == 'n' && string(data) == "null":
		return "", nil
	case c == '-' || (c >= '0' && c <= '9'):
		return parseNumericLabel(data)
	}
	return "", errors.New("must be a string, integer or boolean")
}

// plainString returns the contents of the JSON string data when it has
// neither escapes nor control characters and is valid UTF-8: then they are
// what encoding/json would decode it to.
func plainString(data []byte) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	body := data[1 : len(data)-1]
	for _, c := range body {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

func parseNumericLabel(data []byte) (Label, error) {
	s := string(data)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Label(strconv.FormatInt(i, 10)), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", errors.New("must be a string, integer or boolean")
	}
	if f != math.Trunc(f) {
		return "", errors.New("must be an integral number when numeric (a class label, not a score)")
	}
	if math.Abs(f) >= 1<<63 {
		return "", errors.New("is an integer too large for a class label; send it as a string")
	}
	if f == 0 {
		f = 0 // normalise -0
	}
	return Label(strconv.FormatInt(int64(f), 10)), nil
}

// UnmarshalJSON implements json.Unmarshaler with ParseLabel's rules.
func (l *Label) UnmarshalJSON(data []byte) error {
	v, err := ParseLabel(data)
	if err != nil {
		return err
	}
	*l = v
	return nil
}
