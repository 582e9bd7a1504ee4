package dataset

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

type pqRow struct {
	Score *float64  `parquet:"score,optional"`
	Count int64     `parquet:"count"`
	Label *string   `parquet:"label,optional"`
	Flag  bool      `parquet:"flag"`
	When  time.Time `parquet:"when,timestamp(millisecond)"`
	Tags  []string  `parquet:"tags,list"`
}

func TestReadParquet(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }
	rows := []pqRow{
		{Score: f(1.5), Count: 3, Label: s("a"), Flag: true, When: time.Unix(0, 0)},
		{Score: nil, Count: 4, Label: nil, Flag: false, When: time.Unix(1, 0), Tags: []string{"x"}},
		{Score: f(-2), Count: 5, Label: s("b"), Flag: true, When: time.Unix(2, 0)},
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqRow](&buf, parquet.MaxRowsPerRowGroup(2))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{Categorical: []string{"count"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"score=num 1.5 <NA> -2", "count=cat 3 4 5", "label=cat a <NA> b", "flag=cat True False True"}
	if tab.Rows != 3 || len(tab.Columns) != len(want) {
		t.Fatalf("%d rows, %d columns; want 3 and %d", tab.Rows, len(tab.Columns), len(want))
	}
	for i, c := range tab.Columns {
		if got := c.Name + "=" + values(c); got != want[i] {
			t.Errorf("column %d = %q, want %q", i, got, want[i])
		}
	}
	if got := strings.Join(tab.Skipped, "; "); got != "when (date or time); tags (nested)" {
		t.Errorf("skipped = %q", got)
	}
	if _, err := ReadParquet(bytes.NewReader([]byte("not parquet")), 11, Options{}); err == nil {
		t.Error("reading garbage succeeded")
	}
}

func TestReadParquetCorrupt(t *testing.T) {
	for _, data := range [][]byte{
		[]byte("PAR1\x15\x06\x15 \x15 \x15\xbePAR\x15"),
		[]byte("PAR1\x00\x00\x00\x00PAR1"),
		nil,
	} {
		if _, err := ReadParquet(bytes.NewReader(data), int64(len(data)), Options{}); err == nil {
			t.Errorf("ReadParquet(%q) succeeded", data)
		}
	}
}

// TestReadParquetMaxRows checks that a file claiming more rows than
// Options.MaxRows is refused before it is decoded.
func TestReadParquetMaxRows(t *testing.T) {
	data := writeParquet(t, []seedNumbers{{nil, 1}, {nil, 2}, {nil, 3}})
	if _, err := ReadParquet(bytes.NewReader(data), int64(len(data)), Options{MaxRows: 2}); err == nil || !strings.Contains(err.Error(), "3 rows, more than the limit of 2") {
		t.Errorf("3 rows with MaxRows 2: err = %v, want the limit named", err)
	}
	if tab, err := ReadParquet(bytes.NewReader(data), int64(len(data)), Options{MaxRows: 3}); err != nil || tab.Rows != 3 {
		t.Errorf("3 rows with MaxRows 3: %v, %v", tab, err)
	}
}

// TestReadParquetFooterLength checks that a footer length larger than the
// file is refused before anything is allocated for it.
func TestReadParquetFooterLength(t *testing.T) {
	data := writeParquet(t, []seedNumbers{{nil, 1}})
	bad := bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[len(bad)-8:], 1<<30)
	if _, err := ReadParquet(bytes.NewReader(bad), int64(len(bad)), Options{}); err == nil || !strings.Contains(err.Error(), "footer of 1073741824 bytes") {
		t.Errorf("footer of 1 GiB in a %d-byte file: err = %v", len(bad), err)
	}
}
