package estimate

import (
	"fmt"
	"testing"
	"time"
)

func keys(cs []Chunk) string {
	s := ""
	for i, c := range cs {
		if c.Index != i {
			s += fmt.Sprintf("(index %d)", c.Index)
		}
		s += c.Key + " "
	}
	return s
}

func TestSizeAndCountChunkers(t *testing.T) {
	for _, c := range []struct {
		name    string
		chunker Chunker
		n       int
		want    string
	}{
		{"exact", SizeChunker{Size: 500}, 1500, "[0:499] [500:999] [1000:1499] "},
		{"keep", SizeChunker{Size: 500}, 1234, "[0:499] [500:999] [1000:1233] "},
		{"append", SizeChunker{Size: 500, Incomplete: IncompleteAppend}, 1234, "[0:499] [500:1233] "},
		{"drop", SizeChunker{Size: 500, Incomplete: IncompleteDrop}, 1234, "[0:499] [500:999] "},
		{"fewer rows than size", SizeChunker{Size: 500}, 7, "[0:6] "},
		{"fewer rows than size, append", SizeChunker{Size: 500, Incomplete: IncompleteAppend}, 7, "[0:6] "},
		{"no rows", SizeChunker{Size: 500}, 0, ""},
		{"count", CountChunker{Count: 3}, 10, "[0:2] [3:5] [6:8] [9:9] "},
		{"count append", CountChunker{Count: 3, Incomplete: IncompleteAppend}, 10, "[0:2] [3:5] [6:9] "},
		{"default", DefaultChunker{}, 105, "[0:9] [10:19] [20:29] [30:39] [40:49] [50:59] [60:69] [70:79] [80:89] [90:99] [100:104] "},
	} {
		got, err := c.chunker.Chunks(c.n, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if keys(got) != c.want {
			t.Errorf("%s: chunks %s, want %s", c.name, keys(got), c.want)
		}
		for _, ch := range got {
			if fmt.Sprintf("[%d:%d]", ch.Start, ch.End) != ch.Key || ch.Len() != ch.End-ch.Start+1 {
				t.Errorf("%s: chunk %s has start %d end %d", c.name, ch.Key, ch.Start, ch.End)
			}
		}
	}
	for name, c := range map[string]Chunker{
		"size 0":         SizeChunker{},
		"count 0":        CountChunker{},
		"count > rows":   CountChunker{Count: 20},
		"default < 10":   DefaultChunker{},
		"unknown period": PeriodChunker{Period: "fortnight"},
	} {
		if _, err := c.Chunks(9, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSizeChunkerTimes(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	times := make([]time.Time, 5)
	for i := range times {
		times[i] = t0.Add(time.Duration(i) * time.Hour)
	}
	got, _ := SizeChunker{Size: 2, Incomplete: IncompleteAppend}.Chunks(5, times)
	if len(got) != 2 || !got[1].StartTime.Equal(times[2]) || !got[1].EndTime.Equal(times[4]) {
		t.Errorf("chunks %+v, want the second from %v to %v", got, times[2], times[4])
	}
}
