package monitor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/modelwatch/modelwatch"
)

// TestParseReferenceRowLimit checks that an uploaded Parquet reference
// claiming more rows than the server accepts is refused before it is
// decoded, while one within the limit is read.
func TestParseReferenceRowLimit(t *testing.T) {
	type row struct {
		Amount float64 `parquet:"amount"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	rows := make([]row, 10)
	for i := range rows {
		rows[i].Amount = float64(i)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	old := maxReferenceRows
	t.Cleanup(func() { maxReferenceRows = old })

	maxReferenceRows = 10
	if tab, err := ParseReference("parquet", buf.Bytes(), modelwatch.ModelSettings{}); err != nil || tab.Rows != 10 {
		t.Fatalf("10 rows with a limit of 10: %v", err)
	}
	maxReferenceRows = 9
	if _, err := ParseReference("parquet", buf.Bytes(), modelwatch.ModelSettings{}); err == nil || !strings.Contains(err.Error(), "rows") {
		t.Fatalf("10 rows with a limit of 9: %v, want an error about rows", err)
	}
}
