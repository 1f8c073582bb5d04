package ratelimiting

import (
	"testing"
	"time"
)

func TestSpans(t *testing.T) {
	now := time.Date(2024, 3, 15, 10, 20, 30, 500_000_000, time.UTC)
	tests := []struct {
		p                period
		start, end, prev time.Time
		reset            int64
	}{
		{periods[0], now.Truncate(time.Second), now.Truncate(time.Second).Add(time.Second), now.Truncate(time.Second).Add(-time.Second), 1},
		{periods[1], time.Date(2024, 3, 15, 10, 20, 0, 0, time.UTC), time.Date(2024, 3, 15, 10, 21, 0, 0, time.UTC), time.Date(2024, 3, 15, 10, 19, 0, 0, time.UTC), 30},
		{periods[2], time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC), time.Date(2024, 3, 15, 11, 0, 0, 0, time.UTC), time.Date(2024, 3, 15, 9, 0, 0, 0, time.UTC), 2370},
		{periods[3], time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC), 49170},
		// Months follow the calendar (February 2024 has 29 days); the reset uses 30 days.
		{periods[4], time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), 30*86400 - (14*86400 + 37230)},
		{periods[5], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), 365*86400 - (74*86400 + 37230)},
	}
	for _, tc := range tests {
		s := tc.p.spanAt(now.In(time.FixedZone("X", 5*3600)))
		if s.start != tc.start.UnixNano() || s.end != tc.end.UnixNano() || s.prevStart != tc.prev.UnixNano() {
			t.Errorf("%s: span %v..%v prev %v", tc.p.name, time.Unix(0, s.start).UTC(), time.Unix(0, s.end).UTC(), time.Unix(0, s.prevStart).UTC())
		}
		if r := tc.p.resetSeconds(s, now); r != tc.reset {
			t.Errorf("%s: reset %d, want %d", tc.p.name, r, tc.reset)
		}
	}
	m := periods[1].spanAt(now)
	if w := m.previousWeight(now); w < 0.491 || w > 0.492 {
		t.Errorf("previous weight %v, want 29.5/60", w)
	}
}

func TestLocalEviction(t *testing.T) {
	s := newLocalStore()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < 100; i++ {
		s.counter([]byte{byte(i)}, base+int64(time.Second), base)
	}
	if s.size() != 100 {
		t.Fatalf("size %d", s.size())
	}
	if s.lookup([]byte{1}, base+2*int64(time.Second)) != nil {
		t.Error("expired counter still served")
	}
	// New counters after the expiry make their shards drop the old ones.
	later := base + 3*int64(time.Second)
	for i := 0; i < 2000; i++ {
		s.counter([]byte{byte(i), byte(i >> 8), 'n'}, later+int64(time.Minute), later)
	}
	if n := s.size(); n != 2000 {
		t.Errorf("size after sweep %d, want 2000", n)
	}
}
