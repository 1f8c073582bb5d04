//go:build linux

package h1

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Event-loop serving (Linux). A connection accepted by ServeEvents lives
// on one loop: its request heads are read and parsed there, a handler
// that implements LoopHandler serves each request there without blocking
// (its upstream exchanges are event-driven too), and the response is
// flushed when the socket takes it. Requests the loop cannot serve
// without waiting (a body still on the wire, a handler that is not a
// LoopHandler, or a handler's own choice through Exchange.Escape) run on
// a goroutine with a blocking view of the connection and come back to
// the loop when they are done.

// evPhase is where an event-loop server connection stands.
type evPhase uint8

const (
	phaseHead   evPhase = iota // waiting for or reading a request head
	phaseBody                  // head parsed, the rest of a small body arriving
	phaseServe                 // the handler has the request
	phaseFlush                 // response complete, waiting for the socket to take it
	phaseLent                  // served off the loop (escape)
	phaseLinger                // output sent, discarding input before closing
	phaseClosed
)

// maxLoopBody is the largest request body waited for on the loop before
// the request is handed to its handler (it must also fit in the read
// buffer); larger or chunked bodies are read off the loop.
const maxLoopBody = 16 << 10

// lingerTime bounds the lingering close.
const lingerTime = 500 * time.Millisecond

// maxBurst is how many requests of one connection are served in a row
// before the loop turns to its other connections (pipelining clients).
const maxBurst = 16

// evState is the event-loop side of a server connection.
type evState struct {
	c     *serverConn
	lp    *Loop
	fd    fdConn
	phase evPhase
	tm    timer

	headTimed bool // the header timeout is armed for the current head
	inServe   bool // inside the handler's ServeLoop
	doneEarly bool // Done was called during ServeLoop
	peerShut  bool // the client half-closed or the socket failed
	burst     int  // requests served since the connection last waited
	queued    bool // waiting for its turn after the batch (Loop.later)
	escaped   bool
	closeNow  bool // the escaped request closed the connection
	closed    bool
	released  bool
	lent      net.Conn
	resumeFn  func()
	lingered  int
	state     ConnState

	pump pumpState
}

// evListener is a listening socket served by every loop.
type evListener struct {
	srv     *Server
	file    *os.File
	fd      int
	addr    net.Addr
	local   netip.AddrPort
	loops   []*Loop
	once    sync.Once
	pending atomic.Int32
	closing atomic.Bool
	done    chan struct{}
}

func (l *evListener) Accept() (net.Conn, error) {
	return nil, errors.New("h1: accepted by the event loops")
}
func (l *evListener) Addr() net.Addr { return l.addr }

// Close stops the loops accepting on the socket; the last loop to let go
// closes it.
func (l *evListener) Close() error {
	l.once.Do(func() {
		l.closing.Store(true)
		l.pending.Store(int32(len(l.loops)))
		for _, lp := range l.loops {
			lp.Post(func() {
				lp.unregister(l.fd)
				if l.pending.Add(-1) == 0 {
					_ = l.file.Close()
					close(l.done)
				}
			})
		}
	})
	return nil
}

// ServeEvents serves ln with the process's event loops (one per
// processor) and returns ErrServerClosed after Shutdown or Close, like
// Serve. ln must be a TCP listener; anything else, or a system without
// the loops, is served by Serve. The Handler should implement
// LoopHandler: other handlers are run off the loop for every request.
func (s *Server) ServeEvents(ln net.Listener) error {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return s.Serve(ln)
	}
	lps, err := startLoops()
	if err != nil {
		return s.Serve(ln)
	}
	f, err := tl.File()
	if err != nil {
		return s.Serve(ln)
	}
	fd := int(f.Fd())
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = f.Close()
		return s.Serve(ln)
	}
	el := &evListener{srv: s, file: f, fd: fd, addr: ln.Addr(), loops: lps, done: make(chan struct{})}
	if ta, ok := ln.Addr().(*net.TCPAddr); ok {
		el.local = ta.AddrPort()
	}
	// The duplicate keeps the socket open; the runtime's copy goes.
	_ = ln.Close()
	if !s.track(el) {
		_ = f.Close()
		return ErrServerClosed
	}
	defer s.untrack(el)
	for _, lp := range lps {
		lp.Post(func() {
			// Close posts after setting closing: a registration that runs
			// later must not watch a descriptor that may be closed, or
			// reused by another connection.
			if el.closing.Load() {
				return
			}
			if lp.poll.add(fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE) == nil {
				lp.setHandler(fd, &acceptor{l: el, lp: lp})
			}
		})
	}
	<-el.done
	return ErrServerClosed
}

