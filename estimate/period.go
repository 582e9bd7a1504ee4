package estimate

import (
	"errors"
	"fmt"
	"time"
)

// Period is a calendar period for period-based chunking, named with the
// pandas offset aliases NannyML accepts: "H" (hour), "D" (day), "W" (week
// ending on Sunday, pandas' W-SUN), "M" (month), "Q" (quarter) and "Y" or
// "A" (year).
type Period string

// The supported periods.
const (
	Hour    Period = "H"
	Day     Period = "D"
	Week    Period = "W"
	Month   Period = "M"
	Quarter Period = "Q"
	Year    Period = "Y"
)

// ParsePeriod parses a pandas offset alias: H, D, W, M, Q, Y or A (lower
// case accepted, "W-SUN" and "A-DEC"/"Y-DEC" too).
func ParsePeriod(s string) (Period, error) {
	switch s {
	case "H", "h":
		return Hour, nil
	case "D", "d":
		return Day, nil
	case "W", "w", "W-SUN":
		return Week, nil
	case "M", "m":
		return Month, nil
	case "Q", "q", "Q-DEC":
		return Quarter, nil
	case "Y", "y", "A", "a", "Y-DEC", "A-DEC":
		return Year, nil
	}
	return "", fmt.Errorf("period %q: want H, D, W, M, Q or Y", s)
}

// start returns the start of the period holding t, in t's location.
func (p Period) start(t time.Time) time.Time {
	y, mo, d := t.Date()
	loc := t.Location()
	switch p {
	case Hour:
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case Day:
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case Week:
		// Weeks run Monday to Sunday.
		back := (int(t.Weekday()) + 6) % 7
		return time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
	case Month:
		return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case Quarter:
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, loc)
	default:
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
}

// next returns the start of the period after the one starting at s.
func (p Period) next(s time.Time) time.Time {
	switch p {
	case Hour:
		return s.Add(time.Hour)
	case Day:
		return s.AddDate(0, 0, 1)
	case Week:
		return s.AddDate(0, 0, 7)
	case Month:
		return s.AddDate(0, 1, 0)
	case Quarter:
		return s.AddDate(0, 3, 0)
	default:
		return s.AddDate(1, 0, 0)
	}
}

// key formats the period starting at s as str(pandas.Period) does.
func (p Period) key(s time.Time) string {
	switch p {
	case Hour:
		return s.Format("2006-01-02 15:00")
	case Day:
		return s.Format("2006-01-02")
	case Week:
		return s.Format("2006-01-02") + "/" + s.AddDate(0, 0, 6).Format("2006-01-02")
	case Month:
		return s.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%04dQ%d", s.Year(), (int(s.Month())-1)/3+1)
	default:
		return fmt.Sprintf("%04d", s.Year())
	}
}

// PeriodChunker makes one chunk per calendar period that holds rows,
// NannyML's PeriodBasedChunker: rows are grouped by
// timestamp.to_period(Period) in the timestamps' own wall-clock time; the
// chunk's StartTime and EndTime are the period's start and its last
// nanosecond.
type PeriodChunker struct {
	Period Period // the calendar period of each chunk
}

// Chunks implements Chunker.
func (c PeriodChunker) Chunks(n int, times []time.Time) ([]Chunk, error) {
	if _, err := ParsePeriod(string(c.Period)); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if len(times) != n {
		return nil, errors.New("period chunking needs a timestamp for every row")
	}
	var out []Chunk
	for i := 0; i < n; {
		s := c.Period.start(times[i])
		e := c.Period.next(s)
		j := i
		for j+1 < n && times[j+1].Before(e) {
			j++
		}
		out = append(out, Chunk{
			Key: c.Period.key(s), Index: len(out), Start: i, End: j,
			StartTime: s, EndTime: e.Add(-time.Nanosecond),
		})
		i = j + 1
	}
	return out, nil
}
