package dataset

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// labels returns a categorical column's values as text, "<NA>" for missing.
func labels(c drift.Column) []string {
	out := make([]string, len(c.Codes))
	for i, code := range c.Codes {
		out[i] = "<NA>"
		if code >= 0 {
			out[i] = c.Levels[code]
		}
	}
	return out
}

func numbers(c drift.Column) []string {
	out := make([]string, len(c.Numbers))
	for i, v := range c.Numbers {
		out[i] = drift.FormatNumber(v)
		if math.IsNaN(v) {
			out[i] = "<NA>"
		}
	}
	return out
}

// values renders a column for comparisons.
func values(c drift.Column) string {
	if c.Invalid != "" {
		return string(c.Type) + " invalid: " + c.Invalid
	}
	if c.Type == drift.Numerical {
		return "num " + strings.Join(numbers(c), " ")
	}
	return "cat " + strings.Join(labels(c), " ")
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want map[string]string
	}{
		{
			"types", "n,f,s,b\n1,1.5,x,True\n2,,y,false\n3,2e3,z,TRUE\n",
			Options{},
			map[string]string{"n": "num 1 2 3", "f": "num 1.5 <NA> 2000", "s": "cat x y z", "b": "cat True False True"},
		},
		{
			"pandas NA strings", "a,b\nNA,x\nnull,N/A\n-nan,y\n7,None\n",
			Options{},
			map[string]string{"a": "num <NA> <NA> <NA> 7", "b": "cat x <NA> y None"},
		},
		{
			"numbers pandas rejects", "a,b,c\n0x10,1_000, 2.5 \n1,2,inf\n",
			Options{},
			map[string]string{"a": "cat 0x10 1", "b": "cat 1_000 2", "c": "num 2.5 inf"},
		},
		{"overflow is text", "a\n1e400\n1\n", Options{}, map[string]string{"a": "cat 1e400 1"}},
		{
			"quotes", "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n",
			Options{},
			map[string]string{"a": "cat x,y multi\nline", "b": "cat say \"hi\" 2"},
		},
		{
			"crlf bom blank lines", "\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4\r\n",
			Options{},
			map[string]string{"a": "num 1 3", "b": "num 2 4"},
		},
		{
			"missing trailing fields", "a,b,c\n1,2\n3\n",
			Options{},
			map[string]string{"a": "num 1 3", "b": "num 2 <NA>", "c": "num <NA> <NA>"},
		},
		{"no final newline", "a\n1\n2", Options{}, map[string]string{"a": "num 1 2"}},
		{"empty header name", "a,\n1,2\n", Options{}, map[string]string{"a": "num 1", "Unnamed: 1": "num 2"}},
		{
			"forced categorical numbers", "a,b\n1,1.0\n2.50,1\n",
			Options{Categorical: []string{"a", "b"}},
			map[string]string{"a": "cat 1 2.5", "b": "cat 1 1"},
		},
		{"forced numerical", "a\n1\n2\n", Options{Numerical: []string{"a"}}, map[string]string{"a": "num 1 2"}},
		{
			"expected numerical gets text", "a,b\n1,x\nbad,y\n",
			Options{Types: map[string]drift.ColumnType{"a": drift.Numerical}},
			map[string]string{"a": `num invalid: row 2: "bad" is not a number`, "b": "cat x y"},
		},
		{
			"expected categorical gets numbers", "a\n1\n1.0\n2\n",
			Options{Types: map[string]drift.ColumnType{"a": drift.Categorical}},
			map[string]string{"a": "cat 1 1 2"},
		},
		{"all missing", "a,b\n,1\n,2\n", Options{}, map[string]string{"a": "num <NA> <NA>", "b": "num 1 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ParseCSV([]byte(tt.in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Columns) != len(tt.want) {
				t.Errorf("%d columns, want %d", len(tab.Columns), len(tt.want))
			}
			for _, c := range tab.Columns {
				if got := values(c); got != tt.want[c.Name] {
					t.Errorf("column %s = %q, want %q", c.Name, got, tt.want[c.Name])
				}
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name, in string
		opts     Options
		want     string
	}{
		{"empty", "", Options{}, "no header row"},
		{"duplicate header", "a,a\n1,2\n", Options{}, `column "a" appears twice`},
		{"too many fields", "a,b\n1,2\n3,4,5\n", Options{}, "row 2: more fields than the 2 columns"},
		{"unterminated quote", "a\n\"abc\n", Options{}, "row 1: unterminated quoted field"},
		{"forced numerical text", "a,b\n1,2\n3,x\n", Options{Numerical: []string{"b"}}, `column "b": row 2: "x" is not a number`},
		{"unknown forced column", "a\n1\n", Options{Categorical: []string{"z"}}, `column "z" is not in the file`},
		{"both types", "a\n1\n", Options{Categorical: []string{"a"}, Numerical: []string{"a"}}, "both categorical and numerical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// The shared Evidently cases record the pandas dtype of every column
// (files copied from /work/shared/testdata/evidently/ into
// drift/testdata/evidently/).
func TestCSVTypesMatchPandas(t *testing.T) {
	dirs, _ := filepath.Glob("../../drift/testdata/evidently/*")
	if len(dirs) == 0 {
		t.Fatal("no Evidently cases")
	}
	for _, dir := range dirs {
		var meta struct {
			Dtypes map[string]string `json:"pandas_dtypes"`
			Rows   int               `json:"reference_rows"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "evidently.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &meta); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadFile(filepath.Join(dir, "reference.csv"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows != meta.Rows {
			t.Errorf("%s: %d rows, want %d", dir, tab.Rows, meta.Rows)
		}
		for _, c := range tab.Columns {
			want := drift.Categorical
			if d := meta.Dtypes[c.Name]; strings.HasPrefix(d, "int") || strings.HasPrefix(d, "float") {
				want = drift.Numerical
			}
			if c.Type != want {
				t.Errorf("%s: column %s is %s, pandas dtype %s", filepath.Base(dir), c.Name, c.Type, meta.Dtypes[c.Name])
			}
		}
	}
}

// bigCSV builds a file of n rows with numbers, labels, quotes and gaps.
func bigCSV(n int, quotes bool) []byte {
	var sb strings.Builder
	sb.WriteString("x,label,y\n")
	for i := range n {
		sb.WriteString(drift.FormatNumber(float64(i) * 1.25))
		sb.WriteByte(',')
		switch {
		case quotes && i%97 == 0:
			sb.WriteString("\"a,\nb\"")
		case i%13 == 0:
		default:
			sb.WriteString(string(rune('a' + i%7)))
		}
		sb.WriteByte(',')
		if i%5 != 0 {
			sb.WriteString(drift.FormatNumber(float64(i % 11)))
		}
		sb.WriteByte('\n')
		if i%1000 == 999 {
			sb.WriteByte('\n') // a blank line
		}
	}
	return []byte(sb.String())
}

func TestParallelParseMatchesSequential(t *testing.T) {
	for _, quotes := range []bool{false, true} {
		data := bigCSV(300000, quotes)
		one, err := ParseCSV(data, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		many, err := ParseCSV(data, Options{Workers: 8})
		if err != nil {
			t.Fatal(err)
		}
		if one.Rows != 300000 || many.Rows != one.Rows {
			t.Fatalf("quotes=%v: rows %d and %d, want 300000", quotes, one.Rows, many.Rows)
		}
		for i := range one.Columns {
			a, b := one.Columns[i], many.Columns[i]
			if values(a) != values(b) {
				t.Errorf("quotes=%v: column %s differs between 1 and 8 workers", quotes, a.Name)
			}
		}
		if got := labels(many.Columns[1])[97*3]; quotes && got != "a,\nb" {
			t.Errorf("quoted label = %q", got)
		}
	}
}

func TestProgressReachesTotal(t *testing.T) {
	data := bigCSV(200000, false)
	var last, total int64
	_, err := ParseCSV(data, Options{Progress: func(done, all int64) { last, total = done, all }})
	if err != nil {
		t.Fatal(err)
	}
	if last != total || total == 0 {
		t.Errorf("progress ended at %d of %d", last, total)
	}
}

func TestInputNotRetained(t *testing.T) {
	data := []byte("a,b\nx,1\ny,2\n")
	tab, err := ParseCSV(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = '#'
	}
	if got := labels(tab.Columns[0]); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("labels changed with the input buffer: %q", got)
	}
}
