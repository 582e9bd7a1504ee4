package sdk

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelwatch/modelwatch"
)

// The kinds as indexes of the client's per-kind arrays.
const (
	kPred = iota
	kLabel
	kErr
	numKinds
)

// kindOf returns the Kind of index k.
func kindOf(k int) Kind {
	switch k {
	case kPred:
		return KindPrediction
	case kLabel:
		return KindGroundTruth
	}
	return KindError
}

// pathOf returns the ingest API's path for records of index k.
func pathOf(k int) string {
	switch k {
	case kPred:
		return "/api/v1/predictions"
	case kLabel:
		return "/api/v1/ground-truth"
	}
	return "/api/v1/errors"
}

// Client logs predictions, ground truth and prediction errors to a
// modelwatch server. Its methods are safe for concurrent use. Create it with
// New and stop it with Close.
type Client struct {
	cfg     Config
	ownHTTP bool
	urls    [numKinds]string

	preds  *queue[record]
	labels *queue[modelwatch.GroundTruth]
	errs   *queue[modelwatch.PredictionError]

	wake chan struct{} // capacity 1: records are waiting, send them now
	quit chan struct{} // closed by Close: deliver what is queued, then stop
	done chan struct{} // closed when the sender has stopped

	// ctx is the sender's context; abort cancels it when Close's context
	// expires, giving up whatever is left.
	ctx   context.Context
	abort context.CancelFunc

	mu       sync.Mutex
	progress chan struct{} // closed and replaced when records are resolved

	// base is the wall-clock reading that now adds the monotonic time
	// since to; the sender refreshes it every second.
	base atomic.Pointer[time.Time]

	sent, duplicates, failed, abandoned [numKinds]atomic.Int64
	requests, retries                   atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

// errStopped is why a wait ends when the sender has stopped.
var errStopped = errors.New("the client's sender has stopped")

// New validates cfg, fills in its defaults and starts a client with its
// background sender.
func New(cfg Config) (*Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	go c.run()
	return c, nil
}

// newClient builds a client without starting its sender.
func newClient(cfg Config) (*Client, error) {
	cfg, own, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		ownHTTP:  own,
		preds:    newQueue[record](cfg.QueueSize),
		labels:   newQueue[modelwatch.GroundTruth](cfg.QueueSize),
		errs:     newQueue[modelwatch.PredictionError](cfg.QueueSize),
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		progress: make(chan struct{}),
	}
	for k := range numKinds {
		c.urls[k] = cfg.Endpoint + pathOf(k)
	}
	c.ctx, c.abort = context.WithCancel(context.Background())
	c.rebase()
	return c, nil
}

// now returns the current time: Config.Now's, or base plus the monotonic
// time since base, which needs one clock read where time.Now needs two. A
// step of the system clock shows within a second, at the next rebase.
func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	base := c.base.Load()
	return base.Add(time.Since(*base))
}

// rebase takes a new wall-clock reading for now.
func (c *Client) rebase() {
	t := time.Now()
	c.base.Store(&t)
}

// Log queues p to be sent and returns at once; it never blocks on the
// network and does not allocate. A zero Timestamp becomes the current time;
// an empty ID is filled with a UUIDv7 before p is first sent (set it
// yourself, with modelwatch.NewID, when you will send ground truth for p).
//
// Log copies p, including the values its float pointers refer to, but not
// the bytes of Features nor the Probabilities map: do not modify those
// after the call. When the prediction queue is full, p is dropped and
// counted in Stats.
func (c *Client) Log(p modelwatch.Prediction) {
	c.log(&p, nil)
}

// LogTimed is Log with the stage latencies measured by t, which replace
// p.Latency. A zero p.Timestamp becomes the time t was started. Unlike
// t.Apply followed by Log, it does not allocate. A nil t is Log.
func (c *Client) LogTimed(p modelwatch.Prediction, t *Timer) {
	c.log(&p, t)
}

func (c *Client) log(p *modelwatch.Prediction, t *Timer) {
	if p.Timestamp.IsZero() {
		if t != nil && !t.start.IsZero() {
			p.Timestamp = t.start
		} else {
			p.Timestamp = c.now()
		}
	}
	q := c.preds
	q.mu.Lock()
	r := q.reserveLocked()
	if r == nil {
		q.mu.Unlock()
		return
	}
	r.set(p)
	if t != nil {
		for s := range numStages {
			if t.set[s] {
				r.setVal(valPreprocessing+int(s), ms(t.d[s]))
			}
		}
	}
	full := q.n == c.cfg.BatchSize
	q.mu.Unlock()
	if full {
		c.signal()
	}
}

// LogGroundTruth queues the true class of the prediction with the given id.
// Like Log it returns at once; a label may be sent before its prediction,
// and the server joins them when the prediction arrives.
func (c *Client) LogGroundTruth(id string, label modelwatch.Label) {
	push(c, c.labels, modelwatch.GroundTruth{ID: id, GroundTruth: label})
}

