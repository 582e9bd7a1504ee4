package dataset

import (
	"testing"
)

// FuzzParseCSV checks that any input parses without panicking and that
// splitting it into many small chunks parsed in parallel gives exactly the
// result (or the error) of one sequential pass.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,x\n2,y\n"))
	f.Add([]byte("a,b\r\n\"q,\"\"1\",2\r\n\r\n3\n"))
	f.Add([]byte("\xef\xbb\xbfx\nNA\n1e400\ninf\n 2 \n"))
	f.Add([]byte("a,b,c\n\"multi\nline\",,\n1,2,3,4\n"))
	f.Add([]byte("a\n\"unterminated\n"))
	f.Add([]byte("h1,h2\nTrue,0x1p3\nfalse,1_0\n,\n"))
	f.Add([]byte(",,\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		one, err1 := ParseCSV(append([]byte(nil), data...), Options{Workers: 1})
		many, err2 := ParseCSV(append([]byte(nil), data...), Options{Workers: 4, chunkBytes: 7})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("sequential error %v, parallel error %v", err1, err2)
		}
		if err1 != nil {
			if err1.Error() != err2.Error() {
				t.Fatalf("sequential error %q, parallel error %q", err1, err2)
			}
			return
		}
		if one.Rows != many.Rows || len(one.Columns) != len(many.Columns) {
			t.Fatalf("rows %d/%d, columns %d/%d", one.Rows, many.Rows, len(one.Columns), len(many.Columns))
		}
		for i, c := range one.Columns {
			if c.Len() != one.Rows && c.Invalid == "" {
				t.Fatalf("column %s has %d values for %d rows", c.Name, c.Len(), one.Rows)
			}
			if values(c) != values(many.Columns[i]) {
				t.Fatalf("column %s: sequential %q, parallel %q", c.Name, values(c), values(many.Columns[i]))
			}
		}
	})
}
