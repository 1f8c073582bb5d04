//go:build !linux

package h1

import (
	"net"
	"net/netip"
	"time"
)

// Event loops need epoll; elsewhere every connection is served by a
// goroutine and the loop operations are never reached.

// Loop is an event loop (Linux only).
type Loop struct{}

// ID numbers the loop.
func (l *Loop) ID() int { return 0 }

// Now returns the loop's clock reading.
func (l *Loop) Now() time.Time { return time.Now() }

// Nanotime returns a monotonic clock reading in nanoseconds.
func (l *Loop) Nanotime() int64 { return int64(time.Since(epoch)) }

var epoch = time.Now()

func (l *Loop) unixSec() int64 { return time.Now().Unix() }

// Post runs fn.
func (l *Loop) Post(fn func()) { go fn() }

// LoopCount returns 0: there are no event loops.
func LoopCount() int { return 0 }

type evState struct {
	lp      *Loop
	escaped bool
}

type clientEv struct {
	fd struct{ remote netip.AddrPort }
}

func (e *clientEv) close() {}

type loopIdle struct{}

// ServeEvents serves ln with Serve: there are no event loops here.
func (s *Server) ServeEvents(ln net.Listener) error { return s.Serve(ln) }

// Loop returns nil: requests are served by goroutines.
func (x *Exchange) Loop() *Loop { return nil }

// Done does nothing outside event loops.
func (x *Exchange) Done() {}

// Escape runs fn.
func (x *Exchange) Escape(fn func()) error { fn(); return nil }

// Pump is not available without event loops.
func (x *Exchange) Pump(uc *ClientConn, filter BodyFilter, w PumpWaiter) {
	panic("h1: Pump outside an event loop")
}

// GetLoop returns nil.
func (p *Pool) GetLoop(l *Loop) *ClientConn { return nil }

// DialLoop is not available without event loops.
func (p *Pool) DialLoop(l *Loop, addr netip.AddrPort, timeout time.Duration, w DialWaiter) {
	panic("h1: DialLoop outside an event loop")
}

// Start is not available without event loops.
func (c *ClientConn) Start(req *OutRequest, w ResponseWaiter) {
	panic("h1: Start outside an event loop")
}

// ReadBody is not available without event loops.
func (c *ClientConn) ReadBody(p []byte, w ReadWaiter) {
	panic("h1: ReadBody outside an event loop")
}

func (p *Pool) putLoop(c *ClientConn) { c.closeConn() }

func (p *Pool) closeLoopIdle() {}

func (c *serverConn) closeLoopConn(idleOnly bool) {}

func (c *serverConn) hijackedOffLoop() {}
