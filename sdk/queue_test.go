package sdk

import (
	"testing"

	"github.com/modelwatch/modelwatch"
)

func pushInt(q *queue[int], v int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	slot := q.reserveLocked()
	if slot != nil {
		*slot = v
	}
	return slot != nil
}

// TestQueueIsABoundedFIFO pushes and takes across the ring's wrap-around.
func TestQueueIsABoundedFIFO(t *testing.T) {
	q := newQueue[int](5)
	next, want := 0, 0
	for round := range 7 {
		for pushInt(q, next) {
			next++
		}
		got := q.take(nil, 3+round%3)
		for _, v := range got {
			if v != want {
				t.Fatalf("round %d: took %v, want values from %d in order", round, got, want)
			}
			want++
		}
		q.resolve(len(got))
	}
	st := q.state()
	if st.pushed != int64(next) || st.resolved != int64(want) || st.capacity != 5 || st.dropped != 7 || st.late != 0 {
		t.Errorf("state = %+v, want %d pushed, %d resolved, 7 dropped (one per round)", st, next, want)
	}
	for i, v := range q.buf {
		if inQueue := (i-q.head+len(q.buf))%len(q.buf) < q.n; !inQueue && v != 0 {
			t.Errorf("slot %d holds %d after it was taken; taken slots must be zeroed", i, v)
		}
	}
	q.close()
	if pushInt(q, 99) {
		t.Error("push after close succeeded")
	}
	if st := q.state(); st.late != 1 || st.dropped != 8 {
		t.Errorf("after close: state = %+v, want the refused record counted as late and dropped", st)
	}
}

// TestQueueTakeChunks takes more than takeChunk records at once.
func TestQueueTakeChunks(t *testing.T) {
	q := newQueue[int](3 * takeChunk)
	for i := range 3 * takeChunk {
		pushInt(q, i)
	}
	got := q.take(nil, 2*takeChunk+5)
	if len(got) != 2*takeChunk+5 || got[len(got)-1] != 2*takeChunk+4 {
		t.Fatalf("took %d records ending with %d, want %d ending with %d", len(got), got[len(got)-1], 2*takeChunk+5, 2*takeChunk+4)
	}
	if rest := q.take(nil, 1000); len(rest) != takeChunk-5 {
		t.Errorf("then took %d, want the %d left", len(rest), takeChunk-5)
	}
}

// TestRecordCopiesFloatValues checks that a queued record does not depend
// on the caller's float variables, and that own restores the pointers.
func TestRecordCopiesFloatValues(t *testing.T) {
	conf, inf := 0.75, 12.0
	p := modelwatch.Prediction{ModelName: "m", Confidence: &conf, Latency: modelwatch.Latency{InferenceMs: &inf}}
	var r record
	r.set(&p)
	conf, inf = 0, 0 // the caller reuses its variables
	if r.p.Confidence != nil || r.p.Latency.InferenceMs != nil {
		t.Error("a queued record keeps the caller's pointers")
	}
	moved := r // the sender copies records out of the ring
	moved.own()
	if moved.p.Confidence == nil || *moved.p.Confidence != 0.75 || moved.p.Latency.InferenceMs == nil || *moved.p.Latency.InferenceMs != 12 {
		t.Errorf("after own: confidence %v, inference %v; want 0.75 and 12", moved.p.Confidence, moved.p.Latency.InferenceMs)
	}
	if moved.p.LatencyMs != nil || moved.p.Latency.PreprocessingMs != nil || moved.p.Latency.PostprocessingMs != nil {
		t.Error("own set values the prediction did not have")
	}
	if moved.p.Confidence != &moved.vals[valConfidence] {
		t.Error("own points outside the record's own storage")
	}
}
