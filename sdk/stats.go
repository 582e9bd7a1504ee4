package sdk

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
