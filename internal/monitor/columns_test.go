package monitor

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/drift"
)

// TestColumnBuilderSample checks the bounded builder: at most its limit of
// rows, each an added row intact (its numerical and categorical values
// together), drawn uniformly, the same for the same seed, and categorical
// levels only of rows kept.
func TestColumnBuilderSample(t *testing.T) {
	build := func(limit int, seed uint64, n int) *columnBuilder {
		b := newColumnBuilder([]string{"x", "c"}, map[string]drift.ColumnType{"x": drift.Numerical, "c": drift.Categorical})
		if limit > 0 {
			b.sample(limit, seed)
		}
		for i := range n {
			if err := b.add(time.Time{}, fmt.Appendf(nil, `{"x":%d,"c":"level-%d"}`, i, i)); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	const n, limit = 20000, 1000
	b := build(limit, 1, n)
	if !b.sampled() || b.kept() != limit || b.rows != n {
		t.Fatalf("sampled %v, kept %d, rows %d; want a sample of %d of %d", b.sampled(), b.kept(), b.rows, limit, n)
	}
	cols := b.columns()
	x, c := cols[0], cols[1]
	if x.Len() != limit || c.Len() != limit || len(c.Levels) != limit {
		t.Fatalf("columns of %d and %d rows with %d levels, want %d each", x.Len(), c.Len(), len(c.Levels), limit)
	}
	seen := map[float64]bool{}
	sum := 0.0
	for i, v := range x.Numbers {
		if math.IsNaN(v) || v < 0 || v >= n || v != math.Trunc(v) || seen[v] {
			t.Fatalf("row %d: x = %v, not one of the rows added (or twice)", i, v)
		}
		seen[v] = true
		sum += v
		if got, want := c.Levels[c.Codes[i]], fmt.Sprintf("level-%d", int(v)); got != want {
			t.Fatalf("row %d: c = %q, want %q: the sample mixed rows", i, got, want)
		}
	}
	// Uniform: the mean of 1000 draws from 0..19999 is 9999.5 with a
	// standard error of about 183.
	if mean := sum / limit; math.Abs(mean-(n-1)/2.0) > 4*183 {
		t.Errorf("sample mean %v, want about %v: not uniform", mean, (n-1)/2.0)
	}
	late := 0
	for v := range seen {
		if v >= n/2 {
			late++
		}
	}
	if late < 400 || late > 600 {
		t.Errorf("%d of %d kept rows come from the second half of the rows added, want about half", late, limit)
	}
	if again := build(limit, 1, n).columns()[0].Numbers; !slices.Equal(again, x.Numbers) {
		t.Error("the same seed gave another sample")
	}
	if other := build(limit, 2, n).columns()[0].Numbers; slices.Equal(other, x.Numbers) {
		t.Error("another seed gave the same sample")
	}
	// Under the limit, or without one, every row is kept in order.
	for _, b := range []*columnBuilder{build(limit, 1, 500), build(0, 0, 500)} {
		if b.sampled() || b.kept() != 500 {
			t.Fatalf("500 rows: sampled %v, kept %d", b.sampled(), b.kept())
		}
		for i, v := range b.columns()[0].Numbers {
			if v != float64(i) {
				t.Fatalf("row %d = %v without sampling", i, v)
			}
		}
	}
}
