package h1

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Handler serves one request. It runs on the connection's goroutine;
// requests of one connection are handled one after another, in order.
type Handler interface {
	ServeH1(x *Exchange)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(x *Exchange)

// ServeH1 calls f(x).
func (f HandlerFunc) ServeH1(x *Exchange) { f(x) }

// Default limits and timeouts of a Server.
const (
	DefaultReadBufferSize    = 4 << 10
	DefaultWriteBufferSize   = 8 << 10
	DefaultMaxHeaderBytes    = 32 << 10
	DefaultMaxURIBytes       = 8 << 10
	DefaultMaxHeaders        = 100
	DefaultIdleTimeout       = 75 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyReadTimeout   = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	// maxDrain is how much unread request body is discarded to keep a
	// connection alive; beyond it the connection is closed.
	maxDrain = 256 << 10
)

// Server is an HTTP/1.1 server. Set the fields before calling Serve and
// do not change them afterwards; zero values select the defaults.
type Server struct {
	// Handler serves every request.
	Handler Handler
	// ErrorHandler writes the response to a request refused before the
	// handler ran (status e.Status); the connection is closed afterwards.
	// The Exchange's request holds whatever was parsed. Nil writes a
	// short plain-text body.
	ErrorHandler func(x *Exchange, e *RequestError)

	ReadBufferSize  int // initial read buffer, grown up to MaxHeaderBytes for large heads
	WriteBufferSize int // response coalescing buffer (minimum 4 KiB)
	MaxHeaderBytes  int // request head limit: 431 beyond
	MaxURIBytes     int // request target limit: 414 beyond
	MaxHeaders      int // header field count limit: 431 beyond
	// MaxRequestsPerConn closes a connection after this many requests
	// (0: unlimited).
	MaxRequestsPerConn int

	IdleTimeout       time.Duration // wait for the next request on a keep-alive connection
	ReadHeaderTimeout time.Duration // from the first byte of a request to the end of its head
	BodyReadTimeout   time.Duration // between two reads of a request body
	WriteTimeout      time.Duration // for each write to the client

	// ConnStateHook, when set, is told of every change of a connection's
	// state, with the state it leaves. It is called on the connection's
	// goroutine or loop and must be cheap.
	ConnStateHook func(from, to ConnState)

	offLoop atomic.Uint64 // requests the event loops handed to a goroutine

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*serverConn]struct{}
	shutdown  atomic.Bool
	bufs      sync.Pool // *connBuffers
	connPool  sync.Pool // *serverConn
}

// Serve serves ln with h using default settings.
func Serve(ln net.Listener, h Handler) error {
	s := &Server{Handler: h}
	return s.Serve(ln)
}

func (s *Server) shuttingDown() bool { return s.shutdown.Load() }

// OffLoopRequests returns how many requests the event loops served off
// the loop on their own account (a body still on the wire, or a handler
// that is not a LoopHandler); a LoopHandler's escapes are its own.
func (s *Server) OffLoopRequests() uint64 { return s.offLoop.Load() }

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Serve accepts connections on ln and serves each on its own goroutine.
// It returns ErrServerClosed after Shutdown or Close, or the accept error.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln) {
		_ = ln.Close()
		return ErrServerClosed
	}
	defer s.untrack(ln)
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.shuttingDown() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := s.newConn(conn)
		if c == nil {
			_ = conn.Close()
			continue
		}
		go c.serve()
	}
}

func (s *Server) track(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrack(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
}

// Shutdown stops accepting, lets requests in progress finish (their
// connections close after the response) and closes idle connections. It
// returns when every connection is gone, or ctx's error once ctx ends
// (remaining connections are then left to finish on their own; call
// Close to cut them).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown.Store(true)
	for ln := range s.listeners {
		_ = ln.Close()
	}
	s.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close stops accepting and closes every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdown.Store(true)
	for ln := range s.listeners {
		_ = ln.Close()
	}
	for c := range s.conns {
		if c.ev != nil {
			c.closeLoopConn(false)
			continue
		}
		_ = c.conn.Close()
	}
	return nil
}

// closeIdle closes connections waiting for a request and returns how
// many connections remain.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.ev != nil {
			c.closeLoopConn(true)
			continue
		}
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			_ = c.conn.Close()
		}
	}
	return len(s.conns)
}

// Connection states, for Shutdown.
const (
	stateActive int32 = iota
	stateIdle
	stateClosed
)

// ConnState is the state of a server connection, as reported to
// Server.ConnStateHook. The zero value is the state before StateNew.
type ConnState uint8

// Connection states.
const (
	StateNew    ConnState = iota + 1 // accepted, no request yet
	StateActive                      // a request is being served
	StateIdle                        // waiting for the next request
	StateClosed                      // closed or taken over (Hijack)
)

// connBuffers are the per-connection buffers, recycled across
// connections.
type connBuffers struct {
	read  []byte
	write []byte
	pend  []byte
}

