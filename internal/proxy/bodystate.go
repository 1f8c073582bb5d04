package proxy

import "sync/atomic"

// atomicState tracks whether a request body was read by an attempt or
// detached for a retry; the two outcomes exclude each other.
type atomicState struct{ v atomic.Int32 }

const (
	bodyUntouched int32 = iota
	bodyRead
	bodyDetached
)

// begin marks the body as read; false means it was detached.
func (s *atomicState) begin() bool {
	if s.v.Load() == bodyRead {
		return true
	}
	return s.v.CompareAndSwap(bodyUntouched, bodyRead) || s.v.Load() == bodyRead
}

// detach succeeds only while the body is untouched.
func (s *atomicState) detach() bool {
	return s.v.CompareAndSwap(bodyUntouched, bodyDetached)
}
