package sdk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// TestMiddlewareLogsFailedRequests serves requests with various outcomes
// through the middleware and checks which prediction errors are sent.
func TestMiddlewareLogsFailedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(nil)
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client()})
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/ok":
				fmt.Fprint(w, "fine")
			case "/created":
				w.WriteHeader(http.StatusCreated)
			case "/hints":
				w.WriteHeader(http.StatusEarlyHints) // informational: not the status
				w.WriteHeader(http.StatusServiceUnavailable)
			case "/bad":
				http.Error(w, "bad input", http.StatusBadRequest)
			case "/boom":
				w.WriteHeader(http.StatusInternalServerError)
			case "/panic":
				panic("model crashed")
			case "/abort":
				panic(http.ErrAbortHandler)
			}
		})
		serve := sdk.Middleware(c, sdk.MiddlewareConfig{ModelName: "churn", ModelVersion: "v1"})(handler)
		custom := sdk.Middleware(c, sdk.MiddlewareConfig{ModelName: "churn", ModelVersion: "v2", ErrorType: func(status int) string {
			if status >= 500 {
				return "server"
			}
			return ""
		}})(handler)

		for _, tc := range []struct {
			h      http.Handler
			path   string
			status int
			panics bool
		}{
			{serve, "/ok", 200, false},
			{serve, "/created", 201, false},
			{serve, "/bad", 400, false},
			{serve, "/boom", 500, false},
			{serve, "/hints", 0, false}, // httptest.ResponseRecorder keeps 103
			{serve, "/panic", 0, true},
			{serve, "/abort", 0, true},
			{custom, "/bad", 400, false},
			{custom, "/boom", 500, false},
		} {
			rec := httptest.NewRecorder()
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				tc.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.path, nil))
				return false
			}()
			if panicked != tc.panics || (tc.status != 0 && rec.Code != tc.status) {
				t.Errorf("%s: status %d, panicked %v; want %d, %v", tc.path, rec.Code, panicked, tc.status, tc.panics)
			}
		}
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range f.requests() {
			if r.Path == "/api/v1/errors" {
				got = append(got, r.Lines...)
			}
		}
		want := []string{
			`{"model_name":"churn","model_version":"v1","error_type":"http_400"}`,
			`{"model_name":"churn","model_version":"v1","error_type":"http_500"}`,
			`{"model_name":"churn","model_version":"v1","error_type":"http_503"}`,
			`{"model_name":"churn","model_version":"v1","error_type":"panic"}`,
			`{"model_name":"churn","model_version":"v2","error_type":"server"}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("errors sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestMiddlewareTimer checks that the handler reaches the request's timer
// and that LogTimed sends its stages and start.
func TestMiddlewareTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(nil)
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client()})
		start := time.Now()
		h := sdk.Middleware(c, sdk.MiddlewareConfig{ModelName: "churn", ModelVersion: "v1"})(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tm := sdk.TimerFrom(r.Context())
				if tm == nil {
					t.Fatal("TimerFrom(request context) = nil")
				}
				time.Sleep(5 * time.Millisecond)
				tm.Mark(sdk.Preprocessing)
				time.Sleep(20 * time.Millisecond)
				tm.Mark(sdk.Inference)
				c.LogTimed(prediction(0, true), tm)
				// The middleware's writer keeps http.ResponseController working.
				if err := http.NewResponseController(w).Flush(); err != nil {
					t.Errorf("ResponseController.Flush: %v", err)
				}
			}))
		time.Sleep(time.Second) // the timer starts with the request, not before
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/predict", nil))
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 1 || reqs[0].Path != "/api/v1/predictions" {
			t.Fatalf("requests = %+v, want one prediction", reqs)
		}
		var p modelwatch.Prediction
		decodeLine(t, reqs[0].Lines[0], &p)
		if !p.Timestamp.Equal(start.Add(time.Second)) || msOf(p.Latency.PreprocessingMs) != 5 || msOf(p.Latency.InferenceMs) != 20 {
			t.Errorf("sent %s; want timestamp %v, preprocessing 5 ms, inference 20 ms", reqs[0].Lines[0], start.Add(time.Second))
		}
	})
	if tm := sdk.TimerFrom(context.Background()); tm != nil {
		t.Errorf("TimerFrom(a context without one) = %v, want nil", tm)
	}
}

// TestMiddlewareNeedsAModel checks the start-up panic on a missing model.
func TestMiddlewareNeedsAModel(t *testing.T) {
	c, err := sdk.New(sdk.Config{Endpoint: "http://localhost:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(t.Context()) }()
	for _, tc := range []struct {
		cfg  sdk.MiddlewareConfig
		want string
	}{
		{sdk.MiddlewareConfig{ModelVersion: "v1"}, "sdk.Middleware: MiddlewareConfig.ModelName is required"},
		{sdk.MiddlewareConfig{ModelName: "churn", ModelVersion: "a/b"}, "sdk.Middleware: MiddlewareConfig.ModelVersion must not contain '/'"},
	} {
		func() {
			defer func() {
				if got := fmt.Sprint(recover()); got != tc.want {
					t.Errorf("Middleware(%+v) panicked with %q, want %q", tc.cfg, got, tc.want)
				}
			}()
			sdk.Middleware(c, tc.cfg)
		}()
	}
}
