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
// overflow float64 are text. Plain decimals with at most 19 significant
// digits and small exponents take a fast exact path; the rest go through
// strconv.ParseFloat. Both round correctly.
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
	if f, ok := fastDecimal(b); ok {
		return f, true
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

// fastDecimal parses [+-]digits[.digits][(e|E)[+-]digits] when the digits
// fit in a uint64 mantissa m <= 2^53 and the decimal exponent e is within
// +-22: then m and 10^|e| are exact doubles and one multiplication or
// division rounds correctly (Clinger's fast path). It reports false for
// anything else, to be parsed the slow way.
func fastDecimal(b []byte) (float64, bool) {
	i, neg := 0, false
	if b[0] == '+' || b[0] == '-' {
		neg, i = b[0] == '-', 1
	}
	var m uint64
	digits, exp := 0, 0
	sawDigit, sawDot := false, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if m == 0 && c == '0' {
				if sawDot {
					exp--
				}
				continue // leading zeros are not significant
			}
			if digits == 19 {
				return 0, false
			}
			m = m*10 + uint64(c-'0')
			digits++
			if sawDot {
				exp--
			}
		case c == '.' && !sawDot:
			sawDot = true
		default:
			goto exponent
		}
	}
exponent:
	if !sawDigit {
		return 0, false
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return 0, false
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg, i = b[i] == '-', i+1
		}
		if i == len(b) {
			return 0, false
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' || e > 10000 {
				return 0, false
			}
			e = e*10 + int(c-'0')
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	var f float64
	switch {
	case m == 0:
		f = 0
	case m > 1<<53 || exp < -22 || exp > 22:
		return 0, false
	case exp < 0:
		f = float64(m) / math.Pow10(-exp)
	default:
		f = float64(m) * math.Pow10(exp)
	}
	if neg {
		f = -f
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