// acceptor takes new connections on one loop.
type acceptor struct {
	l      *evListener
	lp     *Loop
	paused bool
	tm     timer
}

func (a *acceptor) handleEvent(uint32) {
	s := a.l.srv
	for range 64 {
		nfd, sa, err := unix.Accept4(a.l.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			switch err {
			case unix.EAGAIN, unix.EINTR, unix.ECONNABORTED:
				if err == unix.EAGAIN {
					return
				}
				continue
			case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
				// Out of descriptors: stop accepting for a moment
				// instead of spinning on the ready socket.
				a.pause()
			}
			return
		}
		if s.shuttingDown() {
			_ = unix.Close(nfd)
			continue
		}
		tuneSocket(nfd)
		s.newEventConn(a.lp, nfd, sockaddrToAddrPort(sa), a.l.local)
	}
}

func (a *acceptor) pause() {
	if a.paused {
		return
	}
	a.paused = true
	a.lp.poll.del(a.l.fd)
	a.tm.owner = a
	a.lp.setTimer(&a.tm, a.lp.now+int64(50*time.Millisecond))
}

func (a *acceptor) onTimer() {
	a.paused = false
	if a.lp.handlers[a.l.fd] == a {
		_ = a.lp.poll.add(a.l.fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE)
	}
}

func (a *acceptor) abort() {}

// newEventConn starts serving an accepted socket on lp.
func (s *Server) newEventConn(lp *Loop, fd int, remote, local netip.AddrPort) {
	c := s.allocConn()
	e := c.ev
	if e == nil {
		e = &evState{c: c}
		e.resumeFn = e.resume
		c.ev = e
	}
	*e = evState{c: c, lp: lp, resumeFn: e.resumeFn}
	e.tm.owner = e
	e.fd = fdConn{fd: fd, local: local, remote: remote}
	c.conn = &e.fd
	c.initBuffers()
	c.r.out = nil
	c.r.timeout = keepDeadline
	c.w.loop = true
	c.w.timeout = 0
	c.x.req.remote = remote
	c.x.req.local = local
	if !s.addConn(c) {
		_ = e.fd.Close()
		c.recycle()
		return
	}
	if err := lp.register(fd, e); err != nil {
		s.removeConn(c)
		_ = e.fd.Close()
		c.recycle()
		return
	}
	e.setState(StateNew)
	e.startHead()
	// The socket was registered edge-triggered: if the request is
	// already there, an event is queued.
	c.r.drained = true
	e.armHeadTimer()
}

func (e *evState) setState(to ConnState) {
	if h := e.c.srv.ConnStateHook; h != nil && to != e.state {
		from := e.state
		e.state = to
		h(from, to)
		return
	}
	e.state = to
}

func (e *evState) setTimer(d time.Duration) {
	if d <= 0 {
		e.lp.setTimer(&e.tm, 0)
		return
	}
	e.lp.setTimer(&e.tm, e.lp.now+int64(d))
}

// startHead prepares for the next request head.
func (e *evState) startHead() {
	c := e.c
	c.x.reset()
	c.r.pin = 0
	if c.r.r == c.r.w {
		c.r.r, c.r.w = 0, 0
	}
	e.headTimed = false
	e.phase = phaseHead
}

