package estimate

import (
	"testing"
	"time"
)

func TestPeriodChunkerMatchesPandas(t *testing.T) {
	g := readGolden(t).Periods
	const layout = "2006-01-02T15:04:05.999999999"
	times := make([]time.Time, len(g.Times))
	for i, s := range g.Times {
		var err error
		if times[i], err = time.Parse(layout, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range g.Periods {
		period, err := ParsePeriod(p.Period)
		if err != nil {
			t.Fatal(err)
		}
		got, err := PeriodChunker{Period: period}.Chunks(len(times), times)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(p.Chunks) {
			t.Errorf("%s: %d chunks, want %d", p.Period, len(got), len(p.Chunks))
			continue
		}
		for i, w := range p.Chunks {
			c := got[i]
			if c.Key != w.Key || c.Start != w.Start || c.End != w.End ||
				c.StartTime.Format(layout) != w.StartTime || c.EndTime.Format(layout) != w.EndTime {
				t.Errorf("%s chunk %d: %s [%d, %d] %s – %s, want %s [%d, %d] %s – %s", p.Period, i,
					c.Key, c.Start, c.End, c.StartTime.Format(layout), c.EndTime.Format(layout),
					w.Key, w.Start, w.End, w.StartTime, w.EndTime)
			}
		}
	}
}

func TestPeriodChunkerKeysArePandasPeriods(t *testing.T) {
	// Keys as str(pd.Timestamp(...).to_period(alias)) prints them.
	ts := time.Date(2024, 2, 29, 13, 45, 10, 0, time.UTC) // a Thursday
	for _, c := range []struct {
		period     Period
		key        string
		start, end string
	}{
		{Hour, "2024-02-29 13:00", "2024-02-29T13:00:00Z", "2024-02-29T13:59:59.999999999Z"},
		{Day, "2024-02-29", "2024-02-29T00:00:00Z", "2024-02-29T23:59:59.999999999Z"},
		{Week, "2024-02-26/2024-03-03", "2024-02-26T00:00:00Z", "2024-03-03T23:59:59.999999999Z"},
		{Month, "2024-02", "2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z"},
		{Quarter, "2024Q1", "2024-01-01T00:00:00Z", "2024-03-31T23:59:59.999999999Z"},
		{Year, "2024", "2024-01-01T00:00:00Z", "2024-12-31T23:59:59.999999999Z"},
	} {
		got, err := PeriodChunker{Period: c.period}.Chunks(1, []time.Time{ts})
		if err != nil {
			t.Fatal(err)
		}
		g := got[0]
		if g.Key != c.key || g.StartTime.Format(time.RFC3339Nano) != c.start || g.EndTime.Format(time.RFC3339Nano) != c.end {
			t.Errorf("%s: key %q from %s to %s, want %q from %s to %s", c.period, g.Key,
				g.StartTime.Format(time.RFC3339Nano), g.EndTime.Format(time.RFC3339Nano), c.key, c.start, c.end)
		}
	}
	// A Sunday closes its week; the Monday after opens the next.
	sun := time.Date(2024, 3, 3, 23, 0, 0, 0, time.UTC)
	got, _ := PeriodChunker{Period: Week}.Chunks(2, []time.Time{sun, sun.Add(2 * time.Hour)})
	if len(got) != 2 || got[0].Key != "2024-02-26/2024-03-03" || got[1].Key != "2024-03-04/2024-03-10" {
		t.Errorf("week chunks %v", keys(got))
	}
}

func TestPeriodChunkerGroupsRows(t *testing.T) {
	t0 := time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	for i := range 10 {
		times = append(times, t0.Add(time.Duration(i)*12*time.Hour))
	}
	got, err := PeriodChunker{Period: Day}.Chunks(len(times), times)
	if err != nil {
		t.Fatal(err)
	}
	want := "2024-01-30 2024-01-31 2024-02-01 2024-02-02 2024-02-03 "
	if keys(got) != want {
		t.Errorf("day chunks %s, want %s", keys(got), want)
	}
	if got[1].Start != 2 || got[1].End != 3 {
		t.Errorf("second day rows [%d, %d], want [2, 3]", got[1].Start, got[1].End)
	}
	if _, err := (PeriodChunker{Period: Day}).Chunks(3, nil); err == nil {
		t.Error("period chunking without timestamps: no error")
	}
}

func TestParsePeriod(t *testing.T) {
	for s, want := range map[string]Period{"H": Hour, "d": Day, "W-SUN": Week, "M": Month, "Q": Quarter, "A": Year, "Y": Year} {
		if got, err := ParsePeriod(s); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v, want %v", s, got, err, want)
		}
	}
	if _, err := ParsePeriod("2W"); err == nil {
		t.Error("ParsePeriod(2W): no error")
	}
}
