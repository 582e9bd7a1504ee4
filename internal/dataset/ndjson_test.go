package dataset

import (
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

func TestParseNDJSON(t *testing.T) {
	in := `{"n": 1, "s": "a", "b": true, "mixed": 1}
{"n": 2.5, "s": null, "b": false, "mixed": "x", "late": 3}

{"s": "c", "b": true, "mixed": {"k": [1, 2]}, "n": null}
`
	tab, err := ParseNDJSON([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"n=num 1 2.5 <NA>",
		"s=cat a <NA> c",
		"b=cat True False True",
		`mixed=cat 1 x {"k":[1,2]}`,
		"late=num <NA> 3 <NA>",
	}
	if tab.Rows != 3 || len(tab.Columns) != len(want) {
		t.Fatalf("%d rows, %d columns; want 3 and %d", tab.Rows, len(tab.Columns), len(want))
	}
	for i, c := range tab.Columns {
		if got := c.Name + "=" + values(c); got != want[i] {
			t.Errorf("column %d = %q, want %q", i, got, want[i])
		}
	}
}

func TestParseNDJSONTypesAndErrors(t *testing.T) {
	in := "{\"a\": \"1.5\", \"b\": 2}\n{\"a\": \"x\", \"b\": 3}\n"
	tab, err := ParseNDJSON([]byte(in), Options{Types: map[string]drift.ColumnType{"a": drift.Numerical, "b": drift.Categorical}})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(tab.Columns[0]); got != `num invalid: row 2: "x" is not a number` {
		t.Errorf("a = %q", got)
	}
	if got := values(tab.Columns[1]); got != "cat 2 3" || !tab.Columns[1].NumericLevels {
		t.Errorf("b = %q (numeric levels %v)", got, tab.Columns[1].NumericLevels)
	}
	bad := []struct{ in, want string }{
		{"[1,2]\n", "line 1: not a JSON object"},
		{"{\"a\": 1}\n{\"a\": }\n", "line 2"},
		{"{\"a\": 1} 5\n", "line 1: text after the JSON object"},
		{"{\"a\": 1, \"a\": 2}\n", `line 1: field "a" appears twice`},
	}
	for _, b := range bad {
		if _, err := ParseNDJSON([]byte(b.in), Options{}); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseNDJSON(%q) error %v, want one containing %q", b.in, err, b.want)
		}
	}
	if _, err := ParseNDJSON([]byte(in), Options{Numerical: []string{"a"}}); err == nil || !strings.Contains(err.Error(), `column "a": row 2`) {
		t.Errorf("forced numerical: error %v", err)
	}
}