// armHeadTimer arms the idle timeout while nothing of the next request
// has arrived, then the header timeout from its first byte.
func (e *evState) armHeadTimer() {
	s := e.c.srv
	if e.c.r.buffered() == 0 {
		e.setTimer(orDefault(s.IdleTimeout, DefaultIdleTimeout))
		return
	}
	if !e.headTimed {
		e.headTimed = true
		e.setTimer(orDefault(s.ReadHeaderTimeout, DefaultReadHeaderTimeout))
	}
}

func (e *evState) handleEvent(events uint32) {
	if events&evRead != 0 {
		e.c.r.drained = false
		if events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			// The end of input may have come with the last bytes read:
			// the next read reports it even when that one was short.
			e.peerShut = true
		}
	}
	switch e.phase {
	case phaseHead, phaseBody:
		e.readStep()
	case phaseServe:
		if e.pump.active && events&evWrite != 0 && len(e.c.w.buf) > 0 {
			e.pumpStep()
		}
	case phaseFlush:
		if events&evWrite != 0 {
			e.flushStep()
		}
	case phaseLinger:
		e.lingerStep()
	}
}

// readStep reads and serves requests until the socket has nothing more
// or a request is in progress.
func (e *evState) readStep() {
	c := e.c
	s := c.srv
	r := &c.r
	for e.phase == phaseHead || e.phase == phaseBody {
		if e.phase == phaseHead {
			if e.burst >= maxBurst {
				// Other connections of the loop get their turn; this one
				// goes on after the batch (readStep calls further up the
				// stack stop here too).
				if !e.queued {
					e.queued = true
					e.lp.later(e)
				}
				return
			}
			r.skipEmptyLines()
			if r.buffered() > 0 {
				if end := headEnd(r.buf[r.r:r.w], 0); end >= 0 {
					head := r.buf[r.r : r.r+end]
					r.r += end
					r.pin = r.r
					c.requests++
					if err := c.parseHead(head); err != nil {
						e.refuse(err)
						return
					}
					e.burst++
					if !e.bodyReady() {
						e.phase = phaseBody
						e.setTimer(orDefault(s.BodyReadTimeout, DefaultBodyReadTimeout))
						continue
					}
					e.serve()
					continue
				}
				if r.buffered() >= r.maxBuf {
					e.refuse(c.tooLarge())
					return
				}
			} else if s.shuttingDown() {
				e.close()
				return
			}
		} else if e.bodyReady() {
			e.serve()
			continue
		}
		if r.drained && !e.peerShut {
			e.burst = 0
			if len(c.w.buf) > 0 {
				// Answers held back while pipelined requests followed go
				// out before waiting for more input.
				if err := c.w.flush(); err != nil && err != errWouldBlock {
					e.close()
					return
				}
			}
			if e.phase == phaseHead {
				e.armHeadTimer()
			}
			return
		}
		before := r.buffered()
		err := r.fill()
		switch {
		case err == nil:
			if e.phase == phaseBody && r.buffered() > before {
				e.setTimer(orDefault(s.BodyReadTimeout, DefaultBodyReadTimeout))
			}
		case err == errWouldBlock:
			r.drained = true
		case err == errBufferFull:
			if e.phase == phaseBody {
				// Cannot happen: bodyReady sends bodies that do not fit
				// off the loop. Serve the request there anyway.
				e.serve()
				continue
			}
			e.refuse(c.tooLarge())
			return
		case err == io.EOF && e.phase == phaseHead && r.buffered() > 0:
			e.refuse(errUnexpectedEOFHead)
			return
		case err == io.EOF && e.phase == phaseHead:
			// The client is done: what is still pending goes, then the
			// connection closes.
			e.closeAfterFlush()
			return
		default:
			e.close()
			return
		}
	}
}

