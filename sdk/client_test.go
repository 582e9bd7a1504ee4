package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/sdk"
)

// prediction returns the i-th test prediction of model churn v1; with
// withID its id is "p-<i>", else the client assigns one.
func prediction(i int, withID bool) modelwatch.Prediction {
	conf := 0.5 + float64(i%50)/100
	p := modelwatch.Prediction{
		ModelName:     "churn",
		ModelVersion:  "v1",
		Features:      modelwatch.Features(fmt.Sprintf(`{"tenure":%d,"plan":"basic"}`, i%72)),
		Prediction:    modelwatch.Label([]string{"stay", "churn"}[i%2]),
		Confidence:    &conf,
		Probabilities: map[string]float64{"stay": 1 - conf, "churn": conf},
	}
	if withID {
		p.ID = fmt.Sprintf("p-%d", i)
	}
	return p
}

func newClient(t *testing.T, cfg sdk.Config) *sdk.Client {
	t.Helper()
	c, err := sdk.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestCloseDeliversEverything logs predictions, labels and errors faster
// than a batch interval and checks that Close delivers every one of them
// to a real modelwatch.
func TestCloseDeliversEverything(t *testing.T) {
	srv := startModelwatch(t, nil)
	var errs errorLog
	c := newClient(t, sdk.Config{
		Endpoint: srv.URL, QueueSize: 20000, FlushInterval: time.Hour, OnError: errs.add,
	})
	const n, labelled, failures = 10000, 300, 7
	for i := range n {
		c.Log(prediction(i, i < labelled))
	}
	for i := range labelled {
		c.LogGroundTruth(fmt.Sprintf("p-%d", i), "churn")
	}
	for range failures {
		c.LogError("churn", "v1", "timeout")
	}
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if e := errs.all(); len(e) > 0 {
		t.Fatalf("OnError was called: %v", e)
	}

	got := c.Stats()
	want := sdk.Counts{Sent: n, Capacity: 20000}
	if got.Predictions != want {
		t.Errorf("Stats().Predictions = %+v, want %+v", got.Predictions, want)
	}
	if want := (sdk.Counts{Sent: labelled, Capacity: 20000}); got.GroundTruth != want {
		t.Errorf("Stats().GroundTruth = %+v, want %+v", got.GroundTruth, want)
	}
	if want := (sdk.Counts{Sent: failures, Capacity: 20000}); got.Errors != want {
		t.Errorf("Stats().Errors = %+v, want %+v", got.Errors, want)
	}
	if got.Retries != 0 {
		t.Errorf("Stats().Retries = %d, want 0", got.Retries)
	}

	st := stats(t, srv.URL, "churn")
	if st.TotalPredictions != n {
		t.Errorf("server stores %d predictions, want %d", st.TotalPredictions, n)
	}
	if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != float64(labelled)/n {
		t.Errorf("server's ground_truth_coverage = %v, want %v", st.GroundTruthCoverage, float64(labelled)/n)
	}
	if got := metricValue(t, srv.URL, `model_prediction_errors_total{error_type="timeout",model_name="churn",model_version="v1"}`); got != failures {
		t.Errorf("model_prediction_errors_total = %v, want %d", got, failures)
	}
}

// TestRetriedBatchIsStoredOnce stores the first two prediction requests but
// answers 502, as when a response is lost: the client retries, the server
// recognises the ids, and nothing is stored twice.
func TestRetriedBatchIsStoredOnce(t *testing.T) {
	var lost atomic.Int64 // records of the requests whose answer was lost
	var calls atomic.Int64
	srv := startModelwatch(t, func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/predictions" && calls.Add(1) <= 2 {
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					t.Errorf("first attempt: %d %s", rec.Code, rec.Body)
				}
				var body struct{ Accepted int }
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Error(err)
				}
				lost.Add(int64(body.Accepted))
				http.Error(w, "bad gateway", http.StatusBadGateway)
				return
			}
			api.ServeHTTP(w, r)
		})
	})
	c := newClient(t, sdk.Config{
		Endpoint: srv.URL, BatchSize: 100, FlushInterval: time.Hour,
		MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
	})
	const n = 1000
	for i := range n {
		c.Log(prediction(i, false)) // ids assigned by the client
	}
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := c.Stats()
	if got.Predictions.Sent != n || got.Predictions.Failed != 0 {
		t.Errorf("Stats().Predictions = %+v, want %d sent, none failed", got.Predictions, n)
	}
	if got.Predictions.Duplicates != lost.Load() || lost.Load() == 0 {
		t.Errorf("Stats().Predictions.Duplicates = %d, want the %d records whose answer was lost", got.Predictions.Duplicates, lost.Load())
	}
	if got.Retries != 2 {
		t.Errorf("Stats().Retries = %d, want 2", got.Retries)
	}
	if st := stats(t, srv.URL, "churn"); st.TotalPredictions != n {
		t.Errorf("server stores %d predictions, want %d (no duplicates)", st.TotalPredictions, n)
	}
}

