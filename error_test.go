package modelwatch

import (
	"encoding/json"
	"testing"
)

// TestErrorJSONDetails checks that details is always in an error's JSON:
// an empty array when there are none, the rows when there are.
func TestErrorJSONDetails(t *testing.T) {
	cases := []struct {
		err  *Error
		want string
	}{
		{Errorf(ENotFound, "no such %s", "thing"), `{"code":"not_found","message":"no such thing","details":[]}`},
		{
			&Error{Code: EInvalid, Message: "bad", Details: []FieldError{{Index: 2, Field: "confidence", Message: "must be a number in [0, 1]"}}},
			`{"code":"invalid","message":"bad","details":[{"index":2,"field":"confidence","message":"must be a number in [0, 1]"}]}`,
		},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.err)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("json.Marshal(%v) = %s, want %s", c.err, b, c.want)
		}
		// Inside another value too, as the HTTP API writes it.
		b, err = json.Marshal(map[string]*Error{"error": c.err})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"error":` + c.want + `}`; string(b) != want {
			t.Errorf("json.Marshal of a wrapped error = %s, want %s", b, want)
		}
	}
}
