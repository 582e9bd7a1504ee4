package sqlite

import (
	"context"
	"errors"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// maxGroupRows bounds how many predictions one group commit writes.
const maxGroupRows = 20000

// ingestRequest is one IngestPredictions call waiting for the writer.
type ingestRequest struct {
	ctx  context.Context
	ps   []modelwatch.Prediction
	res  store.IngestResult
	err  error
	done chan struct{}
}

var errClosed = modelwatch.Errorf(modelwatch.EUnavailable, "the database is closed")

// enqueue hands req to the writer goroutine.
func (db *DB) enqueue(req *ingestRequest) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return errClosed
	}
	select {
	case db.queue <- req:
		return nil
	case <-req.ctx.Done():
		return req.ctx.Err()
	}
}

// runWriter commits queued ingest requests until the queue is closed. Each
// turn it takes every request waiting (up to maxGroupRows predictions) and
// writes them in one transaction: while one commit waits for the disk, the
// next group gathers.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	for req := range db.queue {
		group := []*ingestRequest{req}
		rows := len(req.ps)
	gather:
		for rows < maxGroupRows {
			select {
			case r, ok := <-db.queue:
				if !ok {
					break gather
				}
				group = append(group, r)
				rows += len(r.ps)
			default:
				break gather
			}
		}
		db.commitGroup(group)
		db.kickCheckpoint()
	}
}

// commitGroup writes a group in one transaction, or call by call when the
// group fails, and wakes every caller.
func (db *DB) commitGroup(group []*ingestRequest) {
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	// Callers that gave up before their turn are not written.
	live := group[:0:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		var all []modelwatch.Prediction
		for _, r := range live {
			all = append(all, r.ps...)
		}
		out, err := db.ingest(context.WithoutCancel(live[0].ctx), all)
		if err == nil {
			off := 0
			for _, r := range live {
				r.res = resultOf(r.ps, out[off:off+len(r.ps)])
				off += len(r.ps)
			}
			return
		}
		if errors.Is(err, context.Canceled) {
			for _, r := range live {
				r.err = err
			}
			return
		}
	}
	for _, r := range live {
		out, err := db.ingest(context.WithoutCancel(r.ctx), r.ps)
		if err != nil {
			r.err = err
			continue
		}
		r.res = resultOf(r.ps, out)
	}
}
