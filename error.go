package modelwatch

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Error codes. Only the HTTP layer maps them to status codes.
const (
	EInvalid          = "invalid"            // the request is malformed or a value is out of range
	ENotFound         = "not_found"          // the thing asked for does not exist
	EConflict         = "conflict"           // the request conflicts with stored state
	EUnavailable      = "unavailable"        // a dependency is down or the server is shutting down
	EInternal         = "internal"           // a bug or an unexpected failure
	ETooLarge         = "too_large"          // the request body exceeds the configured limit
	EMethodNotAllowed = "method_not_allowed" // the path exists but not for this method
	EUnauthorized     = "unauthorized"       // no or unknown credentials
	EForbidden        = "forbidden"          // credentials lack the needed scope
	ERateLimited      = "rate_limited"       // too many requests; retry later
)

// Error is an error a user can act on. Code says what kind of failure it is,
// Message says what was wrong in a sentence, and Details carries structured
// information such as the invalid rows of a batch ([]FieldError). In JSON,
// details is always present: an empty array when there are none, so that
// clients can iterate over it without checking.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details"`
}

// MarshalJSON implements json.Marshaler, writing nil Details as [].
func (e *Error) MarshalJSON() ([]byte, error) {
	type plain Error // without the method
	v := plain(*e)
	if v.Details == nil {
		v.Details = []FieldError{}
	}
	return json.Marshal(v)
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("modelwatch error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for any other non-nil error (internal details stay in logs).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// FieldError describes one invalid field of one row of a batch. Index is the
// 0-based position of the row in the batch; for NDJSON, Line is the 1-based
// line it was on. Field is the JSON field name, dotted for nested fields
// ("latency.inference_ms", "features.age"), or empty when the row as a whole
// is malformed.
type FieldError struct {
	Index   int    `json:"index"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error implements the error interface.
func (e FieldError) Error() string {
	return fmt.Sprintf("row %d: %s: %s", e.Index, e.Field, e.Message)
}