// serverConn is one client connection and its reusable state.
type serverConn struct {
	srv      *Server
	conn     net.Conn
	bufs     *connBuffers
	r        connReader
	w        bufWriter
	pend     []byte // body held back until its length is known
	x        Exchange
	state    atomic.Int32
	requests int
	lim      limits
	cstate   ConnState // as reported to ConnStateHook
	ev       *evState  // event-loop state; nil when a goroutine serves
	// loopGen changes when an event-loop connection is let go, so that
	// callbacks posted for it can tell the structure was reused.
	loopGen atomic.Uint64

	dateSec int64
	dateBuf [29]byte
}

// allocConn takes a connection structure from the pool.
func (s *Server) allocConn() *serverConn {
	c, _ := s.connPool.Get().(*serverConn)
	if c == nil {
		c = new(serverConn)
	}
	c.srv = s
	return c
}

// initBuffers gives the connection (whose conn is set) its buffers and
// per-connection limits.
func (c *serverConn) initBuffers() {
	s := c.srv
	bufs, _ := s.bufs.Get().(*connBuffers)
	if bufs == nil {
		bufs = &connBuffers{
			read:  make([]byte, orDefault(s.ReadBufferSize, DefaultReadBufferSize)),
			write: make([]byte, 0, max(orDefault(s.WriteBufferSize, DefaultWriteBufferSize), 4<<10)),
			pend:  make([]byte, 0, 2<<10),
		}
	}
	c.bufs = bufs
	c.r = connReader{conn: c.conn, buf: bufs.read, maxBuf: max(orDefault(s.MaxHeaderBytes, DefaultMaxHeaderBytes), len(bufs.read)), out: &c.w}
	c.w = bufWriter{conn: c.conn, buf: bufs.write[:0], timeout: orDefault(s.WriteTimeout, DefaultWriteTimeout)}
	c.pend = bufs.pend[:0]
	c.x.c = c
	c.requests = 0
	c.cstate = 0
	c.lim = limits{maxURI: orDefault(s.MaxURIBytes, DefaultMaxURIBytes), maxFields: orDefault(s.MaxHeaders, DefaultMaxHeaders)}
	c.state.Store(stateActive)
}

