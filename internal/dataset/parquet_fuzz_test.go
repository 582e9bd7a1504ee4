package dataset

import (
	"bytes"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Bounds of FuzzReadParquet: inputs larger than fuzzMaxInput are skipped,
// files are read with MaxRows fuzzMaxRows, and one read may allocate at most
// fuzzMaxAlloc bytes (a small file must not make the reader allocate what its
// metadata claims) and take at most fuzzMaxTime.
const (
	fuzzMaxInput = 64 << 10
	fuzzMaxRows  = 1 << 16
	fuzzMaxAlloc = 256 << 20
	fuzzMaxTime  = 5 * time.Second
)

// Small files, one or two columns each, so that the fuzzer's mutations and
// minimization stay fast.
type (
	seedNumbers struct {
		Score *float64 `parquet:"score,optional"`
		Count int64    `parquet:"count"`
	}
	seedSmall struct {
		Small int32   `parquet:"small,delta"`
		Ratio float32 `parquet:"ratio"`
	}
	seedText struct {
		Label *string `parquet:"label,optional,dict"`
		Plain string  `parquet:"plain"`
	}
	seedFlags struct {
		Flag  bool  `parquet:"flag"`
		Price int64 `parquet:"price,decimal(2:18)"`
	}
	seedSkipped struct {
		When time.Time `parquet:"when,timestamp(millisecond)"`
		Tags []string  `parquet:"tags,list"`
		N    int64     `parquet:"n"`
	}
)

// writeParquet writes rows as a Parquet file.
func writeParquet[T any](tb testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// parquetSeed is a valid file and what ReadParquet reads from it.
type parquetSeed struct {
	data          []byte
	rows, columns int
}

// parquetSeeds returns small valid files of every column kind, written with
// several codecs, encodings and row-group sizes.
func parquetSeeds(tb testing.TB) []parquetSeed {
	tb.Helper()
	f, s := func(v float64) *float64 { return &v }, func(v string) *string { return &v }
	group := parquet.MaxRowsPerRowGroup(2)
	return []parquetSeed{
		{writeParquet(tb, []seedNumbers{{f(1.5), 3}, {nil, 4}, {f(-2), 5}}), 3, 2},
		{writeParquet(tb, []seedNumbers{{f(1.5), 3}, {nil, 4}, {f(-2), 5}}, group, parquet.Compression(&parquet.Snappy)), 3, 2},
		{writeParquet(tb, []seedSmall{{1, 0.5}, {2, 0.25}, {3, 1}}, parquet.Compression(&parquet.Zstd)), 3, 2},
		{writeParquet(tb, []seedText{{s("gold"), "a"}, {nil, "b"}, {s("gold"), ""}}, group), 3, 2},
		{writeParquet(tb, []seedText{{s("x"), "y"}}, parquet.Compression(&parquet.Gzip)), 1, 2},
		{writeParquet(tb, []seedFlags{{true, 125}, {false, -300}}), 2, 2},
		{writeParquet(tb, []seedSkipped{{time.Unix(1, 0), []string{"a"}, 1}, {time.Unix(2, 0), nil, 2}}), 2, 1},
		{writeParquet(tb, []seedNumbers{}), 0, 2},
	}
}

// FuzzReadParquet checks that any input, however corrupt, is read or
// refused with an error: no panic escapes, no hang, and no allocation out
// of proportion with the file because its metadata says so.
func FuzzReadParquet(f *testing.F) {
	for _, seed := range parquetSeeds(f) {
		data := seed.data
		f.Add(data)
		// Truncated: cut in the data, in the footer, before the magic.
		for _, n := range []int{4, 8, len(data) / 3, len(data) / 2, len(data) - 12, len(data) - 8, len(data) - 1} {
			if n > 0 && n < len(data) {
				f.Add(data[:n])
			}
		}
		// Corrupted: one byte changed at spread positions, including the
		// footer length and the footer itself.
		for _, at := range []int{4, 16, len(data) / 4, len(data) / 2, len(data) - 9, len(data) - 20, len(data) - 40, len(data) - 80} {
			if at > 0 && at < len(data) {
				bad := bytes.Clone(data)
				bad[at] ^= 0xff
				f.Add(bad)
			}
		}
	}
	f.Add([]byte("PAR1\x15\x06\x15 \x15 \x15\xbePAR\x15"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte{})
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			t.Skip()
		}
		metrics.Read(sample)
		before := sample[0].Value.Uint64()
		var tab *Table
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			tab, err = ReadParquet(bytes.NewReader(data), int64(len(data)), Options{MaxRows: fuzzMaxRows})
		}()
		select {
		case <-done:
		case <-time.After(fuzzMaxTime):
			stack := make([]byte, 1<<20)
			t.Fatalf("reading %d bytes took over %v:\n%s", len(data), fuzzMaxTime, stack[:runtime.Stack(stack, true)])
		}
		metrics.Read(sample)
		if alloc := sample[0].Value.Uint64() - before; alloc > fuzzMaxAlloc {
			t.Fatalf("reading %d bytes allocated %d bytes", len(data), alloc)
		}
		if err != nil {
			return
		}
		if tab.Rows > fuzzMaxRows {
			t.Fatalf("%d rows, more than MaxRows %d", tab.Rows, fuzzMaxRows)
		}
		for _, c := range tab.Columns {
			if c.Invalid == "" && c.Len() != tab.Rows {
				t.Fatalf("column %q has %d values for %d rows", c.Name, c.Len(), tab.Rows)
			}
		}
	})
}

// TestReadParquetSeeds checks the fuzz target's valid seeds: each is read
// with all its rows and columns.
func TestReadParquetSeeds(t *testing.T) {
	for i, seed := range parquetSeeds(t) {
		tab, err := ReadParquet(bytes.NewReader(seed.data), int64(len(seed.data)), Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if tab.Rows != seed.rows || len(tab.Columns) != seed.columns {
			t.Errorf("seed %d: %d rows and %d columns, want %d and %d (skipped: %v)", i, tab.Rows, len(tab.Columns), seed.rows, seed.columns, tab.Skipped)
		}
	}
}