// bodyReady reports whether the request can go to its handler: it has
// no body, its body is entirely in the buffer, or it must be read off
// the loop anyway (too large, chunked, or waiting for 100 Continue).
func (e *evState) bodyReady() bool {
	c := e.c
	req := &c.x.req
	b := &req.body
	if b.Done() || b.mode != bodyFixed || req.expectContinue {
		return true
	}
	if int64(c.r.buffered()) >= b.remaining {
		return true
	}
	// Wait on the loop only when the whole message fits in the buffer.
	return b.remaining > maxLoopBody || int64(c.r.pin)+b.remaining > int64(c.r.maxBuf)
}

// bodyBuffered reports whether the request body can be read without
// waiting.
func (e *evState) bodyBuffered() bool {
	c := e.c
	b := &c.x.req.body
	return b.Done() || b.mode == bodyFixed && int64(c.r.buffered()) >= b.remaining
}

// serve hands the parsed request to the handler.
func (e *evState) serve() {
	c := e.c
	e.setTimer(0)
	e.phase = phaseServe
	e.setState(StateActive)
	lh, ok := c.srv.Handler.(LoopHandler)
	if !ok || !e.bodyBuffered() {
		c.srv.offLoop.Add(1)
		h := c.srv.Handler
		x := &c.x
		if err := e.escape(func() { h.ServeH1(x) }); err != nil {
			e.closeForGood()
		}
		return
	}
	e.inServe, e.doneEarly = true, false
	lh.ServeLoop(&c.x)
	e.inServe = false
	if e.doneEarly {
		e.doneEarly = false
		e.complete()
	}
}

// Loop returns the event loop serving the exchange, or nil when it is
// served by a goroutine (Serve, or off the loop after Escape).
func (x *Exchange) Loop() *Loop {
	if e := x.c.ev; e != nil && !e.escaped && e.phase != phaseLent {
		return e.lp
	}
	return nil
}

// Done ends a request served with LoopHandler.ServeLoop. It must be
// called exactly once, on the loop; the response is then completed and
// the connection goes on with the next request. It does nothing for
// requests served by goroutines (their handler returning ends them).
func (x *Exchange) Done() {
	e := x.c.ev
	if e == nil || e.escaped {
		return
	}
	if e.pump.active {
		// The handler ended the request while its body was streaming
		// (after a failure of its own): the pump stops without a report.
		e.pumpAbandon()
	}
	if e.inServe {
		e.doneEarly = true
		return
	}
	if e.closed {
		e.release()
		return
	}
	e.complete()
	if e.phase == phaseHead {
		e.readStep()
	}
}

// complete finishes the response of the request just served and sets up
// the connection for the next one (or its closing).
func (e *evState) complete() {
	c := e.c
	x := &c.x
	if e.closed {
		e.release()
		return
	}
	x.finish()
	if !x.closeAfter && !x.req.body.Done() && !x.req.body.skipBuffered() {
		x.closeAfter = true
	}
	e.setState(StateIdle)
	if x.closeAfter || c.w.err != nil {
		e.closeAfterFlush()
		return
	}
	pipelined := c.r.buffered() > 0
	e.startHead()
	if !pipelined || len(c.w.buf) > cap(c.w.buf)/2 {
		e.phase = phaseFlush
		e.flushStep()
	}
}

// flushStep writes pending output; once all is out the connection reads
// the next request (or closes, when it was the last).
func (e *evState) flushStep() {
	c := e.c
	err := c.w.flush()
	switch {
	case err == errWouldBlock:
		e.setTimer(orDefault(c.srv.WriteTimeout, DefaultWriteTimeout))
		return
	case err != nil:
		e.close()
		return
	}
	e.restoreWriteBuffer()
	if e.closeNow {
		e.lingerClose()
		return
	}
	e.phase = phaseHead
	e.headTimed = false
	e.armHeadTimer()
	if !c.r.drained || c.r.buffered() > 0 {
		e.readStep()
	}
}

// refuse answers a request refused before its handler ran and closes.
func (e *evState) refuse(err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		e.close()
		return
	}
	e.setTimer(0)
	c := e.c
	c.reject(re)
	e.closeAfterFlush()
}

