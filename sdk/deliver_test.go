package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// These tests run the client against the in-memory fake inside synctest
// bubbles, where time is virtual: backoff and Retry-After are checked to
// the nanosecond without sleeping.

func status(code int, body string) func(int, fakeRequest) (int, http.Header, string) {
	return func(int, fakeRequest) (int, http.Header, string) { return code, nil, body }
}

// TestRetryHonoursRetryAfter answers 503 with Retry-After: 7, then 200:
// the retry comes 7 seconds later, far beyond the backoff.
func TestRetryHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(func(n int, _ fakeRequest) (int, http.Header, string) {
			if n == 0 {
				return 503, http.Header{"Retry-After": {"7"}}, `{"error":{"code":"unavailable","message":"shutting down"}}`
			}
			return 200, nil, `{"accepted":1,"duplicates":0}`
		})
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client(), MinBackoff: 10 * time.Millisecond})
		c.Log(prediction(0, false))
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests, want 2", len(reqs))
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap != 7*time.Second {
			t.Errorf("retry came %v after the 503, want 7s (Retry-After)", gap)
		}
		// The id assigned before the first attempt is the one retried.
		var first, second modelwatch.Prediction
		decodeLine(t, reqs[0].Lines[0], &first)
		decodeLine(t, reqs[1].Lines[0], &second)
		if first.ID == "" || first.ID != second.ID {
			t.Errorf("ids of the attempts: %q and %q, want the same client-assigned id", first.ID, second.ID)
		}
		if st := c.Stats(); st.Retries != 1 || st.Predictions.Sent != 1 {
			t.Errorf("Stats() = %+v, want 1 retry, 1 sent", st)
		}
	})
}

// TestRetryBackoffGrows answers 500 six times (then network errors once):
// the waits double from MinBackoff up to MaxBackoff, each drawn from the
// upper half of its interval.
func TestRetryBackoffGrows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(func(n int, _ fakeRequest) (int, http.Header, string) {
			switch {
			case n < 6:
				return 500, nil, `{"error":{"code":"internal","message":"internal error"}}`
			case n == 6:
				return 0, nil, "" // connection refused
			}
			return 200, nil, `{}`
		})
		c := newClient(t, sdk.Config{
			Endpoint: "http://mw", HTTPClient: f.client(),
			MinBackoff: time.Second, MaxBackoff: 8 * time.Second, RetryTimeout: -1,
		})
		c.LogError("churn", "v1", "timeout")
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 8 {
			t.Fatalf("%d requests, want 8", len(reqs))
		}
		ceilings := []time.Duration{1, 2, 4, 8, 8, 8, 8}
		for i, ceil := range ceilings {
			ceil *= time.Second
			if gap := reqs[i+1].At.Sub(reqs[i].At); gap < ceil/2 || gap > ceil {
				t.Errorf("wait before retry %d = %v, want in [%v, %v]", i+1, gap, ceil/2, ceil)
			}
		}
		if st := c.Stats(); st.Retries != 7 || st.Errors.Sent != 1 {
			t.Errorf("Stats() = %+v, want 7 retries and the error sent", st)
		}
	})
}

// TestRetryTimeoutGivesUp answers 503 forever: after RetryTimeout the batch
// is given up and reported with the server's last answer.
func TestRetryTimeoutGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(status(503, `{"error":{"code":"unavailable","message":"the database does not answer"}}`))
		var errs errorLog
		c := newClient(t, sdk.Config{
			Endpoint: "http://mw", HTTPClient: f.client(), OnError: errs.add,
			MinBackoff: time.Second, MaxBackoff: 4 * time.Second, RetryTimeout: 30 * time.Second,
		})
		c.LogGroundTruth("p-1", "churn")
		c.LogGroundTruth("p-2", "stay")
		start := time.Now()
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 30*time.Second || took < 20*time.Second {
			t.Errorf("gave up after %v, want within RetryTimeout (30s) and not long before", took)
		}
		reported := errs.all()
		var de *sdk.DeliveryError
		if len(reported) != 1 || !errors.As(reported[0], &de) {
			t.Fatalf("OnError got %v, want one DeliveryError", reported)
		}
		if de.Kind != sdk.KindGroundTruth || de.Records != 2 || de.StatusCode != http.StatusServiceUnavailable ||
			strings.Join(de.IDs, ",") != "p-1,p-2" || !strings.Contains(de.Error(), "the database does not answer") ||
			!strings.Contains(de.Error(), "gave up after") {
			t.Errorf("DeliveryError = %+v (%v), want 2 labels p-1,p-2, status 503 and the server's message", de, de)
		}
		if st := c.Stats().GroundTruth; st.Failed != 2 || st.Queued != 0 {
			t.Errorf("Stats().GroundTruth = %+v, want 2 failed", st)
		}
	})
}

