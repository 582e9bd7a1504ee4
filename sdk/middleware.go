package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/modelwatch/modelwatch"
)

// MiddlewareConfig configures Middleware.
type MiddlewareConfig struct {
	// ModelName and ModelVersion are the model the endpoint serves; errors
	// are logged for it. Both are required.
	ModelName    string
	ModelVersion string
	// ErrorType names the prediction error to log for a response status,
	// or returns "" to log none. The default, DefaultErrorType, logs every
	// status of 400 and above as "http_<status>". A handler that panics is
	// logged as "panic" whatever ErrorType says.
	ErrorType func(status int) string
}

// DefaultErrorType is MiddlewareConfig's default ErrorType: "http_<status>"
// for a status of 400 and above, "" otherwise.
func DefaultErrorType(status int) string {
	if status < 400 {
		return ""
	}
	return "http_" + strconv.Itoa(status)
}

// Middleware returns net/http middleware for a model endpoint. For every
// request it starts a Timer, which the handler reaches with TimerFrom to
// mark its stages and pass to LogTimed, and when the handler answers with
// a status that cfg.ErrorType names, or panics, it logs a prediction error
// with c.LogError. Logging the prediction itself is the handler's job: only
// it knows the features and the answer.
//
// Middleware panics when cfg names no valid model, as http.Handle panics on
// a bad pattern: that is a mistake in the program, found at start-up.
func Middleware(c *Client, cfg MiddlewareConfig) func(http.Handler) http.Handler {
	if c == nil {
		panic("sdk.Middleware: the client is nil")
	}
	check := modelwatch.PredictionError{ModelName: cfg.ModelName, ModelVersion: cfg.ModelVersion, ErrorType: "x"}
	if problems := check.Validate(); len(problems) > 0 {
		panic(fmt.Sprintf("sdk.Middleware: MiddlewareConfig.%s %s", fieldName(problems[0].Field), problems[0].Message))
	}
	if cfg.ErrorType == nil {
		cfg.ErrorType = DefaultErrorType
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			iw := &instrumentedWriter{ResponseWriter: w, timer: StartTimer()}
			r = r.WithContext(context.WithValue(r.Context(), timerKey{}, &iw.timer))
			defer func() {
				if v := recover(); v != nil {
					if err, ok := v.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
						c.LogError(cfg.ModelName, cfg.ModelVersion, "panic")
					}
					panic(v)
				}
				status := iw.status
				if status == 0 {
					status = http.StatusOK
				}
				if et := cfg.ErrorType(status); et != "" {
					c.LogError(cfg.ModelName, cfg.ModelVersion, et)
				}
			}()
			next.ServeHTTP(iw, r)
		})
	}
}

func fieldName(f string) string {
	switch f {
	case "model_name":
		return "ModelName"
	case "model_version":
		return "ModelVersion"
	}
	return f
}

// timerKey is the context key of the request's Timer.
type timerKey struct{}

// TimerFrom returns the Timer that Middleware started for the request whose
// context is ctx, or nil when there is none. A nil *Timer may still be
// used: its methods do nothing, and LogTimed with it is Log.
func TimerFrom(ctx context.Context) *Timer {
	t, _ := ctx.Value(timerKey{}).(*Timer)
	return t
}

// instrumentedWriter records the status of a response and holds the
// request's Timer, so that both take one allocation.
type instrumentedWriter struct {
	http.ResponseWriter
	status int
	timer  Timer
}

// WriteHeader records the first final status code.
func (w *instrumentedWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *instrumentedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (to
// flush, hijack or set deadlines).
func (w *instrumentedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