// closeAfterFlush sends what is pending, then closes with lingering.
func (e *evState) closeAfterFlush() {
	e.closeNow = true
	e.phase = phaseFlush
	e.flushStep()
}

// lingerClose closes at once when the client sent nothing unread,
// otherwise half-closes and discards its input for a short while so the
// response is not lost to a reset.
func (e *evState) lingerClose() {
	c := e.c
	if c.x.req.body.Done() && c.r.buffered() == 0 {
		e.close()
		return
	}
	if e.fd.closeWrite() != nil {
		e.close()
		return
	}
	e.phase = phaseLinger
	e.setTimer(lingerTime)
	e.lingerStep()
}

func (e *evState) lingerStep() {
	var scratch [1024]byte
	for e.lingered < maxDrain {
		n, err := e.fd.Read(scratch[:])
		e.lingered += n
		if err == errWouldBlock {
			return
		}
		if err != nil {
			e.close()
			return
		}
	}
	e.close()
}

func (e *evState) onTimer() {
	switch e.phase {
	case phaseServe:
		if e.pump.active {
			// The client did not take the body in time.
			e.pumpDone(nil, os.ErrDeadlineExceeded)
		}
	case phaseBody:
		// The body did not arrive in time: refused as a timed-out
		// request, before the handler saw it.
		e.refuse(&RequestError{Status: 408, Reason: "request body timeout"})
	case phaseLent, phaseClosed:
	default:
		e.close()
	}
}

// abort closes the connection after a panic in one of its callbacks.
func (e *evState) abort() { e.close() }

// close closes the connection. A request still with its handler keeps
// the exchange until Done.
func (e *evState) close() {
	if e.closed {
		return
	}
	c := e.c
	e.closed = true
	e.lp.dropTimer(&e.tm)
	e.lp.unregister(e.fd.fd)
	_ = e.fd.Close()
	c.srv.removeConn(c)
	e.setState(StateClosed)
	if e.pump.active {
		e.pumpDone(nil, net.ErrClosed)
	}
	inFlight := e.phase == phaseServe || e.phase == phaseLent
	e.phase = phaseClosed
	if !inFlight {
		e.release()
	}
}

// release returns the connection's memory once nothing refers to it.
func (e *evState) release() {
	if e.released {
		return
	}
	e.released = true
	e.restoreWriteBuffer()
	// Callbacks posted for this connection that run from now on find it
	// gone.
	e.c.loopGen.Add(1)
	e.lp.retired = append(e.lp.retired, e.c)
}

// closeIfIdle closes the connection when it waits for a request with
// nothing received (Shutdown).
func (e *evState) closeIfIdle() {
	if e.phase == phaseHead && e.c.r.buffered() == 0 && !e.closed {
		e.close()
	}
}

// skipBuffered discards the rest of a body that is entirely buffered and
// reports whether the body is now complete.
func (b *Body) skipBuffered() bool {
	if b.err != nil {
		return b.err == io.EOF
	}
	if b.mode != bodyFixed || int64(b.cr.buffered()) < b.remaining {
		return false
	}
	b.cr.r += int(b.remaining)
	b.remaining = 0
	b.err = io.EOF
	return true
}

// closeLoopConn closes an event-loop connection from any goroutine.
// (Shutdown and Close; s.mu is held). The connection's structure may be
// recycled before the loop gets to it, so the loop checks that it still
// serves the same connection.
func (c *serverConn) closeLoopConn(idleOnly bool) {
	e := c.ev
	lp, gen := e.lp, c.loopGen.Load()
	lp.Post(func() {
		if c.loopGen.Load() != gen || e.closed {
			return
		}
		switch {
		case idleOnly:
			e.closeIfIdle()
		case e.phase == phaseLent:
			// The request off the loop ends when its connection does.
			_ = e.lent.Close()
		default:
			e.close()
		}
	})
}
