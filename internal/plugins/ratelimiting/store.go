package ratelimiting

import (
	"context"
	"time"
)

// maxWindows is the number of window kinds.
const maxWindows = len(windowNames)

// window is one window of a take: its counter key, the key of the window
// before it (sliding windows only), its limit and how the previous count
// weighs. Keys are built by the caller; the local store only reads them
// during the call.
type window struct {
	key, prevKey []byte
	limit        float64
	// weight is the share of the previous window's count that still
	// counts (0 for fixed windows).
	weight float64
	// expires is when the counter may be forgotten (Unix nanoseconds).
	expires int64
	ttl     time.Duration
	// used is set by take: the window's usage including this request
	// when it was let through, excluding it otherwise.
	used int64
}

// take is one request's attempt to count itself in every window.
type take struct {
	windows [maxWindows]window
	n       int
	now     int64
}

// counterStore counts requests. take must be atomic per request: either
// every window is under its limit and all of them count the request, or
// none does. It returns the index of the first window that refused, or
// -1 when the request is let through.
type counterStore interface {
	take(ctx context.Context, t *take) (blocked int, err error)
}

// fits reports whether one more request stays within limit given the
// window's current count and the weighted count of the previous window.
func fits(current, previous int64, limit float64) bool {
	return float64(current+previous+1) <= limit
}
