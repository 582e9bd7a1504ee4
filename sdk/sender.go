package sdk

import (
	"compress/gzip"
	"errors"
	"time"

	"github.com/modelwatch/modelwatch"
)

// errAborted is why records are given up when Close's context expired.
var errAborted = errors.New("the context of Close expired before they were delivered")

// sender is the client's background goroutine: it takes records off the
// queues, encodes them and delivers them. Only run uses it, so it needs no
// locks; its buffers are reused from batch to batch.
type sender struct {
	c   *Client
	cfg *Config

	recs []record
	gts  []modelwatch.GroundTruth
	pes  []modelwatch.PredictionError
	keys []string

	b   batch
	sub []byte // the lines of part of a batch
	zw  *gzip.Writer

	reported [numKinds]int64 // queue-full drops already reported
}

// batch is one kind's records, encoded as NDJSON lines.
type batch struct {
	kind  int
	lines []byte
	ends  []int    // ends[i] is the offset just past line i's newline
	ids   []string // ids[i] is line i's record id ("" for errors)
	bad   invalid  // records not encoded because they are invalid
}

func (b *batch) reset(kind int) {
	b.kind = kind
	b.lines = b.lines[:0]
	b.ends = b.ends[:0]
	clear(b.ids)
	b.ids = b.ids[:0]
	b.bad.reset()
}

// endLine ends the line of the record with the given id.
func (b *batch) endLine(id string) {
	b.lines = append(b.lines, '\n')
	b.ends = append(b.ends, len(b.lines))
	b.ids = append(b.ids, id)
}

// invalid collects records that failed the client's checks.
type invalid struct {
	ids      []string
	problems []modelwatch.FieldError
}

func (v *invalid) reset() {
	clear(v.ids)
	v.ids = v.ids[:0]
	v.problems = v.problems[:0]
}

func (v *invalid) add(id string, problems []modelwatch.FieldError) {
	for _, p := range problems {
		p.Index = len(v.ids)
		v.problems = append(v.problems, p)
	}
	v.ids = append(v.ids, id)
}

// run is the sender's loop: it sends what is queued whenever a batch is
// full, FlushInterval passed, or Flush asks, until Close.
func (c *Client) run() {
	defer close(c.done)
	s := &sender{c: c, cfg: &c.cfg}
	tick := time.NewTicker(c.cfg.FlushInterval)
	defer tick.Stop()
	clock := time.NewTicker(time.Second)
	defer clock.Stop()
	for {
		select {
		case <-clock.C:
			c.rebase()
			continue
		case <-c.wake:
		case <-tick.C:
		case <-c.quit:
			s.drain()
			s.abandonQueued()
			s.reportDrops()
			return
		}
		s.drain()
	}
}

// drain sends batches, one of each kind in turn, until the queues are empty
// or the client aborts.
func (s *sender) drain() {
	for s.c.ctx.Err() == nil {
		n := s.sendPredictions()
		n += sendSimple(s, kLabel, s.c.labels, &s.gts, labelID, checkLabel, appendGroundTruth)
		n += sendSimple(s, kErr, s.c.errs, &s.pes, errorID, checkError, appendPredictionError)
		s.reportDrops()
		if n == 0 {
			return
		}
	}
}

// sendPredictions takes a batch of predictions, fills in their ids, checks
// and encodes them, delivers them, and returns how many it took.
func (s *sender) sendPredictions() int {
	s.recs = s.c.preds.take(s.recs[:0], s.cfg.BatchSize)
	n := len(s.recs)
	if n == 0 {
		return 0
	}
	s.b.reset(kPred)
	for i := range s.recs {
		r := &s.recs[i]
		r.own()
		if r.p.ID == "" {
			r.p.ID = modelwatch.NewID()
		}
		if problems := checkPrediction(&r.p); len(problems) > 0 {
			s.b.bad.add(r.p.ID, problems)
			continue
		}
		s.b.lines = appendPrediction(s.b.lines, &r.p, &s.keys)
		s.b.endLine(r.p.ID)
	}
	s.deliver()
	clear(s.recs) // keep nothing alive until the next batch
	s.c.preds.resolve(n)
	s.c.notify()
	return n
}

