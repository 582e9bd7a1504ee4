package drift

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestParseNumberAgreesWithStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200000 {
		var v float64
		switch i % 4 {
		case 0:
			v = r.NormFloat64()
		case 1:
			v = math.Exp(r.NormFloat64() * 20)
		case 2:
			v = float64(r.Int64N(1 << 60))
		default:
			v = math.Float64frombits(r.Uint64())
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		for _, s := range []string{strconv.FormatFloat(v, 'g', -1, 64), strconv.FormatFloat(v, 'f', -1, 64), strconv.FormatFloat(v, 'e', 12, 64)} {
			want, _ := strconv.ParseFloat(s, 64)
			got, ok := ParseNumber([]byte(s))
			if !ok || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("ParseNumber(%q) = %v, %v; want %v", s, got, ok, want)
			}
		}
	}
	for range 300000 {
		// 17 to 19 significant digits with exponents near the exact range.
		digits := 17 + r.IntN(3)
		m := strconv.FormatUint(r.Uint64N(9e18)+1e18, 10)[:digits]
		s := m[:1] + "." + m[1:] + "e" + strconv.Itoa(r.IntN(44)-22)
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		want, _ := strconv.ParseFloat(s, 64)
		got, ok := ParseNumber([]byte(s))
		if !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("ParseNumber(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{
		"9007199254740993", "9007199254740995", "18014398509481986", "18014398509481990",
		"9.0071992547409930e15", "90071992547409950e-1", "1.8014398509481986e16", "4503599627370496.5",
		"4503599627370497.5", "0.30000000000000004", "1.7976931348623157e308", "4.9e-324",
	} {
		want, _ := strconv.ParseFloat(s, 64)
		if got, ok := ParseNumber([]byte(s)); !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	cases := map[string]bool{
		"1": true, "-0": true, "+.5": true, "5.": true, "1e5": true, "1E-5": true, "007": true,
		"0.000000000000000000000001": true, "1e": false, "e1": false, ".": false, "-": false,
		"1.2.3": false, "1e+": false, "0x1p3": false, "1_0": false, "NAN": false, "Infinity": true, "-inf": true,
		"1e400": false, " 2 ": true, "12345678901234567890123": true,
	}
	for s, want := range cases {
		got, ok := ParseNumber([]byte(s))
		if ok != want {
			t.Errorf("ParseNumber(%q) ok = %v, want %v", s, ok, want)
		}
		if ok {
			ref, _ := strconv.ParseFloat(s[:], 64)
			if s == " 2 " {
				ref = 2
			}
			if math.Float64bits(got) != math.Float64bits(ref) {
				t.Errorf("ParseNumber(%q) = %v, want %v", s, got, ref)
			}
		}
	}
}

func TestFromText(t *testing.T) {
	tests := []struct {
		in      []string
		missing []bool
		want    string
	}{
		{[]string{"1", " 2.5", "NA", "", "1e3"}, nil, "num 1 2.5 NaN NaN 1000"},
		{[]string{"true", "FALSE", "", "True"}, nil, "cat True False <NA> True"},
		{[]string{"1", "x", "nan"}, nil, "cat 1 x <NA>"},
		{[]string{"1", "2"}, []bool{false, true}, "num 1 NaN"},
		{[]string{"0x10", "1_000"}, nil, "cat 0x10 1_000"},
	}
	for _, tt := range tests {
		c := FromText("c", tt.in, tt.missing)
		got := string(c.Type)
		if c.Type == Numerical {
			for _, v := range c.Numbers {
				got += " " + strconv.FormatFloat(v, 'g', -1, 64)
			}
		} else {
			for _, code := range c.Codes {
				if code < 0 {
					got += " <NA>"
				} else {
					got += " " + c.Levels[code]
				}
			}
		}
		if got != tt.want {
			t.Errorf("FromText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
