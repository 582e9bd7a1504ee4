package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/store"
)

func testLowConfidence(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	mustIngest(t, s,
		pred("old", "m", "1", t0.Add(-8*24*time.Hour), "x", 0.01),
		pred("edge", "m", "1", t0.Add(-7*24*time.Hour), "x", 0.02), // exactly at the cutoff: excluded
		pred("a", "m", "1", t0.Add(-time.Hour), "x", 0.3),
		pred("b", "m", "1", t0.Add(-2*time.Hour), "x", 0.1),
		pred("c", "m", "2", t0.Add(-3*time.Hour), "x", 0.2),
		pred("d", "n", "1", t0.Add(-3*time.Hour), "x", 0.69),
		pred("at", "m", "1", t0.Add(-3*time.Hour), "x", 0.7), // at the threshold: excluded
		pred("high", "m", "1", t0.Add(-3*time.Hour), "x", 0.99),
	)
	noConf := pred("noconf", "m", "1", t0.Add(-time.Hour), "x", 0)
	noConf.Confidence = nil
	mustIngest(t, s, noConf)
	since := t0.Add(-7 * 24 * time.Hour)
	cases := []struct {
		model, version string
		limit          int
		want           string
	}{
		{"", "", 100, "[b c a d]"},
		{"", "", 2, "[b c]"},
		{"m", "", 100, "[b c a]"},
		{"m", "1", 100, "[b a]"},
		{"n", "1", 100, "[d]"},
		{"zzz", "", 100, "[]"},
	}
	for _, c := range cases {
		ps, err := s.LowConfidence(ctx(t), store.LowConfidenceQuery{Model: c.model, Version: c.version, Since: since, Threshold: 0.7, Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		if got := fmt.Sprint(ids); got != c.want && (c.want != "[]" || len(ids) != 0) {
			t.Errorf("LowConfidence(model %q, version %q, limit %d) = %s, want %s", c.model, c.version, c.limit, got, c.want)
		}
	}
}