// TestCloseGivesUpWhenItsContextExpires keeps the server down: Close
// returns after its deadline and says what was lost.
func TestCloseGivesUpWhenItsContextExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(status(0, ""))
		var errs errorLog
		c, err := sdk.New(sdk.Config{Endpoint: "http://mw", HTTPClient: f.client(), OnError: errs.add, RetryTimeout: -1})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			c.Log(prediction(i, true))
		}
		c.LogGroundTruth("p-1", "churn")
		c.LogGroundTruth("p-2", "churn")
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		err = c.Close(ctx)
		var ue *sdk.UndeliveredError
		if !errors.As(err, &ue) || ue.Predictions != 10 || ue.GroundTruth != 2 || ue.Errors != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want 10 predictions and 2 labels undelivered, deadline exceeded", err)
		}
		if !strings.Contains(err.Error(), "10 predictions, 2 ground-truth labels and 0 prediction errors not delivered") {
			t.Errorf("Close error = %q", err)
		}
		st := c.Stats()
		if st.Predictions.Failed != 10 || st.GroundTruth.Failed != 2 || st.Predictions.Queued != 0 {
			t.Errorf("Stats() = %+v, want everything failed, nothing queued", st)
		}
		var lost int
		for _, e := range errs.all() {
			var de *sdk.DeliveryError
			if errors.As(e, &de) {
				lost += de.Records
			}
		}
		if lost != 12 {
			t.Errorf("OnError reported %d records, want 12", lost)
		}
	})
}

// TestFlushTimesOutAndKeepsTheRecords: Flush's deadline loses nothing.
func TestFlushTimesOutAndKeepsTheRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var up atomic.Bool
		f := newFake(func(int, fakeRequest) (int, http.Header, string) {
			if up.Load() {
				return 200, nil, `{}`
			}
			return 503, nil, ``
		})
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client(), MaxBackoff: time.Second})
		c.Log(prediction(0, true))
		c.Log(prediction(1, true))
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		err := c.Flush(ctx)
		var ue *sdk.UndeliveredError
		if !errors.As(err, &ue) || ue.Predictions != 2 || !strings.Contains(err.Error(), "not yet delivered") {
			t.Fatalf("Flush = %v, want 2 predictions not yet delivered", err)
		}
		if q := c.Stats().Predictions.Queued; q != 2 {
			t.Errorf("after Flush timed out, %d queued, want 2", q)
		}
		up.Store(true)
		if err := c.Flush(t.Context()); err != nil {
			t.Fatalf("second Flush: %v", err)
		}
		if st := c.Stats().Predictions; st.Sent != 2 || st.Failed != 0 {
			t.Errorf("Stats().Predictions = %+v, want 2 sent", st)
		}
	})
}

