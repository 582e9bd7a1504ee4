package sdk

import (
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		" 120 ":                         2 * time.Minute,
		"0":                             0,
		"-5":                            0,
		"999999999":                     24 * time.Hour,
		"soon":                          0,
		"Thu, 26 Nov 2026 08:00:30 GMT": 30 * time.Second,
		"Thu, 26 Nov 2026 07:59:00 GMT": 0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	s := &sender{cfg: &Config{MinBackoff: 100 * time.Millisecond, MaxBackoff: 3 * time.Second}}
	for attempt, ceil := range []time.Duration{100, 200, 400, 800, 1600, 3000, 3000, 3000} {
		ceil *= time.Millisecond
		for range 200 {
			if d := s.backoff(attempt); d < ceil/2 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, ceil/2, ceil)
			}
		}
	}
	if d := s.backoff(1000); d > 3*time.Second {
		t.Errorf("backoff(1000) = %v overflows MaxBackoff", d)
	}
}
