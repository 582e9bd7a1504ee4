package dataset

import (
	"math"
	"strconv"
	"unsafe"
)

// isNA reports whether a field is a missing value: empty, or one of pandas
// 1.5's default na_values.
func isNA(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if len(b) > 8 {
		return false
	}
	switch string(b) {
	case "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
		"1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null":
		return true
	}
	return false
}

// parseNumber parses a field as pandas' C parser does: surrounding blanks
// are allowed, as are signs, exponents and inf/infinity in any case; hex,
// digit separators, NaN spellings that are not NA strings and values that
// overflow float64 are text.
func parseNumber(b []byte) (float64, bool) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, false
	}
	// Reject what strconv accepts but pandas does not: hex and '_'.
	for _, c := range b {
		if c == 'x' || c == 'X' || c == '_' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// boolLabel returns the canonical label of a pandas boolean literal.
func boolLabel(s string) (string, bool) {
	switch s {
	case "True", "TRUE", "true":
		return "True", true
	case "False", "FALSE", "false":
		return "False", true
	}
	return "", false
}