// sendSimple is sendPredictions for ground truth and errors.
func sendSimple[T any](s *sender, kind int, q *queue[T], buf *[]T,
	id func(*T) string, check func(*T) []modelwatch.FieldError, enc func([]byte, *T) []byte,
) int {
	*buf = q.take((*buf)[:0], s.cfg.BatchSize)
	n := len(*buf)
	if n == 0 {
		return 0
	}
	s.b.reset(kind)
	for i := range *buf {
		v := &(*buf)[i]
		if problems := check(v); len(problems) > 0 {
			s.b.bad.add(id(v), problems)
			continue
		}
		s.b.lines = enc(s.b.lines, v)
		s.b.endLine(id(v))
	}
	s.deliver()
	clear(*buf)
	q.resolve(n)
	s.c.notify()
	return n
}

func labelID(g *modelwatch.GroundTruth) string                     { return g.ID }
func errorID(*modelwatch.PredictionError) string                   { return "" }
func checkLabel(g *modelwatch.GroundTruth) []modelwatch.FieldError { return g.Validate() }
func checkError(e *modelwatch.PredictionError) []modelwatch.FieldError {
	return e.Validate()
}

// checkPrediction returns what the server would reject in p, as far as the
// client can tell.
func checkPrediction(p *modelwatch.Prediction) []modelwatch.FieldError {
	problems := p.Validate()
	if len(p.Features) > 0 {
		if err := modelwatch.ValidateFeatures(p.Features); err != nil {
			fe := modelwatch.FieldError{Field: "features", Message: err.Error()}
			var ferr *modelwatch.FeatureError
			if errors.As(err, &ferr) {
				fe.Message = ferr.Message
				if ferr.Name != "" {
					fe.Field += "." + ferr.Name
				}
			}
			problems = append(problems, fe)
		}
	}
	if !p.Timestamp.IsZero() && p.Timestamp.Year() < 1970 {
		problems = append(problems, modelwatch.FieldError{Field: "timestamp", Message: "must be after 1970"})
	}
	return problems
}

// reportDrops reports the records Log dropped since the last report.
func (s *sender) reportDrops() {
	for k, st := range [numKinds]state{s.c.preds.state(), s.c.labels.state(), s.c.errs.state()} {
		full := st.dropped - st.late
		if d := full - s.reported[k]; d > 0 {
			s.reported[k] = full
			s.cfg.OnError(&DeliveryError{Kind: kindOf(k), Records: int(d), Err: ErrQueueFull})
		}
	}
}

// giveUp counts records as failed and reports them.
func (s *sender) giveUp(kind int, e *DeliveryError) {
	if e.Records == 0 {
		return
	}
	e.Kind = kindOf(kind)
	s.c.failed[kind].Add(int64(e.Records))
	if errors.Is(e.Err, errAborted) {
		s.c.abandoned[kind].Add(int64(e.Records))
	}
	s.cfg.OnError(e)
}

// abandonQueued gives up whatever is still queued once the client aborted.
func (s *sender) abandonQueued() {
	abandon := func(kind int, n int, ids []string) {
		s.giveUp(kind, &DeliveryError{Records: n, IDs: ids, Err: errAborted})
	}
	for {
		s.recs = s.c.preds.take(s.recs[:0], s.cfg.BatchSize)
		s.gts = s.c.labels.take(s.gts[:0], s.cfg.BatchSize)
		s.pes = s.c.errs.take(s.pes[:0], s.cfg.BatchSize)
		if len(s.recs)+len(s.gts)+len(s.pes) == 0 {
			return
		}
		var ids []string
		for i := range s.recs {
			if id := s.recs[i].p.ID; id != "" {
				ids = append(ids, id)
			}
		}
		abandon(kPred, len(s.recs), ids)
		ids = nil
		for i := range s.gts {
			ids = append(ids, s.gts[i].ID)
		}
		abandon(kLabel, len(s.gts), ids)
		abandon(kErr, len(s.pes), nil)
		s.c.preds.resolve(len(s.recs))
		s.c.labels.resolve(len(s.gts))
		s.c.errs.resolve(len(s.pes))
		clear(s.recs)
		clear(s.gts)
		clear(s.pes)
		s.c.notify()
	}
}
