package sdk

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
)

// outcome is what became of one request, after its retries.
type outcome int

const (
	sent         outcome = iota // 2xx
	retry                       // network error, 429 or 5xx: try again
	rejectedRows                // 400 naming the invalid rows
	tooLarge                    // 413
	failed                      // any other answer, or out of retries
	aborted                     // the client aborted
)

// result is the answer to one request.
type result struct {
	outcome    outcome
	status     int
	duplicates int
	retryAfter time.Duration
	err        error
	rows       []modelwatch.FieldError // the invalid rows, for rejectedRows
}

// part is a subset of a batch's lines to send in one request.
type part struct {
	rows   []int
	resent bool // the server rejected rows of it once; do not split again
}

// deliver sends the batch in s.b. Rows the server names as invalid are
// given up and the rest sent again once; a batch too large for the server
// is split in halves; everything else that fails is given up whole.
func (s *sender) deliver() {
	b := &s.b
	if len(b.bad.ids) > 0 {
		first := b.bad.problems[0]
		ids := b.bad.ids
		if b.kind == kErr {
			ids = nil
		}
		s.giveUp(b.kind, &DeliveryError{
			Records: len(b.bad.ids), IDs: ids, Problems: b.bad.problems,
			Err: modelwatch.Errorf(modelwatch.EInvalid, "invalid, not sent: %s %s", first.Field, first.Message),
		})
		b.bad = invalid{} // handed over to OnError
	}
	if len(b.ends) == 0 {
		return
	}
	all := make([]int, len(b.ends))
	for i := range all {
		all[i] = i
	}
	work := []part{{rows: all}}
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		res := s.post(b.kind, p.rows)
		if res.outcome == rejectedRows && p.resent {
			res.outcome = failed
		}
		switch res.outcome {
		case sent:
			s.c.sent[b.kind].Add(int64(len(p.rows)))
			s.c.duplicates[b.kind].Add(int64(res.duplicates))
		case rejectedRows:
			bad := map[int]bool{}
			for _, fe := range res.rows {
				if fe.Index < 0 || fe.Index >= len(p.rows) {
					bad = nil // not rows of this request: give up the whole part
					break
				}
				bad[fe.Index] = true
			}
			if bad == nil {
				s.giveUp(b.kind, s.failure(p.rows, res))
				continue
			}
			var good []int
			e := &DeliveryError{StatusCode: res.status, Err: res.err}
			at := map[int]int{} // row index in the request → position in e.IDs
			for i, row := range p.rows {
				if !bad[i] {
					good = append(good, row)
					continue
				}
				at[i] = len(e.IDs)
				e.IDs = append(e.IDs, b.ids[row])
			}
			for _, fe := range res.rows {
				fe.Index = at[fe.Index]
				e.Problems = append(e.Problems, fe)
			}
			e.Records = len(e.IDs)
			if b.kind == kErr {
				e.IDs = nil
			}
			s.giveUp(b.kind, e)
			if len(good) > 0 {
				work = append(work, part{rows: good, resent: true})
			}
		case tooLarge:
			if h := len(p.rows) / 2; h > 0 {
				work = append(work, part{rows: p.rows[h:], resent: p.resent}, part{rows: p.rows[:h], resent: p.resent})
				continue
			}
			s.giveUp(b.kind, s.failure(p.rows, res))
		case aborted:
			rows := append([]int(nil), p.rows...)
			for _, q := range work {
				rows = append(rows, q.rows...)
			}
			work = nil
			s.giveUp(b.kind, s.failure(rows, res))
		default:
			s.giveUp(b.kind, s.failure(p.rows, res))
		}
	}
}

// failure describes the given-up rows of the batch.
func (s *sender) failure(rows []int, res result) *DeliveryError {
	e := &DeliveryError{Records: len(rows), StatusCode: res.status, Err: res.err}
	if s.b.kind != kErr {
		for _, r := range rows {
			e.IDs = append(e.IDs, s.b.ids[r])
		}
	}
	return e
}

// post sends the given rows of the batch, retrying network errors, 429 and
// 5xx with exponential backoff for up to RetryTimeout.
func (s *sender) post(kind int, rows []int) result {
	body := s.body(rows)
	start := time.Now()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			s.c.retries.Add(1)
		}
		s.c.requests.Add(1)
		res := s.attempt(kind, body)
		if res.outcome != retry {
			return res
		}
		wait := max(s.backoff(attempt), res.retryAfter)
		if elapsed := time.Since(start); s.cfg.RetryTimeout >= 0 && elapsed+wait > s.cfg.RetryTimeout {
			res.outcome = failed
			res.err = &retriesExhausted{attempts: attempt + 1, elapsed: elapsed, timeout: s.cfg.RetryTimeout, last: res.err}
			return res
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.c.ctx.Done():
			t.Stop()
			return result{outcome: aborted, status: res.status, err: fmt.Errorf("%w (last attempt: %s)", errAborted, message(res.err))}
		}
	}
}

