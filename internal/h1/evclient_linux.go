//go:build linux

package h1

import (
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Event-loop upstream connections (Linux). A Pool can also keep
// connections per event loop: DialLoop connects without blocking,
// ClientConn.Start sends a request and reports the response head, and
// Exchange.Pump or ClientConn.ReadBody take the body, all driven by the
// loop's readiness events. Idle loop connections notice an upstream that
// closes them and leave the pool at once.

// clientPhase is where an event-loop upstream connection stands.
type clientPhase uint8

const (
	clientConnecting clientPhase = iota
	clientIdle                   // in its pool
	clientBusy                   // held by a request, nothing pending
	clientWriting                // sending a request
	clientHead                   // waiting for the response head
	clientBody                   // the body is being read (pump or ReadBody)
	clientClosed
)

// clientEv is the event-loop side of an upstream connection.
type clientEv struct {
	c     *ClientConn
	lp    *Loop
	fd    fdConn
	phase clientPhase
	tm    timer

	dialW DialWaiter
	respW ResponseWaiter
	readW ReadWaiter
	// pumpTo is the server connection streaming this response's body.
	pumpTo *evState

	idleAt int64 // loop clock when the connection went idle

	// peerClosed: the upstream half-closed or the socket failed; the
	// connection cannot be kept once its response is read.
	peerClosed bool

	readBuf      []byte
	readN        int
	isHead       bool
	reused       bool
	received     int64
	readTimeout  time.Duration
	writeTimeout time.Duration
}

// loopIdle is a pool's idle connections on one loop.
type loopIdle struct {
	conns []*ClientConn // most recently used last
	pool  *Pool
	lp    *Loop
	tm    timer // sweeps connections idle for longer than the pool allows
}

// loopIdles returns the pool's per-loop idle lists, one per loop.
func (p *Pool) loopIdles() []loopIdle {
	p.loopsOnce.Do(func() {
		p.loops = make([]loopIdle, LoopCount())
		for i := range p.loops {
			li := &p.loops[i]
			li.pool, li.lp = p, loops[i]
			li.tm.owner = li
		}
	})
	return p.loops
}

func (p *Pool) loopIdleOf(l *Loop) *loopIdle {
	lis := p.loopIdles()
	if l.id >= len(lis) {
		return nil
	}
	return &lis[l.id]
}

// sweep closes the connections idle for longer than the pool's idle
// timeout (the oldest come first) and arms the timer for the next one.
func (li *loopIdle) sweep() {
	idleTimeout := int64(orDefault(li.pool.IdleTimeout, DefaultPoolIdleTimeout))
	now := li.lp.now
	li.conns = dropStale(li.conns, func(c *ClientConn) bool { return now-c.ev.idleAt > idleTimeout })
	if len(li.conns) > 0 && li.tm.when == 0 {
		li.lp.setTimer(&li.tm, li.conns[0].ev.idleAt+idleTimeout+1)
	}
}

func (li *loopIdle) onTimer() { li.sweep() }
func (li *loopIdle) abort()   {}

// GetLoop returns an idle connection kept on loop l, or nil. Call it on
// l's goroutine.
func (p *Pool) GetLoop(l *Loop) *ClientConn {
	li := p.loopIdleOf(l)
	if li == nil || p.isClosed.Load() {
		return nil
	}
	idleTimeout := int64(orDefault(p.IdleTimeout, DefaultPoolIdleTimeout))
	for n := len(li.conns); n > 0; n = len(li.conns) {
		c := li.conns[n-1]
		li.conns[n-1] = nil
		li.conns = li.conns[:n-1]
		if l.now-c.ev.idleAt <= idleTimeout {
			c.ev.phase = clientBusy
			return c
		}
		c.closeConn()
	}
	return nil
}

// DialLoop connects to addr on loop l without blocking and reports the
// connection (or the failure) to w, on l's goroutine, possibly before
// DialLoop returns. timeout bounds the connect (0: none).
func (p *Pool) DialLoop(l *Loop, addr netip.AddrPort, timeout time.Duration, w DialWaiter) {
	var deadline int64
	if timeout > 0 {
		deadline = l.now + int64(timeout)
		if monoNow() >= deadline {
			// Spent before the connect could start, as a dialer whose
			// deadline has passed reports it.
			w.UpstreamDialed(nil, dialFailure(addr, os.ErrDeadlineExceeded))
			return
		}
	}
	sa, family := addrPortToSockaddr(addr)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		w.UpstreamDialed(nil, dialFailure(addr, os.NewSyscallError("socket", err)))
		return
	}
	tuneSocket(fd)
	c := p.newConn(nil)
	e := &clientEv{c: c, lp: l, fd: fdConn{fd: fd, remote: addr}, phase: clientConnecting, dialW: w}
	e.tm.owner = e
	c.ev = e
	c.conn = &e.fd
	c.r.conn, c.w.conn = c.conn, c.conn
	c.r.out = nil
	c.r.timeout = keepDeadline
	c.w.loop = true
	if err := l.register(fd, e); err != nil {
		_ = unix.Close(fd)
		w.UpstreamDialed(nil, dialFailure(addr, err))
		return
	}
	switch err := unix.Connect(fd, sa); err {
	case nil:
		e.connected()
	case unix.EINPROGRESS, unix.EINTR:
		if deadline > 0 {
			l.setTimer(&e.tm, deadline)
		}
	default:
		e.dialFailed(os.NewSyscallError("connect", err))
	}
}