// TestTooLargeSplitsTheBatch answers 413 to requests of more than two
// records: the client halves the batch until every part fits.
func TestTooLargeSplitsTheBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(func(_ int, r fakeRequest) (int, http.Header, string) {
			if len(r.Lines) > 2 {
				return 413, nil, `{"error":{"code":"too_large","message":"request body is larger than 100 bytes"}}`
			}
			return 200, nil, `{}`
		})
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client()})
		for i := range 5 {
			c.Log(prediction(i, true))
		}
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range f.requests() {
			if len(r.Lines) > 2 {
				continue
			}
			for _, l := range r.Lines {
				var p modelwatch.Prediction
				decodeLine(t, l, &p)
				ids = append(ids, p.ID)
			}
		}
		if got := strings.Join(ids, ","); got != "p-0,p-1,p-2,p-3,p-4" {
			t.Errorf("ids accepted, in order: %s, want p-0 … p-4", got)
		}
		if st := c.Stats(); st.Predictions.Sent != 5 || st.Predictions.Failed != 0 || st.Retries != 0 {
			t.Errorf("Stats() = %+v, want 5 sent, no retries", st)
		}
	})
}

// TestRequestHeaders checks the content type, gzip and the bearer token.
func TestRequestHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(nil)
		c := newClient(t, sdk.Config{Endpoint: "http://mw/base/", HTTPClient: f.client(), Gzip: true, Token: "s3cret"})
		c.Log(prediction(0, true))
		c.LogGroundTruth("p-0", "churn")
		c.LogError("churn", "v1", "timeout")
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		var paths []string
		for _, r := range reqs {
			paths = append(paths, r.Path)
			for h, want := range map[string]string{
				"Content-Type":     "application/x-ndjson",
				"Content-Encoding": "gzip",
				"Authorization":    "Bearer s3cret",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s %s: %s = %q, want %q", r.Path, r.Lines, h, got, want)
				}
			}
		}
		if got := strings.Join(paths, " "); got != "/base/api/v1/predictions /base/api/v1/ground-truth /base/api/v1/errors" {
			t.Errorf("paths = %s", got)
		}
		if got := reqs[2].Lines[0]; got != `{"model_name":"churn","model_version":"v1","error_type":"timeout"}` {
			t.Errorf("error record = %s", got)
		}
		if got := reqs[1].Lines[0]; got != `{"id":"p-0","ground_truth":"churn"}` {
			t.Errorf("ground-truth record = %s", got)
		}
	})
}

// TestNonJSONErrorIsReported answers 403 with an HTML page, as a proxy
// might: the record is reported with the page's text.
func TestNonJSONErrorIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(status(403, "<html>Forbidden by proxy</html>"))
		var errs errorLog
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client(), OnError: errs.add})
		c.LogError("churn", "v1", "timeout")
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reported := errs.all()
		var de *sdk.DeliveryError
		if len(reported) != 1 || !errors.As(reported[0], &de) {
			t.Fatalf("OnError got %v, want one DeliveryError", reported)
		}
		if de.Kind != sdk.KindError || de.IDs != nil || modelwatch.ErrorCode(de) != modelwatch.EForbidden ||
			!strings.Contains(de.Error(), "Forbidden by proxy") || len(f.requests()) != 1 {
			t.Errorf("DeliveryError = %+v (%v), want a forbidden prediction error with the proxy's text, after 1 request", de, de)
		}
	})
}

func decodeLine(t *testing.T, line string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(line), v); err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
}

// TestGzipToARealServer checks that modelwatch accepts the compressed
// batches of every kind.
func TestGzipToARealServer(t *testing.T) {
	srv := startModelwatch(t, nil)
	var errs errorLog
	c := newClient(t, sdk.Config{Endpoint: srv.URL, Gzip: true, BatchSize: 40, OnError: errs.add})
	for i := range 100 {
		c.Log(prediction(i, true))
		c.LogGroundTruth(fmt.Sprintf("p-%d", i), "stay")
	}
	c.LogError("churn", "v1", "timeout")
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if e := errs.all(); len(e) > 0 {
		t.Fatalf("OnError: %v", e)
	}
	st := stats(t, srv.URL, "churn")
	if st.TotalPredictions != 100 || st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != 1 {
		t.Errorf("server stores %d predictions, coverage %v; want 100, 1", st.TotalPredictions, st.GroundTruthCoverage)
	}
	if got := c.Stats().Errors.Sent; got != 1 {
		t.Errorf("%d errors sent, want 1", got)
	}
}
