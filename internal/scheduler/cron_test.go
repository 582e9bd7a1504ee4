package scheduler

import (
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 Mon", s)
	if err != nil {
		t, err = time.Parse("2006-01-02 15:04", s)
		if err != nil {
			panic(err)
		}
	}
	return t
}

func TestPrevNext(t *testing.T) {
	cases := []struct {
		spec, at, prev, next string
	}{
		// The specification's defaults: Mondays 02:00 and daily 03:00.
		{"0 2 * * MON", "2026-11-26 08:00", "2026-11-23 02:00", "2026-11-30 02:00"},
		{"0 2 * * MON", "2026-11-23 02:00", "2026-11-23 02:00", "2026-11-30 02:00"},
		{"0 2 * * 1", "2026-11-23 01:59", "2026-11-16 02:00", "2026-11-23 02:00"},
		{"0 3 * * *", "2026-11-26 02:59", "2026-11-25 03:00", "2026-11-26 03:00"},
		{"0 3 * * *", "2026-11-26 03:00", "2026-11-26 03:00", "2026-11-27 03:00"},
		{"*/15 * * * *", "2026-11-26 08:07", "2026-11-26 08:00", "2026-11-26 08:15"},
		{"@hourly", "2026-11-26 08:07", "2026-11-26 08:00", "2026-11-26 09:00"},
		{"@weekly", "2026-11-26 08:07", "2026-11-22 00:00", "2026-11-29 00:00"},
		{"0 0 * * 7", "2026-11-26 08:07", "2026-11-22 00:00", "2026-11-29 00:00"},
		{"@monthly", "2026-11-26 08:07", "2026-11-01 00:00", "2026-12-01 00:00"},
		{"30 12 31 * *", "2026-11-26 08:07", "2026-10-31 12:30", "2026-12-31 12:30"},
		{"0 0 29 FEB *", "2026-11-26 08:07", "2024-02-29 00:00", "2028-02-29 00:00"},
		{"0 9-17/4 * * MON-FRI", "2026-11-28 08:00", "2026-11-27 17:00", "2026-11-30 09:00"},
		{"0 0 1,15 * *", "2026-11-26 08:00", "2026-11-15 00:00", "2026-12-01 00:00"},
		// Both day fields restricted: either matches (the 13th or a Friday).
		{"0 0 13 * FRI", "2026-11-26 08:00", "2026-11-20 00:00", "2026-11-27 00:00"},
	}
	for _, c := range cases {
		s, err := Parse(c.spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.spec, err)
		}
		at := ts(c.at)
		if p, ok := s.Prev(at); !ok || !p.Equal(ts(c.prev)) {
			t.Errorf("%q.Prev(%s) = %s, want %s", c.spec, c.at, p.Format("2006-01-02 15:04 Mon"), c.prev)
		}
		if n, ok := s.Next(at); !ok || !n.Equal(ts(c.next)) {
			t.Errorf("%q.Next(%s) = %s, want %s", c.spec, c.at, n.Format("2006-01-02 15:04 Mon"), c.next)
		}
	}
}

// TestPrevNextAgree checks Prev and Next against each other and against a
// minute-by-minute search.
func TestPrevNextAgree(t *testing.T) {
	specs := []string{"0 2 * * MON", "*/7 3-5 * * *", "15 10 1-7 * SUN", "0 0 31 * *", "5 4 * JUN,DEC 2"}
	start := ts("2026-01-01 00:00")
	for _, spec := range specs {
		s, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		matches := func(x time.Time) bool {
			return has(s.minute, x.Minute()) && has(s.hour, x.Hour()) && s.dayMatches(x)
		}
		at := start
		for i := 0; i < 40; i++ {
			n, ok := s.Next(at)
			if !ok || !matches(n) {
				t.Fatalf("%q.Next(%s) = %s, which does not match", spec, at, n)
			}
			for x := at.Add(time.Minute); x.Before(n) && x.Sub(at) < 48*time.Hour; x = x.Add(time.Minute) {
				if matches(x) {
					t.Fatalf("%q.Next(%s) = %s skips %s", spec, at, n, x)
				}
			}
			if p, ok := s.Prev(n); !ok || !p.Equal(n) {
				t.Fatalf("%q.Prev(%s) = %s, want itself", spec, n, p)
			}
			if p, ok := s.Prev(n.Add(-time.Minute)); !ok || !p.Before(n) {
				t.Fatalf("%q.Prev just before %s = %s", spec, n, p)
			}
			at = n
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, spec := range []string{
		"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
		"*/0 * * * *", "5-1 * * * *", "x * * * *", "@often", "* * * FOO *",
	} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) = nil error", spec)
		}
	}
}

func TestDue(t *testing.T) {
	s, _ := Parse("0 2 * * MON")
	created := ts("2026-11-17 10:00") // a Tuesday
	cases := []struct {
		name, last, now, due string
		ok                   bool
	}{
		{"created after the last Monday", "", "2026-11-20 10:00", "", false},
		{"first Monday after creation", "", "2026-11-23 02:00", "2026-11-23 02:00", true},
		{"already ran", "2026-11-23 02:00", "2026-11-25 10:00", "", false},
		{"down for three Mondays: once, for the latest", "2026-11-02 02:00", "2026-11-26 08:00", "2026-11-23 02:00", true},
	}
	for _, c := range cases {
		var last time.Time
		if c.last != "" {
			last = ts(c.last)
		}
		since := created
		if c.name == "down for three Mondays: once, for the latest" {
			since = ts("2026-10-01 00:00")
		}
		due, ok := Due(s, since, last, ts(c.now))
		if ok != c.ok || (ok && !due.Equal(ts(c.due))) {
			t.Errorf("%s: Due = %s, %v; want %s, %v", c.name, due, ok, c.due, c.ok)
		}
	}
}