// backoff returns the wait before retry number attempt+1: MinBackoff
// doubled attempt times, at most MaxBackoff, drawn uniformly from the upper
// half of that.
func (s *sender) backoff(attempt int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 0; i < attempt && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// body returns the NDJSON of the given rows, compressed when configured,
// in a new slice: the transport may read a request body after the response
// came, while the batch buffers are reused.
func (s *sender) body(rows []int) []byte {
	b := &s.b
	raw := b.lines
	if len(rows) != len(b.ends) {
		s.sub = s.sub[:0]
		for _, i := range rows {
			start := 0
			if i > 0 {
				start = b.ends[i-1]
			}
			s.sub = append(s.sub, b.lines[start:b.ends[i]]...)
		}
		raw = s.sub
	}
	if !s.cfg.Gzip {
		return bytes.Clone(raw)
	}
	var buf bytes.Buffer
	if s.zw == nil {
		s.zw = gzip.NewWriter(&buf)
	} else {
		s.zw.Reset(&buf)
	}
	_, _ = s.zw.Write(raw) // writes to a bytes.Buffer do not fail
	_ = s.zw.Close()
	return buf.Bytes()
}

// attempt makes one request and classifies its answer.
func (s *sender) attempt(kind int, body []byte) result {
	ctx, cancel := context.WithTimeout(s.c.ctx, s.cfg.RequestTimeout)
	defer cancel()
	url := s.c.urls[kind]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return result{outcome: failed, err: fmt.Errorf("build request to %s: %w", url, err)}
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("User-Agent", "modelwatch-go-sdk")
	if s.cfg.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		if s.c.ctx.Err() != nil {
			return result{outcome: aborted, err: fmt.Errorf("%w (request to %s: %w)", errAborted, url, err)}
		}
		return result{outcome: retry, err: err}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
	}()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	res := result{status: resp.StatusCode}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		res.outcome = sent
		var ingest struct {
			Duplicates int `json:"duplicates"`
		}
		if kind == kPred && json.Unmarshal(data, &ingest) == nil {
			res.duplicates = ingest.Duplicates
		}
		return res
	}
	serverErr, details := parseError(resp.StatusCode, data, readErr)
	res.err = serverErr
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code >= 500:
		res.outcome = retry
		res.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	case code == http.StatusRequestEntityTooLarge:
		res.outcome = tooLarge
	case code == http.StatusBadRequest && serverErr.Code == modelwatch.EInvalid && len(details) > 0:
		res.outcome = rejectedRows
		res.rows = details
	default:
		res.outcome = failed
	}
	return res
}

// parseError reads the server's error body. It returns the error and, when
// its details name rows of the request, those rows' problems.
func parseError(status int, data []byte, readErr error) (*modelwatch.Error, []modelwatch.FieldError) {
	var body struct {
		Error *struct {
			Code    string          `json:"code"`
			Message string          `json:"message"`
			Details json.RawMessage `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil || body.Error == nil || body.Error.Message == "" {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		if readErr != nil {
			msg += " (reading the answer: " + readErr.Error() + ")"
		}
		return &modelwatch.Error{Code: codeOf(status), Message: msg}, nil
	}
	e := &modelwatch.Error{Code: body.Error.Code, Message: body.Error.Message}
	if len(body.Error.Details) > 0 && string(body.Error.Details) != "null" {
		e.Details = body.Error.Details
	}
	var rows []modelwatch.FieldError
	if json.Unmarshal(body.Error.Details, &rows) != nil {
		rows = nil
	}
	return e, rows
}

// codeOf guesses a modelwatch error code for a status whose body was not a
// modelwatch error (a proxy answered, say).
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return modelwatch.EInvalid
	case http.StatusUnauthorized:
		return modelwatch.EUnauthorized
	case http.StatusForbidden:
		return modelwatch.EForbidden
	case http.StatusNotFound:
		return modelwatch.ENotFound
	case http.StatusRequestEntityTooLarge:
		return modelwatch.ETooLarge
	case http.StatusTooManyRequests:
		return modelwatch.ERateLimited
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return modelwatch.EUnavailable
	}
	return modelwatch.EInternal
}

// retryAfter parses a Retry-After header: seconds, or an HTTP date. It
// returns 0 when the header is absent or malformed.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
