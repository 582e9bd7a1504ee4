package monitor

import (
	"context"
	"time"

	"github.com/modelwatch/modelwatch"
)

// scanChunk is a run of stored feature objects copied out of the database
// cursor, to be parsed on another goroutine.
type scanChunk struct {
	buf  []byte
	ends []int
	ts   []time.Time
}

// chunkBytes is how much feature JSON a chunk carries.
const chunkBytes = 1 << 20

// scanPipelined reads a window's features from the store on one goroutine and
// builds the columns on another, so that the database and the parsing each
// keep a core busy. Rows reach the builder in the store's order.
func scanPipelined(ctx context.Context, st Store, key modelwatch.ModelKey, window modelwatch.TimeRange, b *columnBuilder) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *scanChunk, 4)
	free := make(chan *scanChunk, 6)
	parseErr := make(chan error, 1)
	go func() {
		var err error
		for ch := range chunks {
			if err == nil {
				start := 0
				for i, end := range ch.ends {
					if err = b.add(ch.ts[i], ch.buf[start:end]); err != nil {
						cancel()
						break
					}
					start = end
				}
			}
			select {
			case free <- ch:
			default:
			}
		}
		parseErr <- err
	}()
	cur := &scanChunk{buf: make([]byte, 0, chunkBytes+64<<10)}
	send := func() {
		chunks <- cur
		select {
		case cur = <-free:
			cur.buf, cur.ends, cur.ts = cur.buf[:0], cur.ends[:0], cur.ts[:0]
		default:
			cur = &scanChunk{buf: make([]byte, 0, chunkBytes+64<<10)}
		}
	}
	scanErr := st.ScanFeatures(ctx, key, window.From, window.To, func(ts time.Time, f []byte) error {
		cur.buf = append(cur.buf, f...)
		cur.ends = append(cur.ends, len(cur.buf))
		cur.ts = append(cur.ts, ts)
		if len(cur.buf) >= chunkBytes {
			send()
		}
		return nil
	})
	if len(cur.ends) > 0 {
		chunks <- cur
	}
	close(chunks)
	if err := <-parseErr; err != nil {
		return err
	}
	return scanErr
}
