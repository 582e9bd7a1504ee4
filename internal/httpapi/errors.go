package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelwatch/modelwatch"
)

// statusOf maps a modelwatch error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case modelwatch.EInvalid:
		return http.StatusBadRequest
	case modelwatch.ENotFound:
		return http.StatusNotFound
	case modelwatch.EConflict:
		return http.StatusConflict
	case modelwatch.EUnavailable:
		return http.StatusServiceUnavailable
	case modelwatch.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case modelwatch.EMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case modelwatch.EUnauthorized:
		return http.StatusUnauthorized
	case modelwatch.EForbidden:
		return http.StatusForbidden
	case modelwatch.ERateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error *modelwatch.Error `json:"error"`
}

// writeError writes err as a JSON error response. Errors that are not
// *modelwatch.Error are logged, and the client sees a generic message: 503
// unavailable (with Retry-After) when the database does not answer a ping
// either, since the request may then succeed later, else 500 internal.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *modelwatch.Error
	if !errors.As(err, &e) {
		e = &modelwatch.Error{Code: modelwatch.EInternal, Message: "internal error"}
		if s.storeDown(r.Context()) {
			e = &modelwatch.Error{Code: modelwatch.EUnavailable, Message: "the database is unavailable; retry later"}
		}
	}
	status := statusOf(e.Code)
	if status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if e.Code == modelwatch.EUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, errorBody{Error: e})
}

// storeDown reports whether the database fails to answer a ping within a
// second.
func (s *Server) storeDown(ctx context.Context) bool {
	if s.store == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return s.store.Ping(ctx) != nil
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"encode response","details":[]}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// invalidRows returns the error for a batch with invalid rows.
func invalidRows(rows []modelwatch.FieldError) error {
	msg := "1 row is invalid; nothing of the batch was stored"
	if len(rows) != 1 {
		msg = itoa(len(rows)) + " rows are invalid; nothing of the batch was stored"
	}
	if len(rows) == 1 {
		r := rows[0]
		msg = "row " + itoa(r.Index) + ": " + r.Field + " " + r.Message + "; nothing of the batch was stored"
	}
	return &modelwatch.Error{Code: modelwatch.EInvalid, Message: msg, Details: rows}
}