// TestRejectedRowsAreReportedNotRetried sends one prediction the server
// rejects (a timestamp two days ahead) among valid ones, and one that the
// client itself finds invalid: both are reported, neither is retried, and
// the valid rest is stored.
func TestRejectedRowsAreReportedNotRetried(t *testing.T) {
	srv := startModelwatch(t, nil)
	var errs errorLog
	c := newClient(t, sdk.Config{Endpoint: srv.URL, FlushInterval: time.Hour, OnError: errs.add})
	for i := range 10 {
		c.Log(prediction(i, true))
	}
	future := prediction(10, true)
	future.Timestamp = time.Now().Add(48 * time.Hour)
	c.Log(future)
	invalid := prediction(11, true)
	invalid.Confidence = new(1.5)
	c.Log(invalid)
	if err := c.Flush(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Flush: %v", err)
	}

	got := c.Stats()
	if got.Predictions.Sent != 10 || got.Predictions.Failed != 2 || got.Predictions.Queued != 0 {
		t.Errorf("Stats().Predictions = %+v, want 10 sent, 2 failed", got.Predictions)
	}
	// One request rejected for its row 10, one with the ten others.
	if got.Requests != 2 || got.Retries != 0 {
		t.Errorf("Stats() = %d requests, %d retries; want 2 requests, 0 retries", got.Requests, got.Retries)
	}
	if st := stats(t, srv.URL, "churn"); st.TotalPredictions != 10 {
		t.Errorf("server stores %d predictions, want 10", st.TotalPredictions)
	}

	reported := errs.all()
	if len(reported) != 2 {
		t.Fatalf("OnError got %d errors, want 2: %v", len(reported), reported)
	}
	for _, tc := range []struct {
		err    error
		id     string
		field  string
		status int
	}{
		{reported[0], "p-11", "confidence", 0},
		{reported[1], "p-10", "timestamp", http.StatusBadRequest},
	} {
		var de *sdk.DeliveryError
		if !errors.As(tc.err, &de) {
			t.Fatalf("OnError got %T %v, want *sdk.DeliveryError", tc.err, tc.err)
		}
		if de.Kind != sdk.KindPrediction || de.Records != 1 || len(de.IDs) != 1 || de.IDs[0] != tc.id || de.StatusCode != tc.status {
			t.Errorf("DeliveryError = %+v, want 1 prediction %s, status %d", de, tc.id, tc.status)
		}
		if len(de.Problems) != 1 || de.Problems[0].Field != tc.field || de.Problems[0].Index != 0 {
			t.Errorf("DeliveryError.Problems = %+v, want one about %s", de.Problems, tc.field)
		}
		if modelwatch.ErrorCode(de) != modelwatch.EInvalid {
			t.Errorf("error code = %q, want %q", modelwatch.ErrorCode(de), modelwatch.EInvalid)
		}
		if msg := de.Error(); !strings.Contains(msg, tc.id) || !strings.Contains(msg, tc.field) {
			t.Errorf("Error() = %q, want the id %s and the field %s", msg, tc.id, tc.field)
		}
	}
}

// TestQueueFullDropsAreCounted holds the first request at the server so
// that the queue fills: what does not fit is dropped, counted and
// reported, and everything queued is delivered once the server answers.
func TestQueueFullDropsAreCounted(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	srv := startModelwatch(t, func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if first.CompareAndSwap(false, true) {
				close(arrived)
				<-release
			}
			api.ServeHTTP(w, r)
		})
	})
	var errs errorLog
	c := newClient(t, sdk.Config{Endpoint: srv.URL, BatchSize: 5, QueueSize: 10, FlushInterval: time.Hour, OnError: errs.add})
	for i := range 5 { // a full batch: the sender takes it and posts it
		c.Log(prediction(i, true))
	}
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the first batch did not arrive")
	}
	for i := 5; i < 18; i++ { // 10 fit in the queue, 3 do not
		c.Log(prediction(i, true))
	}
	got := c.Stats().Predictions
	if got.Dropped != 3 || got.Queued != 15 {
		t.Errorf("while the server holds the first batch: Stats().Predictions = %+v, want 3 dropped, 15 queued", got)
	}
	close(release)
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got = c.Stats().Predictions
	if got.Sent != 15 || got.Dropped != 3 || got.Failed != 0 || got.Queued != 0 {
		t.Errorf("after Close: Stats().Predictions = %+v, want 15 sent, 3 dropped", got)
	}
	if st := stats(t, srv.URL, "churn"); st.TotalPredictions != 15 {
		t.Errorf("server stores %d predictions, want 15", st.TotalPredictions)
	}
	reported := errs.all()
	var de *sdk.DeliveryError
	if len(reported) != 1 || !errors.As(reported[0], &de) || !errors.Is(de, sdk.ErrQueueFull) || de.Records != 3 {
		t.Errorf("OnError got %v, want one report of 3 predictions dropped because the queue was full", reported)
	}
}

