package sdk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
)

// Kind is a kind of record the client sends. Its values are the kind label
// of the server's modelwatch_ingest_rows_total.
type Kind string

// The kinds of records.
const (
	KindPrediction  Kind = "prediction"
	KindGroundTruth Kind = "ground_truth"
	KindError       Kind = "error"
)

// noun returns how to name n records of kind k in a sentence.
func (k Kind) noun(n int) string {
	var s string
	switch k {
	case KindPrediction:
		s = "prediction"
	case KindGroundTruth:
		s = "ground-truth label"
	case KindError:
		s = "prediction error"
	default:
		s = string(k) + " record"
	}
	if n != 1 {
		s += "s"
	}
	return s
}

// ErrQueueFull is the cause of a DeliveryError for records that Log
// dropped because their queue was full.
var ErrQueueFull = errors.New("the queue was full: the server is too slow or unreachable, or QueueSize is too small for the traffic")

// DeliveryError reports records that the client gave up: the server
// rejected them (a 4xx response), they were invalid before sending, their
// retries ran out, Close's context expired, or Log dropped them because the
// queue was full (then IDs is empty and Err is ErrQueueFull). It is what
// Config.OnError receives.
type DeliveryError struct {
	Kind    Kind
	Records int      // how many records were given up
	IDs     []string // their ids, for predictions and ground truth
	// Problems says what is wrong with each invalid record, when the server
	// or the client's own check named them. Index is the record's position
	// among the given-up records, which is its position in IDs when there
	// are ids.
	Problems []modelwatch.FieldError
	// StatusCode is the HTTP status of the server's last answer, or 0 when
	// none came.
	StatusCode int
	// Err is the cause. For a server's answer it is the *modelwatch.Error
	// the server sent, with its code, message and details.
	Err error
}

// Error implements the error interface.
func (e *DeliveryError) Error() string {
	var b strings.Builder
	verb := "not delivered"
	if errors.Is(e.Err, ErrQueueFull) {
		verb = "dropped"
	}
	fmt.Fprintf(&b, "modelwatch sdk: %d %s %s", e.Records, e.Kind.noun(e.Records), verb)
	if len(e.IDs) > 0 {
		b.WriteString(" (")
		if len(e.IDs) == 1 {
			b.WriteString("id ")
		} else {
			b.WriteString("ids ")
		}
		const show = 3
		for i, id := range e.IDs[:min(show, len(e.IDs))] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(id)
		}
		if len(e.IDs) > show {
			fmt.Fprintf(&b, " and %d more", len(e.IDs)-show)
		}
		b.WriteString(")")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": server answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	switch {
	case len(e.Problems) > 0:
		// The server's message speaks of the whole request, of which the
		// other records were sent again: name the problems instead.
		for i, p := range e.Problems[:min(3, len(e.Problems))] {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			if p.Index < len(e.IDs) && e.IDs[p.Index] != "" {
				b.WriteString(e.IDs[p.Index] + ": ")
			}
			b.WriteString(strings.TrimSpace(p.Field + " " + p.Message))
		}
		if len(e.Problems) > 3 {
			fmt.Fprintf(&b, "; and %d more problems", len(e.Problems)-3)
		}
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(message(e.Err))
	}
	return b.String()
}

// message returns the text of err for a sentence: the message alone of a
// server's *modelwatch.Error.
func message(err error) string {
	// Only the server's error itself: a wrapper's text has more to say.
	if me, ok := err.(*modelwatch.Error); ok { //nolint:errorlint // deliberately not errors.As

		return me.Message
	}
	return err.Error()
}

// retriesExhausted is the cause of records given up after RetryTimeout.
type retriesExhausted struct {
	attempts         int
	elapsed, timeout time.Duration
	last             error
}

// Error implements the error interface.
func (e *retriesExhausted) Error() string {
	return fmt.Sprintf("gave up after %d attempts in %v (RetryTimeout %v); the last: %s",
		e.attempts, e.elapsed.Round(time.Millisecond), e.timeout, message(e.last))
}

// Unwrap returns the last attempt's error.
func (e *retriesExhausted) Unwrap() error { return e.last }

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// UndeliveredError is returned by Flush and Close when their context
// expired first: it counts the records that were not (Flush: not yet)
// delivered.
type UndeliveredError struct {
	Op          string // "flush" or "close"
	Predictions int64
	GroundTruth int64
	Errors      int64
	Err         error // the context's error
}

// Error implements the error interface.
func (e *UndeliveredError) Error() string {
	what := "not delivered"
	if e.Op == "flush" {
		what = "not yet delivered (they stay queued)"
	}
	return fmt.Sprintf("%s modelwatch client: %d %s, %d %s and %d %s %s: %v", e.Op,
		e.Predictions, KindPrediction.noun(int(e.Predictions)),
		e.GroundTruth, KindGroundTruth.noun(int(e.GroundTruth)),
		e.Errors, KindError.noun(int(e.Errors)), what, e.Err)
}

// Unwrap returns the context's error.
func (e *UndeliveredError) Unwrap() error { return e.Err }

// Total returns the number of records not delivered.
func (e *UndeliveredError) Total() int64 { return e.Predictions + e.GroundTruth + e.Errors }
