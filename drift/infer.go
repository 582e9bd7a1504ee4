package drift

import (
	"math"
	"math/bits"
	"strconv"
	"unsafe"
)

// Type inference from text, as pandas.read_csv does it for Evidently users:
// a column whose non-missing values are all numbers is numerical; one whose
// values are all boolean literals is boolean, which Evidently treats as
// categorical; anything else is categorical. The dataset readers use these
// rules; they are here so that any caller holding text can type a column the
// same way.

// InferType returns the type pandas would give a column of text values
// (missing[i] or IsNA marks a missing value; missing may be nil). A column
// with no values at all is numerical, as pandas reads it as float64 NaN.
func InferType(values []string, missing []bool) ColumnType {
	for i, v := range values {
		if (missing != nil && i < len(missing) && missing[i]) || IsNA([]byte(v)) {
			continue
		}
		if _, ok := ParseNumber([]byte(v)); !ok {
			return Categorical
		}
	}
	return Numerical
}

// FromText builds a column from text values with the inferred type:
// numbers for a numerical column (missing values are NaN), and for a
// categorical one the labels as they are, except that a column of boolean
// literals gets the canonical labels "True" and "False".
func FromText(name string, values []string, missing []bool) Column {
	isMissing := func(i int) bool {
		return (missing != nil && i < len(missing) && missing[i]) || IsNA([]byte(values[i]))
	}
	if InferType(values, missing) == Numerical {
		nums := make([]float64, len(values))
		for i, v := range values {
			nums[i] = math.NaN()
			if !isMissing(i) {
				nums[i], _ = ParseNumber([]byte(v))
			}
		}
		return Numeric(name, nums)
	}
	labels := make([]string, len(values))
	gone := make([]bool, len(values))
	allBool := true
	for i, v := range values {
		gone[i] = isMissing(i)
		labels[i] = v
		if !gone[i] {
			if _, ok := BoolLabel(v); !ok {
				allBool = false
			}
		}
	}
	if allBool {
		for i, v := range labels {
			if !gone[i] {
				labels[i], _ = BoolLabel(v)
			}
		}
	}
	return Strings(name, labels, gone)
}

// IsNA reports whether a text field is a missing value as pandas 1.5's
// read_csv sees it: empty, or one of its default na_values ("NA", "NaN",
// "null", "N/A", "#N/A", ...).
func IsNA(b []byte) bool {
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

// ParseNumber parses a text field as a number the way pandas' C parser
// does: surrounding blanks
// are allowed, as are signs, exponents and inf/infinity in any case; hex,
// digit separators, NaN spellings that are not NA strings and values that
// overflow float64 are text. Plain decimals with at most 19 significant
// digits and small exponents take a fast exact path; the rest go through
// strconv.ParseFloat. Both round correctly.
func ParseNumber(b []byte) (float64, bool) {
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
	case m <= 1<<53 && exp < 0 && exp >= -22:
		f = float64(m) / math.Pow10(-exp)
	case m <= 1<<53 && exp >= 0 && exp <= 22:
		f = float64(m) * math.Pow10(exp)
	case exp < 0 && exp >= -19:
		f = divPow10(m, -exp)
	case exp >= 0 && exp <= 19:
		f = mulPow10(m, exp)
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// pow10u returns 10^k for 0 <= k <= 19.
func pow10u(k int) uint64 {
	p := uint64(1)
	for range k {
		p *= 10
	}
	return p
}

// mulPow10 returns m * 10^k correctly rounded, for m > 0 and k <= 19: the
// exact 128-bit product rounded to 53 bits, half to even.
func mulPow10(m uint64, k int) float64 {
	hi, lo := bits.Mul64(m, pow10u(k))
	return roundToFloat(hi, lo, false, 0)
}

// divPow10 returns m / 10^k correctly rounded, for m > 0 and 1 <= k <= 19:
// m is shifted so that the 128-bit quotient has 63 or 64 bits, and the
// remainder decides ties.
func divPow10(m uint64, k int) float64 {
	d := pow10u(k)
	s := 64 - bits.Len64(m) + bits.Len64(d) - 1
	var hi, lo uint64
	if s >= 64 {
		hi = m << (s - 64)
	} else {
		hi, lo = m>>(64-s), m<<s
	}
	q, r := bits.Div64(hi, lo, d)
	return roundToFloat(0, q, r != 0, -s)
}

// roundToFloat rounds the integer hi*2^64+lo (plus a fraction when sticky)
// to a float64, half to even, and scales it by 2^scale.
func roundToFloat(hi, lo uint64, sticky bool, scale int) float64 {
	n := 128 - bits.LeadingZeros64(hi)
	if hi == 0 {
		n = bits.Len64(lo)
	}
	if n <= 53 {
		return math.Ldexp(float64(lo), scale) // exact; sticky needs more bits than we have, not possible here
	}
	shift := n - 53
	// mant = value >> shift; rest = the shifted-out bits.
	var mant uint64
	var restHigh bool // the top shifted-out bit
	var restLow bool  // any lower shifted-out bit
	if shift >= 64 {
		mant = hi >> (shift - 64)
		low := hi & (1<<(shift-64) - 1)
		restHigh = shift > 64 && low>>(shift-65)&1 == 1 || shift == 64 && lo>>63 == 1
		if shift > 64 {
			restLow = low&(1<<(shift-65)-1) != 0 || lo != 0
		} else {
			restLow = lo&(1<<63-1) != 0
		}
	} else {
		mant = hi<<(64-shift) | lo>>shift
		rest := lo & (1<<shift - 1)
		restHigh = rest>>(shift-1)&1 == 1
		restLow = rest&(1<<(shift-1)-1) != 0
	}
	restLow = restLow || sticky
	if restHigh && (restLow || mant&1 == 1) {
		mant++
		if mant == 1<<53 {
			mant >>= 1
			shift++
		}
	}
	return math.Ldexp(float64(mant), shift+scale)
}

// BoolLabel returns "True" or "False" for the boolean literals pandas
// recognises (True, TRUE, true, False, FALSE, false).
func BoolLabel(s string) (string, bool) {
	switch s {
	case "True", "TRUE", "true":
		return "True", true
	case "False", "FALSE", "false":
		return "False", true
	}
	return "", false
}
