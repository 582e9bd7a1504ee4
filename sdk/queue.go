package sdk

import (
	"sync"

	"github.com/modelwatch/modelwatch"
)

// queue is a bounded FIFO ring of records of one kind. Its storage is
// allocated once, in newQueue; queuing a record copies it into a slot, so
// the hot path allocates nothing. The background sender takes records off
// in batches and reports them resolved once they were delivered or given up.
type queue[T any] struct {
	mu       sync.Mutex
	buf      []T
	head     int // index of the oldest record
	n        int // records in buf
	pushed   int64
	resolved int64
	dropped  int64 // refused records, late ones included
	late     int64 // refused because the queue was closed
	closed   bool
}

func newQueue[T any](size int) *queue[T] {
	return &queue[T]{buf: make([]T, size)}
}

// reserveLocked returns the slot for a new record, or nil when the queue is
// full or closed; the record then counts as dropped. The caller holds q.mu,
// writes the slot and unlocks.
func (q *queue[T]) reserveLocked() *T {
	if q.n == len(q.buf) || q.closed {
		q.dropped++
		if q.closed {
			q.late++
		}
		return nil
	}
	i := q.head + q.n
	if i >= len(q.buf) {
		i -= len(q.buf)
	}
	q.n++
	q.pushed++
	return &q.buf[i]
}

// takeChunk bounds how many records take copies under one lock, so that a
// Log call never waits long for the sender.
const takeChunk = 64

// take moves up to limit of the oldest records to the end of dst and
// returns the extended slice. Vacated slots are zeroed so that the queue
// keeps nothing alive.
func (q *queue[T]) take(dst []T, limit int) []T {
	var zero T
	for limit > 0 {
		q.mu.Lock()
		k := min(limit, q.n, takeChunk)
		for range k {
			dst = append(dst, q.buf[q.head])
			q.buf[q.head] = zero
			q.head++
			if q.head == len(q.buf) {
				q.head = 0
			}
		}
		q.n -= k
		q.mu.Unlock()
		if k < takeChunk {
			break
		}
		limit -= k
	}
	return dst
}

// resolve records that n taken records were delivered or given up.
func (q *queue[T]) resolve(n int) {
	q.mu.Lock()
	q.resolved += int64(n)
	q.mu.Unlock()
}

// close makes every later reservation fail.
func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

// state is a snapshot of a queue's counters.
type state struct {
	pushed, resolved, dropped, late int64
	capacity                        int
}

func (q *queue[T]) state() state {
	q.mu.Lock()
	defer q.mu.Unlock()
	return state{pushed: q.pushed, resolved: q.resolved, dropped: q.dropped, late: q.late, capacity: len(q.buf)}
}

// record is a queued prediction. The float values its pointer fields
// referred to are copied into vals when it is logged, so that the caller may
// reuse them and so that LogTimed can fill latencies without allocating;
// the pointers are restored, into the record's own storage, by own.
type record struct {
	p    modelwatch.Prediction
	vals [numVals]float64
	has  uint8 // bit i set: vals[i] holds a value
}

// Indexes of record.vals.
const (
	valConfidence = iota
	valLatencyMs
	valPreprocessing
	valInference
	valPostprocessing
	numVals
)

// set copies p into r, moving its float pointers' values into r.vals.
func (r *record) set(p *modelwatch.Prediction) {
	r.p = *p
	r.has = 0
	r.keep(valConfidence, p.Confidence)
	r.keep(valLatencyMs, p.LatencyMs)
	r.keep(valPreprocessing, p.Latency.PreprocessingMs)
	r.keep(valInference, p.Latency.InferenceMs)
	r.keep(valPostprocessing, p.Latency.PostprocessingMs)
	r.p.Confidence, r.p.LatencyMs, r.p.Latency = nil, nil, modelwatch.Latency{}
}

func (r *record) keep(i int, v *float64) {
	if v != nil {
		r.vals[i] = *v
		r.has |= 1 << i
	}
}

// setVal sets value i, replacing what the prediction had.
func (r *record) setVal(i int, v float64) {
	r.vals[i] = v
	r.has |= 1 << i
}

// own points r.p's float fields at r.vals. Call it once r no longer moves.
func (r *record) own() {
	ptr := func(i int) *float64 {
		if r.has&(1<<i) == 0 {
			return nil
		}
		return &r.vals[i]
	}
	r.p.Confidence = ptr(valConfidence)
	r.p.LatencyMs = ptr(valLatencyMs)
	r.p.Latency = modelwatch.Latency{
		PreprocessingMs:  ptr(valPreprocessing),
		InferenceMs:      ptr(valInference),
		PostprocessingMs: ptr(valPostprocessing),
	}
}