// addConn records c for Shutdown and Close; false once shutting down.
func (s *Server) addConn(c *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[*serverConn]struct{})
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) removeConn(c *serverConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// recycle returns the connection's buffers and structure to the pools.
func (c *serverConn) recycle() {
	s := c.srv
	if c.bufs != nil {
		s.bufs.Put(c.bufs)
	}
	c.x.reset()
	c.conn = nil
	c.bufs = nil
	c.r = connReader{}
	c.w = bufWriter{}
	s.connPool.Put(c)
}

// setState reports a state change of a goroutine-served connection.
func (c *serverConn) setState(to ConnState) {
	if h := c.srv.ConnStateHook; h != nil && c.cstate != to {
		from := c.cstate
		c.cstate = to
		h(from, to)
		return
	}
	c.cstate = to
}

func (s *Server) newConn(conn net.Conn) *serverConn {
	c := s.allocConn()
	c.ev = nil
	c.conn = conn
	c.initBuffers()
	c.x.req.remote = addrPortOf(conn.RemoteAddr())
	c.x.req.local = addrPortOf(conn.LocalAddr())
	if !s.addConn(c) {
		c.recycle()
		return nil
	}
	c.setState(StateNew)
	return c
}

func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// lastRequest reports whether the per-connection request limit is hit.
func (c *serverConn) lastRequest() bool {
	n := c.srv.MaxRequestsPerConn
	return n > 0 && c.requests >= n
}

// date returns the cached Date value for the current second.
func (c *serverConn) date() []byte {
	var sec int64
	if e := c.ev; e != nil && !e.escaped {
		sec = e.lp.unixSec()
	} else {
		sec = time.Now().Unix()
	}
	if sec != c.dateSec {
		c.dateSec = sec
		time.Unix(sec, 0).UTC().AppendFormat(c.dateBuf[:0], "Mon, 02 Jan 2006 15:04:05 GMT")
	}
	return c.dateBuf[:]
}

func (c *serverConn) serve() {
	hijacked := false
	defer func() {
		if !hijacked {
			_ = c.conn.Close()
		}
		c.setState(StateClosed)
		c.release(hijacked)
	}()
	handler := c.srv.Handler
	for {
		x := &c.x
		x.reset()
		err := c.readRequest()
		if err != nil {
			var re *RequestError
			if errors.As(err, &re) {
				c.reject(re)
			}
			return
		}
		c.requests++
		c.setState(StateActive)
		handler.ServeH1(x)
		if x.hijacked {
			hijacked = true
			return
		}
		x.finish()
		c.setState(StateIdle)
		if !x.closeAfter && !x.req.body.Done() {
			if !x.req.body.drain(maxDrain) {
				x.closeAfter = true
			}
		}
		if x.closeAfter || c.w.err != nil {
			_ = c.w.flush()
			c.lingerClose()
			return
		}
		// Keep responses to pipelined requests together; the reader
		// flushes before it blocks.
		if c.r.buffered() == 0 || len(c.w.buf) > cap(c.w.buf)/2 {
			if c.w.flush() != nil {
				return
			}
		}
	}
}

// release returns the buffers for reuse by other connections.
func (c *serverConn) release(hijacked bool) {
	c.srv.removeConn(c)
	if hijacked {
		return // the request may still be referenced
	}
	c.recycle()
}

// lingerClose half-closes the connection and discards what the client is
// still sending for a short while, so that the response is not lost to a
// reset caused by unread data.
func (c *serverConn) lingerClose() {
	if c.x.req.body.Done() && c.r.buffered() == 0 {
		return
	}
	type closeWriter interface{ CloseWrite() error }
	cw, ok := c.conn.(closeWriter)
	if !ok {
		return
	}
	_ = cw.CloseWrite()
	_ = c.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var scratch [1024]byte
	for total := 0; total < maxDrain; {
		n, err := c.conn.Read(scratch[:])
		total += n
		if err != nil {
			return
		}
	}
}

// readRequest reads and parses the next request head.
func (c *serverConn) readRequest() error {
	s := c.srv
	r := &c.r
	r.pin = 0
	// The head is read under the deadlines armed below.
	r.timeout = keepDeadline
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	r.skipEmptyLines()
	if r.buffered() == 0 {
		if s.shuttingDown() {
			return io.EOF
		}
		_ = r.setTimeout(orDefault(s.IdleTimeout, DefaultIdleTimeout))
		if err := c.w.flush(); err != nil {
			return err
		}
		c.state.Store(stateIdle)
		err := r.fill()
		if !c.state.CompareAndSwap(stateIdle, stateActive) {
			return io.EOF // closed by Shutdown
		}
		if err != nil {
			return err
		}
		r.skipEmptyLines()
	}
	headerDeadlineSet := false
	from := 0
	for {
		if r.buffered() > 0 {
			if end := headEnd(r.buf[r.r:r.w], from); end >= 0 {
				head := r.buf[r.r : r.r+end]
				r.r += end
				r.pin = r.r
				return c.parseHead(head)
			}
			from = max(0, r.buffered()-3)
		}
		if r.buffered() >= r.maxBuf {
			return c.tooLarge()
		}
		if !headerDeadlineSet {
			headerDeadlineSet = true
			_ = r.setTimeout(orDefault(s.ReadHeaderTimeout, DefaultReadHeaderTimeout))
		}
		if err := r.fill(); err != nil {
			switch {
			case err == errBufferFull:
				return c.tooLarge()
			case err == io.EOF && r.buffered() > 0:
				return errUnexpectedEOFHead
			}
			return err
		}
		if r.buffered() == 0 {
			r.skipEmptyLines()
		}
	}
}

// tooLarge picks 414 when the request line alone is over the URI limit,
// else 431.
func (c *serverConn) tooLarge() error {
	b := c.r.buf[c.r.r:c.r.w]
	line := b
	for i, ch := range b {
		if ch == '\n' {
			line = b[:i]
			break
		}
	}
	if len(line) > c.lim.maxURI {
		return errURITooLong
	}
	return errHeadTooLarge
}

// parseHead parses head into the exchange's request and prepares the
// body reader.
func (c *serverConn) parseHead(head []byte) error {
	req := &c.x.req
	if err := parseRequestHead(head, req, c.lim); err != nil {
		return err
	}
	switch {
	case req.chunked:
		req.body.reset(&c.r, bodyChunked, 0)
	case req.contentLength > 0:
		req.body.reset(&c.r, bodyFixed, req.contentLength)
	default:
		req.body.reset(&c.r, bodyNone, 0)
	}
	if req.expectContinue && !req.body.Done() {
		req.body.continueOut = &c.w
	}
	// Body reads arm their own deadline; until one blocks, the deadline
	// armed for the head stays, and no other read happens meanwhile.
	c.r.timeout = orDefault(c.srv.BodyReadTimeout, DefaultBodyReadTimeout)
	return nil
}

// reject answers a request refused before the handler ran.
func (c *serverConn) reject(e *RequestError) {
	x := &c.x
	// Fields parsed before the error may be incomplete; keep the
	// request line only.
	x.req.body.reset(&c.r, bodyNone, 0)
	x.req.keepAlive = false
	x.closeAfter = true
	if h := c.srv.ErrorHandler; h != nil {
		h(x, e)
	} else {
		x.respHeader.AppendField(contentTypeName, textPlain)
		msg := strconv.Itoa(e.Status) + " " + e.Reason + "\n"
		x.SetContentLength(int64(len(msg)))
		x.WriteHeader(e.Status)
		_, _ = x.Write([]byte(msg))
	}
	if x.hijacked {
		return
	}
	x.finish()
	_ = c.w.flush()
	c.lingerClose()
}

var (
	contentTypeName = []byte("Content-Type")
	textPlain       = []byte("text/plain; charset=utf-8")
)
