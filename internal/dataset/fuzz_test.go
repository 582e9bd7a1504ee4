package dataset

import "testing"

// FuzzParseNDJSON checks that any input parses or fails cleanly, and that
// every column has a value per row.
func FuzzParseNDJSON(f *testing.F) {
	f.Add([]byte(`{"a": 1, "b": "x"}` + "\n" + `{"a": null, "c": [1, {"d": true}]}` + "\n"))
	f.Add([]byte("{\"a\": 1e999}\n"))
	f.Add([]byte("{}\n\n{\"\": false}"))
	f.Add([]byte("[1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseNDJSON(data, Options{})
		if err != nil {
			return
		}
		for _, c := range tab.Columns {
			if c.Len() != tab.Rows {
				t.Fatalf("column %q has %d values for %d rows", c.Name, c.Len(), tab.Rows)
			}
		}
	})
}
