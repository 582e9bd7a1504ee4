package sdk

// Hooks for the external tests and benchmarks.

// NewWithoutSender returns a client whose background sender does not run,
// so that a benchmark measures the logging path alone. Do not Close it.
func NewWithoutSender(cfg Config) (*Client, error) { return newClient(cfg) }

// DiscardQueued empties the queues as if everything had been sent. It
// takes constant time: the slots are left as they are, to be overwritten.
func (c *Client) DiscardQueued() {
	discard(c.preds)
	discard(c.labels)
	discard(c.errs)
}

func discard[T any](q *queue[T]) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.resolved += int64(q.n)
	q.head, q.n = 0, 0
}