// dialFailure builds the error of a failed connect, shaped like package
// net's dial errors.
func dialFailure(addr netip.AddrPort, err error) *UpstreamError {
	op := &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(addr), Err: err}
	return &UpstreamError{Kind: KindDial, Op: "dial", NothingReceived: true, Err: op}
}

func (e *clientEv) connected() {
	e.lp.setTimer(&e.tm, 0)
	e.phase = clientBusy
	// Nothing can have arrived yet: wait for events before reading.
	e.c.r.drained = true
	if sa, err := unix.Getsockname(e.fd.fd); err == nil {
		e.fd.local = sockaddrToAddrPort(sa)
	}
	w := e.dialW
	e.dialW = nil
	w.UpstreamDialed(e.c, nil)
}

func (e *clientEv) dialFailed(err error) {
	e.lp.setTimer(&e.tm, 0)
	e.close()
	w := e.dialW
	e.dialW = nil
	w.UpstreamDialed(nil, dialFailure(e.fd.remote, err))
}

func (e *clientEv) handleEvent(events uint32) {
	c := e.c
	if events&evRead != 0 {
		c.r.drained = false
		if events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			e.peerClosed = true
		}
	}
	switch e.phase {
	case clientConnecting:
		if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		soerr, err := unix.GetsockoptInt(e.fd.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case err != nil:
			e.dialFailed(os.NewSyscallError("getsockopt", err))
		case soerr != 0:
			e.dialFailed(os.NewSyscallError("connect", unix.Errno(soerr)))
		default:
			if _, err := unix.Getpeername(e.fd.fd); err == unix.ENOTCONN {
				// A stale event for an earlier socket with the same
				// descriptor: the connect is still in progress.
				return
			}
			e.connected()
		}
	case clientIdle:
		if events&evRead != 0 {
			// An idle connection has nothing to say: the upstream closed
			// it (or broke the protocol). It leaves the pool now.
			e.dropIdle()
		}
	case clientWriting:
		if events&evWrite != 0 {
			e.writeStep()
		}
	case clientHead:
		if events&evRead != 0 {
			e.headStep()
		}
	case clientBody:
		if events&evRead == 0 {
			return
		}
		switch {
		case e.pumpTo != nil:
			e.pumpTo.pumpStep()
		case e.readW != nil:
			e.readStep()
		}
	}
}

// Start sends req on the connection (a loop connection from GetLoop or
// DialLoop) and reports the response head to w, on the loop. Interim 1xx
// responses other than 101 are skipped. The request body, if any, must
// be readable without waiting (buffered). The write timeout bounds each
// wait for the socket to take more, the read timeout each wait for the
// next response bytes.
func (c *ClientConn) Start(req *OutRequest, w ResponseWaiter) {
	e := c.ev
	e.reused = c.begin(req)
	e.isHead = string(req.Method) == "HEAD"
	e.readTimeout, e.writeTimeout = req.ReadTimeout, req.WriteTimeout
	e.respW = w
	c.writeHead(req)
	if req.ContentLength != 0 && req.Body != nil {
		_, srcErr, dstErr := copyBody(&c.w, req.Body, req.ContentLength)
		if srcErr != nil {
			c.broken = true
			e.respW = nil
			w.UpstreamResponse(nil, &SourceError{Err: srcErr})
			return
		}
		if dstErr != nil {
			e.fail(classify("write", dstErr, e.reused, true))
			return
		}
	}
	e.received = c.r.total
	e.phase = clientWriting
	e.writeStep()
}

func (e *clientEv) writeStep() {
	c := e.c
	err := c.w.flush()
	if err == errWouldBlock {
		e.arm(e.writeTimeout)
		return
	}
	if err != nil {
		e.fail(classify("write", err, e.reused, true))
		return
	}
	e.phase = clientHead
	e.arm(e.readTimeout)
	if !c.r.drained {
		e.headStep()
	}
}

func (e *clientEv) headStep() {
	c := e.c
	before := c.r.total
	err := c.readResponse(e.isHead)
	if err == errWouldBlock {
		if c.r.total > before {
			e.arm(e.readTimeout)
		}
		return
	}
	e.lp.setTimer(&e.tm, 0)
	if err != nil {
		e.fail(classify("read", err, e.reused, c.r.total == e.received))
		return
	}
	e.phase = clientBody
	w := e.respW
	e.respW = nil
	w.UpstreamResponse(&c.resp, nil)
}

// arm sets the connection's timer d from now (0: no timeout).
func (e *clientEv) arm(d time.Duration) {
	if d <= 0 {
		e.lp.setTimer(&e.tm, 0)
		return
	}
	e.lp.setTimer(&e.tm, e.lp.now+int64(d))
}

