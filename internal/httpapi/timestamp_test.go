package httpapi_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/store"
)

// TestFutureTimestamp checks the rule on prediction timestamps: at most 24
// hours after the server's clock (a later one is a client's clock or unit
// error, and would create a PostgreSQL partition per day it names), any
// time in the past (backfills). A batch with one such row stores nothing.
func TestFutureTimestamp(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	row := func(id string, ts string) string {
		return fmt.Sprintf(`{"id":%q,"model_name":"m","model_version":"1","prediction":"x","timestamp":%s}`, id, ts)
	}
	rfc := func(d time.Duration) string { return strconv.Quote(t0.Add(d).Format(time.RFC3339Nano)) }
	unix := func(d time.Duration) string {
		return strconv.FormatFloat(float64(t0.Add(d).UnixNano())/1e9, 'f', 3, 64)
	}
	stored := func() int64 {
		t.Helper()
		st, err := s.db.Stats(t.Context(), store.StatsQuery{From: time.Unix(0, 0), To: t0.Add(30 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return st.TotalPredictions
	}
	cases := []struct {
		name, ts string
		ok       bool
	}{
		{"now", rfc(0), true},
		{"exactly 24 hours ahead", rfc(24 * time.Hour), true},
		{"24 hours ahead in Unix seconds", unix(24 * time.Hour), true},
		{"a millisecond past 24 hours", rfc(24*time.Hour + time.Millisecond), false},
		{"a millisecond past 24 hours in Unix seconds", unix(24*time.Hour + time.Millisecond), false},
		{"a year ahead", rfc(365 * 24 * time.Hour), false},
		{"five years ago", rfc(-5 * 365 * 24 * time.Hour), true},
		{"1970", `"1970-01-01T00:00:00Z"`, true},
	}
	want := int64(0)
	for i, c := range cases {
		r := s.post("/api/v1/predictions", row(fmt.Sprintf("p%d", i), c.ts))
		if c.ok {
			want++
			if r.status != 200 {
				t.Errorf("timestamp %s (%s): %d %s, want 200", c.ts, c.name, r.status, r.body)
			}
			continue
		}
		var e errorResponse
		r.decode(t, &e)
		if r.status != 400 || e.Error.Code != "invalid" || len(e.Error.Details) != 1 || e.Error.Details[0].Field != "timestamp" || e.Error.Details[0].Index != 0 {
			t.Errorf("timestamp %s (%s): %d %s, want 400 invalid naming row 0's timestamp", c.ts, c.name, r.status, r.body)
		}
	}
	if n := stored(); n != want {
		t.Fatalf("%d predictions stored, want %d", n, want)
	}

	// In a batch, the row is named and nothing is stored; in NDJSON, with
	// its line.
	batch := "[" + row("b0", rfc(time.Hour)) + "," + row("b1", rfc(-time.Hour)) + "," + row("b2", rfc(25*time.Hour)) + "]"
	r := s.post("/api/v1/predictions", batch)
	var e errorResponse
	r.decode(t, &e)
	if r.status != 400 || len(e.Error.Details) != 1 || e.Error.Details[0].Index != 2 || e.Error.Details[0].Field != "timestamp" {
		t.Errorf("batch with a future row 2: %d %s", r.status, r.body)
	}
	nd := row("n0", rfc(0)) + "\n\n" + row("n1", rfc(48*time.Hour)) + "\n"
	r = s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(nd))
	e = errorResponse{}
	r.decode(t, &e)
	if r.status != 400 || len(e.Error.Details) != 1 || e.Error.Details[0].Index != 1 || e.Error.Details[0].Line != 3 || e.Error.Details[0].Field != "timestamp" {
		t.Errorf("NDJSON with a future line 3: %d %s", r.status, r.body)
	}
	if n := stored(); n != want {
		t.Errorf("after rejected batches %d predictions are stored, want %d", n, want)
	}

	// The limit moves with the server's clock.
	s.clock.Advance(2 * time.Hour)
	if r := s.post("/api/v1/predictions", row("later", rfc(25*time.Hour))); r.status != 200 {
		t.Errorf("25 hours ahead of the old clock, 23 of the new one: %d %s", r.status, r.body)
	}
}
