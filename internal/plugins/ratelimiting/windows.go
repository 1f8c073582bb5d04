package ratelimiting

import (
	"math"
	"time"
)

// period is one kind of window. Windows are calendar periods aligned to
// UTC; month and year follow the calendar, while the reset a client is
// told uses Kong's fixed lengths (30 and 365 days).
type period struct {
	name  string
	title string
	// index orders periods, shortest first.
	index int
	// seconds is the fixed length of a second to day window, and Kong's
	// nominal length for months and years.
	seconds int64
}

var periods = [...]period{
	{"second", "Second", 0, 1},
	{"minute", "Minute", 1, 60},
	{"hour", "Hour", 2, 3600},
	{"day", "Day", 3, 86400},
	{"month", "Month", 4, 30 * 86400},
	{"year", "Year", 5, 365 * 86400},
}

// span is one window instance: its start, its end, and the start of the
// window before it (all Unix nanoseconds).
type span struct {
	start, end, prevStart int64
}

// spanAt returns the window of p that contains now.
func (p period) spanAt(now time.Time) span {
	if p.index <= 3 {
		length := p.seconds * int64(time.Second)
		n := now.UnixNano()
		start := n - floorMod(n, length)
		return span{start: start, end: start + length, prevStart: start - length}
	}
	u := now.UTC()
	var start, end, prev time.Time
	if p.index == 4 {
		start = time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
		prev = start.AddDate(0, -1, 0)
	} else {
		start = time.Date(u.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
		prev = start.AddDate(-1, 0, 0)
	}
	return span{start: start.UnixNano(), end: end.UnixNano(), prevStart: prev.UnixNano()}
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// resetSeconds is what RateLimit-Reset and Retry-After report: the
// seconds left in the window, counted from Kong's nominal window length,
// at least 1.
func (p period) resetSeconds(s span, now time.Time) int64 {
	elapsed := float64(now.UnixNano()-s.start) / float64(time.Second)
	r := int64(math.Ceil(float64(p.seconds) - elapsed))
	return max(r, 1)
}

// previousWeight is the share of the previous window still inside a
// sliding window ending now (1 at the start of the current window, 0 at
// its end).
func (s span) previousWeight(now time.Time) float64 {
	w := float64(s.end-now.UnixNano()) / float64(s.end-s.start)
	return min(max(w, 0), 1)
}

// ttl is how long a counter of this window must be kept: its own length,
// plus one more window when it will serve as the previous window of a
// sliding estimate.
func (s span) ttl(sliding bool) time.Duration {
	d := time.Duration(s.end - s.start)
	if sliding {
		d *= 2
	}
	return d + time.Second
}
