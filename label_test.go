package modelwatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLabel(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{`"1"`, "1", true},
		{`1`, "1", true},
		{`1.0`, "1", true},
		{`1e3`, "1000", true},
		{`-0`, "0", true},
		{`-0.0`, "0", true},
		{`-7`, "-7", true},
		{`true`, "true", true},
		{`false`, "false", true},
		{`null`, "", true},
		{`"cat"`, "cat", true},
		{`" spaced "`, " spaced ", true},
		{` 2 `, "2", true},
		{`9007199254740993`, "9007199254740993", true},
		{`1.5`, "", false},
		{`""`, "", false},
		{`{}`, "", false},
		{`[1]`, "", false},
		{``, "", false},
		{`tru`, "", false},
		{`1e400`, "", false},
		{`1e19`, "", false},
		{`"` + strings.Repeat("x", 257) + `"`, "", false},
	}
	for _, c := range cases {
		got, err := ParseLabel([]byte(c.in))
		if (err == nil) != c.ok || string(got) != c.want {
			t.Errorf("ParseLabel(%s) = %q, %v; want %q (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestValidateFeatures(t *testing.T) {
	cases := []struct {
		in       string
		ok       bool
		badField string
	}{
		{`{}`, true, ""},
		{`{"a":1,"b":"x","c":true,"d":null,"e":-1.5e3}`, true, ""},
		{` { "a" : "}{\"" } `, true, ""},
		{`{"a":{"b":1}}`, false, "a"},
		{`{"x":1,"list":[1,2]}`, false, "list"},
		{`{"we\"ird":[]}`, false, `we"ird`},
		{`[]`, false, ""},
		{`1`, false, ""},
		{`"s"`, false, ""},
		{`{"a":1`, false, ""},
		{`{"a" 1}`, false, ""},
		{``, false, ""},
		{`{"née":"Zoë","日本":1}`, true, ""},
		{"{\"x\":1,\"a\":\"b\xff\"}", false, "a"},
		{"{\"\xc3b\":1}", false, "\uFFFDb"},
		{"{\"a\":\"\xed\xa0\x80\"}", false, "a"}, // a UTF-16 surrogate, encoded
	}
	for _, c := range cases {
		err := ValidateFeatures([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("ValidateFeatures(%s) = %v, want ok %v", c.in, err, c.ok)
			continue
		}
		if err != nil {
			var fe *FeatureError
			if !errors.As(err, &fe) || fe.Name != c.badField {
				t.Errorf("ValidateFeatures(%s) = %#v, want the feature %q named", c.in, err, c.badField)
			}
		}
	}
}

func FuzzCheckFeatureObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1]}}`, `{"a":"\\\""}`, `[{}]`, `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never panics; anything it accepts that is valid JSON decodes to a
		// map of scalars.
		err := ValidateFeatures(b)
		if err != nil {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted %q, which is not UTF-8", b)
		}
		m, err := Features(b).Map()
		if err != nil {
			t.Fatalf("accepted %q but Map() fails: %v", b, err)
		}
		for k, v := range m {
			switch v.(type) {
			case nil, bool, float64, string:
			default:
				t.Fatalf("accepted %q with feature %q of type %T", b, k, v)
			}
		}
	})
}

func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{`1`, `"a"`, `1.0`, `true`, `null`, `1e3`, `-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLabel(b)
		if err != nil || l == "" {
			return
		}
		// Every label round-trips through its JSON string form.
		enc, err := json.Marshal(string(l))
		if err != nil {
			t.Fatal(err)
		}
		if again, err := ParseLabel(enc); err != nil || again != l {
			t.Fatalf("ParseLabel(%q) = %q, but its string form %s parses to %q, %v", b, l, enc, again, err)
		}
	})
}

func TestRangeFeatures(t *testing.T) {
	var got []string
	err := RangeFeatures([]byte(` { "a" : 1.5 , "b\"q":"x y" ,"c":true,"d":null} `), func(name, value []byte) bool {
		got = append(got, string(name)+"="+string(value))
		return true
	})
	want := []string{`a=1.5`, `b"q="x y"`, `c=true`, `d=null`}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("RangeFeatures = %q, %v; want %q", got, err, want)
	}
	n := 0
	_ = RangeFeatures([]byte(`{"a":1,"b":2}`), func(_, _ []byte) bool { n++; return false })
	if n != 1 {
		t.Errorf("RangeFeatures did not stop when fn returned false")
	}
}

// parseStringLabelStd is ParseLabel's rule for a JSON string, decoded with
// encoding/json.
func parseStringLabelStd(data []byte) (Label, error) {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return "", errors.New("must be a string, integer or boolean")
	}
	if s == "" {
		return "", errors.New("must not be empty")
	}
	if len(s) > MaxLabelLength {
		return "", errors.New("is longer than " + strconv.Itoa(MaxLabelLength) + " bytes")
	}
	return Label(s), nil
}

func checkStringLabel(t *testing.T, in []byte) {
	t.Helper()
	got, gotErr := ParseLabel(in)
	want, wantErr := parseStringLabelStd(bytes.TrimSpace(in))
	if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("ParseLabel(%q) = %q, %v; encoding/json gives %q, %v", in, got, gotErr, want, wantErr)
	}
}

// TestParseLabelStrings checks that string labels read without
// encoding/json (no escapes) come out as encoding/json decodes them.
func TestParseLabelStrings(t *testing.T) {
	for _, in := range []string{
		`"a"`, `""`, ` "cat" `, `"a\"b"`, `"caf\u00e9"`, `"café"`, "\"a\xffb\"", "\"a\tb\"", `"\ud800"`,
		`"a"b"`, `"`, `"a`, `"` + strings.Repeat("x", MaxLabelLength) + `"`, `"` + strings.Repeat("x", MaxLabelLength+1) + `"`,
		`"` + strings.Repeat("é", MaxLabelLength/2+1) + `"`, `"\u0000"`, "\"a\x7fb\"",
	} {
		checkStringLabel(t, []byte(in))
	}
}

func FuzzParseLabelString(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\"b"`, "\"a\xffb\"", `""`, `"\u00e9"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(bytes.TrimSpace(b)) == 0 || bytes.TrimSpace(b)[0] != '"' {
			b = append([]byte{'"'}, b...)
		}
		checkStringLabel(t, b)
	})
}
