package estimatecli

import (
	"testing"

	"github.com/modelwatch/modelwatch/estimate"
)

func TestConfigChunker(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want estimate.Chunker
	}{
		{Config{}, estimate.DefaultChunker{}},
		{Config{ChunkSize: 10}, estimate.SizeChunker{Size: 10}},
		{Config{ChunkNumber: 4}, estimate.CountChunker{Count: 4}},
		{Config{ChunkPeriod: "M", Columns: Columns{Timestamp: "ts"}}, estimate.PeriodChunker{Period: estimate.Month}},
	} {
		got, err := c.cfg.Chunker()
		if err != nil || got != c.want {
			t.Errorf("%+v: chunker %#v, %v, want %#v", c.cfg, got, err, c.want)
		}
	}
	for _, cfg := range []Config{
		{ChunkSize: 10, ChunkNumber: 3},
		{ChunkSize: -1},
		{ChunkNumber: -2},
		{ChunkPeriod: "M"},
		{ChunkPeriod: "fortnight", Columns: Columns{Timestamp: "ts"}},
	} {
		if _, err := cfg.Chunker(); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