// fail ends the pending operation with err; the connection is broken
// and closes when released.
func (e *clientEv) fail(err error) {
	c := e.c
	e.lp.setTimer(&e.tm, 0)
	c.broken = true
	e.phase = clientBusy
	if w := e.respW; w != nil {
		e.respW = nil
		w.UpstreamResponse(nil, err)
		return
	}
	if w := e.readW; w != nil {
		e.readW = nil
		w.BodyRead(e.readN, err)
		return
	}
	if s := e.pumpTo; s != nil {
		s.pumpDone(err, nil)
	}
}

func (e *clientEv) onTimer() {
	timeout := &net.OpError{Op: "read", Net: "tcp", Addr: net.TCPAddrFromAddrPort(e.fd.remote), Err: os.ErrDeadlineExceeded}
	switch e.phase {
	case clientConnecting:
		e.dialFailed(os.ErrDeadlineExceeded)
	case clientWriting:
		timeout.Op = "write"
		e.fail(classify("write", timeout, e.reused, true))
	case clientHead:
		e.fail(classify("read", timeout, e.reused, e.c.r.total == e.received))
	case clientBody:
		e.fail(classify("read", timeout, true, false))
	}
}

// abort ends the connection's part after a panic in one of its
// callbacks (a body filter, say): its pending operation fails, so the
// request waiting on it ends, and the connection is not kept.
func (e *clientEv) abort() {
	e.c.broken = true
	switch e.phase {
	case clientIdle:
		e.dropIdle()
	case clientConnecting:
		e.close()
		if w := e.dialW; w != nil {
			e.dialW = nil
			w.UpstreamDialed(nil, dialFailure(e.fd.remote, errAborted))
		}
	case clientWriting, clientHead, clientBody:
		e.fail(&UpstreamError{Kind: KindReset, Op: "read", Err: errAborted})
	}
}

// waitBody arms the read timeout while the body's next bytes are
// awaited: from now when bytes came since the last wait (progress), else
// it keeps running from when the wait began.
func (c *ClientConn) waitBody(progress bool) {
	e := c.ev
	e.phase = clientBody
	if progress || e.tm.when == 0 {
		e.arm(e.readTimeout)
	}
}

func (c *ClientConn) stopTimer() {
	if e := c.ev; e != nil {
		e.lp.setTimer(&e.tm, 0)
	}
}

// ReadBody reads exactly len(p) bytes of the response body into p, on
// the loop, and reports to w (an error when the body ends early or the
// read fails).
func (c *ClientConn) ReadBody(p []byte, w ReadWaiter) {
	e := c.ev
	e.phase = clientBody
	e.readBuf, e.readN, e.readW = p, 0, w
	e.readStep()
}

func (e *clientEv) readStep() {
	c := e.c
	start := e.readN
	for e.readN < len(e.readBuf) {
		n, err := c.resp.body.Read(e.readBuf[e.readN:])
		e.readN += n
		if err == errWouldBlock {
			c.waitBody(e.readN > start)
			return
		}
		if err != nil {
			if e.readN == len(e.readBuf) && err == io.EOF {
				break
			}
			if err == io.EOF {
				err = classify("read", io.ErrUnexpectedEOF, true, false)
			}
			e.fail(err)
			return
		}
	}
	e.lp.setTimer(&e.tm, 0)
	w, n := e.readW, e.readN
	e.readW, e.readBuf = nil, nil
	w.BodyRead(n, nil)
}

// dropIdle closes an idle connection the upstream gave up on and takes
// it out of its pool.
func (e *clientEv) dropIdle() {
	c := e.c
	if li := c.pool.loopIdleOf(e.lp); li != nil {
		for i, ic := range li.conns {
			if ic == c {
				li.conns = append(li.conns[:i], li.conns[i+1:]...)
				li.conns = li.conns[:len(li.conns):len(li.conns)]
				break
			}
		}
	}
	e.close()
}

// close closes the socket (on the loop).
func (e *clientEv) close() {
	if e.phase == clientClosed {
		return
	}
	e.phase = clientClosed
	e.lp.dropTimer(&e.tm)
	e.lp.unregister(e.fd.fd)
	_ = e.fd.Close()
}

// putLoop keeps a reusable loop connection or closes it.
func (p *Pool) putLoop(c *ClientConn) {
	e := c.ev
	li := p.loopIdleOf(e.lp)
	if li == nil || e.peerClosed || p.isClosed.Load() || len(li.conns) >= orDefault(p.MaxIdle, DefaultPoolMaxIdle) {
		e.close()
		return
	}
	e.idleAt = e.lp.now
	e.phase = clientIdle
	li.conns = append(li.conns, c)
	if li.tm.when == 0 {
		li.sweep()
	}
}

// closeLoopIdle closes the idle connections every loop keeps for p.
func (p *Pool) closeLoopIdle() {
	for i := range p.loopIdles() {
		li := &p.loops[i]
		li.lp.Post(func() {
			for i, c := range li.conns {
				c.ev.close()
				li.conns[i] = nil
			}
			li.conns = li.conns[:0]
			li.lp.dropTimer(&li.tm)
		})
	}
}