// TestFlushDeliversWithoutClosing checks that Flush returns once the
// records logged before it are stored, and that the client goes on.
func TestFlushDeliversWithoutClosing(t *testing.T) {
	srv := startModelwatch(t, nil)
	c := newClient(t, sdk.Config{Endpoint: srv.URL, FlushInterval: time.Hour})
	for round := 1; round <= 2; round++ {
		for i := range 3 {
			c.Log(prediction(round*10+i, true))
		}
		if err := c.Flush(ctxTimeout(t, time.Minute)); err != nil {
			t.Fatalf("Flush %d: %v", round, err)
		}
		if st := stats(t, srv.URL, "churn"); st.TotalPredictions != int64(3*round) {
			t.Errorf("after Flush %d the server stores %d predictions, want %d", round, st.TotalPredictions, 3*round)
		}
	}
}

// TestLogAfterCloseIsDropped checks that Close stops the client for good
// and that a second Close returns the first one's result.
func TestLogAfterCloseIsDropped(t *testing.T) {
	srv := startModelwatch(t, nil)
	var errs errorLog
	c := newClient(t, sdk.Config{Endpoint: srv.URL, OnError: errs.add})
	c.Log(prediction(0, true))
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.Log(prediction(1, true))
	c.LogGroundTruth("p-0", "stay")
	c.LogError("churn", "v1", "late")
	got := c.Stats()
	if got.Predictions.Sent != 1 || got.Predictions.Dropped != 1 || got.GroundTruth.Dropped != 1 || got.Errors.Dropped != 1 {
		t.Errorf("Stats() = %+v, want 1 prediction sent and one record of each kind dropped", got)
	}
	if err := c.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.Flush(ctxTimeout(t, time.Minute)); err != nil {
		t.Errorf("Flush after Close: %v", err)
	}
	if e := errs.all(); len(e) > 0 {
		t.Errorf("OnError got %v; records refused after Close are counted, not reported", e)
	}
}

// TestTokensAndRateLimits runs against a modelwatch that requires tokens
// and limits their request rate: a wrong token's 401 is reported with the
// server's message and the records' ids, and not retried; the right token
// is accepted, and 429 answers are retried after their Retry-After until
// everything is stored.
func TestTokensAndRateLimits(t *testing.T) {
	tokens, err := auth.New("", "mw_good-token-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	srv := startModelwatchWith(t, httpapi.Options{Auth: tokens, RateLimit: 20, RateBurst: 1}, nil)

	var errs errorLog
	wrong := newClient(t, sdk.Config{Endpoint: srv.URL, Token: "mw_wrong", FlushInterval: time.Hour, OnError: errs.add})
	for i := range 3 {
		wrong.Log(prediction(i, true))
	}
	if err := wrong.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	var de *sdk.DeliveryError
	if reported := errs.all(); len(reported) != 1 || !errors.As(reported[0], &de) {
		t.Fatalf("with a wrong token OnError got %v, want one DeliveryError", reported)
	}
	if de.StatusCode != http.StatusUnauthorized || de.Records != 3 || strings.Join(de.IDs, ",") != "p-0,p-1,p-2" ||
		modelwatch.ErrorCode(de) != modelwatch.EUnauthorized || !strings.Contains(de.Error(), "the token is not valid") {
		t.Errorf("with a wrong token OnError got %q (%+v), want 401 unauthorized for p-0,p-1,p-2 with the server's message", de, de)
	}
	if st := wrong.Stats(); st.Requests != 1 || st.Retries != 0 || st.Predictions.Failed != 3 {
		t.Errorf("with a wrong token: Stats() = %+v, want 1 request, no retry, 3 failed", st)
	}

	good := newClient(t, sdk.Config{Endpoint: srv.URL, Token: "mw_good-token-0123456789", BatchSize: 10, FlushInterval: time.Hour, MaxBackoff: 100 * time.Millisecond})
	for i := range 30 {
		good.Log(prediction(i, true))
	}
	if err := good.Close(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st := good.Stats()
	if st.Predictions.Sent != 30 || st.Predictions.Failed != 0 {
		t.Errorf("with the right token: Stats().Predictions = %+v, want 30 sent", st.Predictions)
	}
	if st.Retries == 0 {
		t.Errorf("Stats().Retries = 0: three requests at once should have met the rate limit of 20/s with bursts of 1")
	}
	if got := stats(t, srv.URL, "churn", "mw_good-token-0123456789").TotalPredictions; got != 30 {
		t.Errorf("server stores %d predictions, want 30", got)
	}
}