// LogError queues a failed prediction call: the model service could not
// answer. errorType groups errors in model_prediction_errors_total (for
// example the exception's class); keep the number of distinct values small.
func (c *Client) LogError(model, version, errorType string) {
	push(c, c.errs, modelwatch.PredictionError{ModelName: model, ModelVersion: version, ErrorType: errorType})
}

func push[T any](c *Client, q *queue[T], v T) {
	q.mu.Lock()
	slot := q.reserveLocked()
	if slot != nil {
		*slot = v
	}
	full := slot != nil && q.n == c.cfg.BatchSize
	q.mu.Unlock()
	if full {
		c.signal()
	}
}

// signal wakes the sender without blocking.
func (c *Client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Flush sends what is queued now and waits until every record logged
// before the call was delivered or given up (given-up records are reported
// to OnError). When ctx expires first it returns an *UndeliveredError; the
// records stay queued and the client keeps trying.
func (c *Client) Flush(ctx context.Context) error {
	target := c.pushed()
	c.signal()
	if left, err := c.wait(ctx, target); err != nil {
		return &UndeliveredError{Op: "flush", Predictions: left[kPred], GroundTruth: left[kLabel], Errors: left[kErr], Err: err}
	}
	return nil
}

// Close stops accepting records, delivers what is queued, and stops the
// client. Records logged after Close are dropped. When ctx expires before
// everything was delivered, Close gives up the rest (reporting it to
// OnError) and returns an *UndeliveredError saying how much was lost.
// Calling Close again returns the first call's result.
func (c *Client) Close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		c.preds.close()
		c.labels.close()
		c.errs.close()
		target := c.pushed()
		close(c.quit)
		_, err := c.wait(ctx, target)
		if err != nil {
			c.abort()
		}
		<-c.done
		c.abort()
		if c.ownHTTP {
			c.cfg.HTTPClient.CloseIdleConnections()
		}
		if err != nil {
			c.closeErr = &UndeliveredError{
				Op: "close", Err: err,
				Predictions: c.abandoned[kPred].Load(), GroundTruth: c.abandoned[kLabel].Load(), Errors: c.abandoned[kErr].Load(),
			}
		}
	})
	return c.closeErr
}

// pushed returns how many records of each kind were ever queued.
func (c *Client) pushed() [numKinds]int64 {
	return [numKinds]int64{c.preds.state().pushed, c.labels.state().pushed, c.errs.state().pushed}
}

// wait blocks until target records of each kind are resolved, the sender
// stopped, or ctx expires; then it returns how many of target are left.
func (c *Client) wait(ctx context.Context, target [numKinds]int64) ([numKinds]int64, error) {
	for {
		c.mu.Lock()
		progress := c.progress
		c.mu.Unlock()
		resolved := [numKinds]int64{c.preds.state().resolved, c.labels.state().resolved, c.errs.state().resolved}
		var left [numKinds]int64
		pending := false
		for k := range left {
			left[k] = max(0, target[k]-resolved[k])
			pending = pending || left[k] > 0
		}
		if !pending {
			return left, nil
		}
		select {
		case <-progress:
		case <-c.done:
			return left, errStopped
		case <-ctx.Done():
			return left, ctx.Err()
		}
	}
}

// notify wakes everyone waiting in wait.
func (c *Client) notify() {
	c.mu.Lock()
	close(c.progress)
	c.progress = make(chan struct{})
	c.mu.Unlock()
}

// Stats counts what a Client did with the records it was given, since it
// was created. Sent + Failed + Queued = records queued by Log; Dropped
// records were never queued.
type Stats struct {
	Predictions Counts
	GroundTruth Counts
	Errors      Counts
	// Requests counts HTTP requests made, retries included.
	Requests int64
	// Retries counts requests that repeated an earlier, failed attempt
	// after a network error, a 429 or a 5xx response.
	Retries int64
}

// Counts counts the records of one kind.
type Counts struct {
	// Queued records wait in the queue or are being sent.
	Queued int64
	// Capacity is the size of the queue (Config.QueueSize).
	Capacity int
	// Sent records were acknowledged by the server.
	Sent int64
	// Duplicates are the sent predictions that the server already had: a
	// retry of a request whose first answer was lost. They were stored
	// once.
	Duplicates int64
	// Dropped records were refused by Log because the queue was full or the
	// client was closed.
	Dropped int64
	// Failed records were given up after they were queued: rejected by the
	// server (4xx), invalid, out of retries, or abandoned by Close. Each
	// was reported to OnError.
	Failed int64
}

// Stats returns the client's counters. It is cheap enough to call on every
// Prometheus scrape.
func (c *Client) Stats() Stats {
	s := Stats{Requests: c.requests.Load(), Retries: c.retries.Load()}
	s.Predictions = c.counts(kPred, c.preds.state())
	s.GroundTruth = c.counts(kLabel, c.labels.state())
	s.Errors = c.counts(kErr, c.errs.state())
	return s
}

func (c *Client) counts(k int, st state) Counts {
	return Counts{
		Queued:     st.pushed - st.resolved,
		Capacity:   st.capacity,
		Sent:       c.sent[k].Load(),
		Duplicates: c.duplicates[k].Load(),
		Dropped:    st.dropped,
		Failed:     c.failed[k].Load(),
	}
}
