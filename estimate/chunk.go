package estimate

import (
	"errors"
	"fmt"
	"time"
)

// Chunk is a run of consecutive rows (consecutive after ordering by time
// when the data have timestamps) that is estimated as one unit.
type Chunk struct {
	// Key names the chunk as NannyML does: "[start:end]" for size- and
	// count-based chunks, the period ("2024-01", "2024-01-01/2024-01-07") for
	// period-based ones.
	Key string
	// Index is the position of the chunk in its list.
	Index int
	// Start and End are the first and last row, inclusive.
	Start, End int
	// StartTime and EndTime bound the chunk in time: the first and last
	// timestamp of a size-based chunk, the start and end of a period. Zero
	// without timestamps.
	StartTime, EndTime time.Time
}

// Len returns the number of rows in the chunk.
func (c Chunk) Len() int { return c.End - c.Start + 1 }

// Chunker splits n rows into chunks. times is nil or holds the rows'
// timestamps in increasing order.
type Chunker interface {
	Chunks(n int, times []time.Time) ([]Chunk, error)
}

// Incomplete says what a size- or count-based chunker does with the rows
// left over after the last full chunk (NannyML's incomplete argument).
type Incomplete int

const (
	// IncompleteKeep makes a smaller last chunk of them (the default).
	IncompleteKeep Incomplete = iota
	// IncompleteAppend adds them to the last full chunk.
	IncompleteAppend
	// IncompleteDrop leaves them out.
	IncompleteDrop
)

// SizeChunker makes chunks of Size consecutive rows, NannyML's
// SizeBasedChunker: keys "[0:499]", "[500:999]", …
type SizeChunker struct {
	Size       int        // rows per chunk, > 0
	Incomplete Incomplete // what to do with the remainder
}

// Chunks implements Chunker. When fewer than Size rows are given and
// Incomplete is IncompleteAppend, the rows form one chunk (NannyML fails
// there).
func (c SizeChunker) Chunks(n int, times []time.Time) ([]Chunk, error) {
	if c.Size <= 0 {
		return nil, fmt.Errorf("chunk size %d: want a positive size", c.Size)
	}
	var out []Chunk
	full := n / c.Size
	for k := range full {
		out = append(out, rangeChunk(k*c.Size, (k+1)*c.Size-1, times))
	}
	if rest := n % c.Size; rest != 0 {
		last := rangeChunk(full*c.Size, n-1, times)
		switch {
		case c.Incomplete == IncompleteDrop:
		case c.Incomplete == IncompleteAppend && len(out) > 0:
			prev := out[len(out)-1]
			merged := rangeChunk(prev.Start, last.End, times)
			out[len(out)-1] = merged
		default:
			out = append(out, last)
		}
	}
	for i := range out {
		out[i].Index = i
	}
	return out, nil
}

func rangeChunk(start, end int, times []time.Time) Chunk {
	c := Chunk{Key: fmt.Sprintf("[%d:%d]", start, end), Start: start, End: end}
	if times != nil {
		c.StartTime, c.EndTime = times[start], times[end]
	}
	return c
}

// CountChunker makes about Count chunks, NannyML's CountBasedChunker: chunks
// of n/Count rows (rounded down), so with IncompleteKeep a remainder makes a
// chunk Count+1.
type CountChunker struct {
	Count      int        // number of full chunks, > 0
	Incomplete Incomplete // what to do with the remainder
}

// Chunks implements Chunker.
func (c CountChunker) Chunks(n int, times []time.Time) ([]Chunk, error) {
	if c.Count <= 0 {
		return nil, fmt.Errorf("chunk number %d: want a positive number", c.Count)
	}
	if n == 0 {
		return nil, nil
	}
	if n < c.Count {
		return nil, fmt.Errorf("chunk number %d: only %d rows", c.Count, n)
	}
	return SizeChunker{Size: n / c.Count, Incomplete: c.Incomplete}.Chunks(n, times)
}

// DefaultChunker is NannyML's DefaultChunker: chunks of n/10 rows, a
// remainder kept as an eleventh chunk.
type DefaultChunker struct{}

// Chunks implements Chunker.
func (DefaultChunker) Chunks(n int, times []time.Time) ([]Chunk, error) {
	if n == 0 {
		return nil, nil
	}
	if n < 10 {
		return nil, errors.New("default chunking needs at least 10 rows")
	}
	return SizeChunker{Size: n / 10}.Chunks(n, times)
}

// MinChunks is the number of chunks below which NannyML warns that
// thresholds and plots become unreliable.
const MinChunks = 6
