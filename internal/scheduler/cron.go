package scheduler

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
)

// Schedule is a parsed cron specification. Times are in UTC.
type Schedule struct {
	spec                     string
	minute, hour, dom, month uint64 // bit i set: value i allowed
	dow                      uint64 // 0 = Sunday
	domStar, dowStar         bool
}

// String returns the specification the schedule was parsed from.
func (s Schedule) String() string { return s.spec }

var macros = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dowNames   = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
)

// Parse parses a cron specification: five fields (minute hour day-of-month
// month day-of-week) with *, lists (1,15), ranges (1-5), steps (*/15, 0-30/5)
// and names (MON, JAN); or one of @hourly, @daily, @midnight, @weekly,
// @monthly, @yearly, @annually. Day-of-week 7 is Sunday like 0. When both
// day fields are restricted, a day matches either (as in cron).
func Parse(spec string) (Schedule, error) {
	s := Schedule{spec: spec}
	expanded := strings.TrimSpace(spec)
	if m, ok := macros[strings.ToLower(expanded)]; ok {
		expanded = m
	}
	fields := strings.Fields(expanded)
	if len(fields) != 5 {
		return s, modelwatch.Errorf(modelwatch.EInvalid, "schedule %q: want 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily", spec)
	}
	type field struct {
		dst    *uint64
		star   *bool
		lo, hi int
		names  map[string]int
		what   string
	}
	var domStar, dowStar, ignore bool
	for i, f := range []field{
		{&s.minute, &ignore, 0, 59, nil, "minute"},
		{&s.hour, &ignore, 0, 23, nil, "hour"},
		{&s.dom, &domStar, 1, 31, nil, "day of month"},
		{&s.month, &ignore, 1, 12, monthNames, "month"},
		{&s.dow, &dowStar, 0, 7, dowNames, "day of week"},
	} {
		bitsSet, star, err := parseField(fields[i], f.lo, f.hi, f.names)
		if err != nil {
			return s, modelwatch.Errorf(modelwatch.EInvalid, "schedule %q: %s field %q: %v", spec, f.what, fields[i], err)
		}
		*f.dst, *f.star = bitsSet, star
	}
	if s.dow&(1<<7) != 0 {
		s.dow = s.dow&^(1<<7) | 1
	}
	s.domStar, s.dowStar = domStar, dowStar
	return s, nil
}

func parseField(f string, lo, hi int, names map[string]int) (uint64, bool, error) {
	var set uint64
	star := false
	for _, part := range strings.Split(f, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n <= 0 {
				return 0, false, fmt.Errorf("bad step %q", stepStr)
			}
			step = n
		}
		var a, b int
		switch {
		case rng == "*":
			a, b = lo, hi
			if hi == 7 {
				b = 6 // day of week: 0-6, 7 is only an alias
			}
			if !hasStep {
				star = true
			}
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var err error
			if a, err = value(x, names); err != nil {
				return 0, false, err
			}
			if b, err = value(y, names); err != nil {
				return 0, false, err
			}
		default:
			v, err := value(rng, names)
			if err != nil {
				return 0, false, err
			}
			a, b = v, v
			if hasStep {
				b = hi
			}
		}
		if a < lo || b > hi || a > b {
			return 0, false, fmt.Errorf("%d-%d is outside %d-%d", a, b, lo, hi)
		}
		for v := a; v <= b; v += step {
			set |= 1 << uint(v)
		}
	}
	return set, star, nil
}

func value(s string, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

func has(set uint64, v int) bool { return set&(1<<uint(v)) != 0 }

// dayMatches reports whether the schedule fires on t's day.
func (s Schedule) dayMatches(t time.Time) bool {
	if !has(s.month, int(t.Month())) {
		return false
	}
	dom, dow := has(s.dom, t.Day()), has(s.dow, int(t.Weekday()))
	switch {
	case s.domStar && s.dowStar:
		return true
	case s.domStar:
		return dow
	case s.dowStar:
		return dom
	}
	return dom || dow
}

// maxSearchDays bounds the search for a firing day: enough for any valid
// schedule (29 February and 31st-of-month schedules recur within 8 years).
const maxSearchDays = 366 * 8

// Prev returns the latest time at or before t (truncated to the minute) at
// which the schedule fires, and false if there is none within 8 years.
func (s Schedule) Prev(t time.Time) (time.Time, bool) {
	t = t.UTC().Truncate(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxSearchDays; i++ {
		if s.dayMatches(day) {
			lastHour, lastMinute := 23, 59
			if i == 0 {
				lastHour, lastMinute = t.Hour(), t.Minute()
			}
			for h := lastHour; h >= 0; h-- {
				if !has(s.hour, h) {
					continue
				}
				mEnd := 59
				if h == lastHour {
					mEnd = lastMinute
				}
				if m := highestAtMost(s.minute, mEnd); m >= 0 {
					return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true
				}
			}
		}
		day = day.AddDate(0, 0, -1)
	}
	return time.Time{}, false
}

// Next returns the earliest time strictly after t at which the schedule
// fires, and false if there is none within 8 years.
func (s Schedule) Next(t time.Time) (time.Time, bool) {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxSearchDays; i++ {
		if s.dayMatches(day) {
			firstHour, firstMinute := 0, 0
			if i == 0 {
				firstHour, firstMinute = t.Hour(), t.Minute()
			}
			for h := firstHour; h < 24; h++ {
				if !has(s.hour, h) {
					continue
				}
				mStart := 0
				if h == firstHour {
					mStart = firstMinute
				}
				if m := lowestAtLeast(s.minute, mStart); m >= 0 {
					return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// highestAtMost returns the highest set bit ≤ v, or -1.
func highestAtMost(set uint64, v int) int {
	masked := set & (1<<uint(v+1) - 1)
	if masked == 0 {
		return -1
	}
	return 63 - bits.LeadingZeros64(masked)
}

// lowestAtLeast returns the lowest set bit ≥ v, or -1.
func lowestAtLeast(set uint64, v int) int {
	masked := set &^ (1<<uint(v) - 1)
	if masked == 0 {
		return -1
	}
	return bits.TrailingZeros64(masked)
}
