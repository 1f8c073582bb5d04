//go:build linux

package h1

import (
	"net"
	"time"
)

// Requests off the loop. A request the loop cannot serve without waiting
// runs on a goroutine with a blocking view of its connection (a duplicate
// descriptor served by the runtime's poller); the loop stops watching the
// connection meanwhile and takes it back when the request is over.

// escape runs fn on a goroutine with a blocking view of the connection;
// the connection comes back to the loop afterwards.
func (e *evState) escape(fn func()) error {
	c := e.c
	e.lp.dropTimer(&e.tm)
	e.lp.unregister(e.fd.fd)
	conn, err := e.fd.lend()
	if err != nil {
		// Not watched any more: close it for good.
		_ = e.lp.register(e.fd.fd, e)
		return err
	}
	e.escaped = true
	e.phase = phaseLent
	e.lent = conn
	c.conn = conn
	c.r.conn, c.w.conn = conn, conn
	c.r.out = &c.w
	c.r.deadline, c.w.deadline = time.Time{}, time.Time{}
	c.r.timeout = orDefault(c.srv.BodyReadTimeout, DefaultBodyReadTimeout)
	c.w.timeout = orDefault(c.srv.WriteTimeout, DefaultWriteTimeout)
	e.restoreWriteBuffer()
	c.w.loop = false
	go e.runLent(fn)
	return nil
}

// Escape runs fn on its own goroutine, where the exchange behaves as in
// Serve: reads and writes block (with the server's timeouts) and
// ClientConn's blocking operations may be used. When fn returns the
// request is over: the engine completes the response there, as Serve
// does when a handler returns, and the connection goes back to the loop.
// Escape must be called on the loop, in place of Done. When it fails
// (the connection closed meanwhile, or could not be lent) fn does not
// run and the request is still to be ended with Done.
func (x *Exchange) Escape(fn func()) error {
	e := x.c.ev
	if e == nil || e.escaped {
		fn()
		return nil
	}
	if e.closed {
		// Nothing to lend: the request ends with Done as usual.
		return net.ErrClosed
	}
	inServe := e.inServe
	e.inServe = false // Done is implied by the escape
	if err := e.escape(fn); err != nil {
		e.inServe = inServe
		return err
	}
	return nil
}

// runLent is the goroutine of an escaped request.
func (e *evState) runLent(fn func()) {
	c := e.c
	x := &c.x
	fn()
	if !x.hijacked {
		x.finish()
		if !x.closeAfter && !x.req.body.Done() && !x.req.body.drain(maxDrain) {
			x.closeAfter = true
		}
		if x.closeAfter || c.w.err != nil {
			_ = c.w.flush()
			c.lingerClose()
			e.closeNow = true
		} else if c.r.buffered() == 0 || len(c.w.buf) > cap(c.w.buf)/2 {
			if c.w.flush() != nil {
				e.closeNow = true
			}
		}
	}
	e.lp.Post(e.resumeFn)
}

// resume takes the connection back after an escaped request.
func (e *evState) resume() {
	c := e.c
	x := &c.x
	e.escaped = false
	lent := e.lent
	e.lent = nil
	c.conn = &e.fd
	c.r.conn, c.w.conn = c.conn, c.conn
	c.r.out = nil
	c.r.timeout = keepDeadline
	c.r.deadline, c.w.deadline = time.Time{}, time.Time{}
	c.w.timeout = 0
	c.w.loop = true
	if x.hijacked {
		// The connection belongs to the hijacker, on the lent descriptor
		// (Hijack stopped tracking it); the loop's own descriptor goes.
		e.closed = true
		_ = e.fd.Close()
		e.phase = phaseClosed
		e.released = true // the exchange may still be referenced
		return
	}
	_ = lent.Close()
	e.setState(StateIdle)
	if e.closed || e.closeNow || c.srv.shuttingDown() && c.r.buffered() == 0 {
		e.phase = phaseServe // close releases
		e.closed = false
		e.closeForGood()
		return
	}
	if err := e.lp.register(e.fd.fd, e); err != nil {
		e.phase = phaseServe
		e.closeForGood()
		return
	}
	e.startHead()
	// Readiness is unknown after the escape: read once.
	c.r.drained = false
	e.headTimed = false
	e.armHeadTimer()
	e.readStep()
}

// closeForGood closes a connection whose request is over.
func (e *evState) closeForGood() {
	e.close()
	e.release()
}

// hijackedOffLoop lets go of a lent connection its handler took over:
// the server stops tracking it now, as it does a goroutine-served one
// once the handler returns. It runs off the loop, which does not touch
// the connection while it is lent.
func (c *serverConn) hijackedOffLoop() {
	c.srv.removeConn(c)
	c.ev.setState(StateClosed)
}
