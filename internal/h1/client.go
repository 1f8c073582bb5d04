package h1

import (
	"context"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Default settings of a Pool.
const (
	DefaultPoolMaxIdle            = 64
	DefaultPoolIdleTimeout        = 60 * time.Second
	DefaultMaxResponseHeaderBytes = 64 << 10
	DefaultMaxResponseHeaders     = 256
	defaultClientReadBufferSize   = 8 << 10
	defaultClientWriteBufferSize  = 8 << 10
	maxInformationalResponses     = 8
	minClientWriteBufferSize      = 4 << 10
)

// DialFunc opens a connection to the pool's upstream. The caller
// resolves names, picks the address and classifies its own errors; ctx
// carries the connect timeout.
type DialFunc func(ctx context.Context) (net.Conn, error)

// Pool keeps idle keep-alive connections to one upstream (whatever Dial
// connects to). Set the fields before first use; zero values select the
// defaults. A Pool is safe for concurrent use.
type Pool struct {
	Dial DialFunc
	// MaxIdle bounds the idle connections kept.
	MaxIdle int
	// IdleTimeout closes connections idle for longer.
	IdleTimeout time.Duration
	// MaxRequestsPerConn retires a connection after this many requests
	// (0: unlimited); the last request carries "Connection: close".
	MaxRequestsPerConn int
	// MaxResponseHeaderBytes and MaxResponseHeaders bound a response
	// head; beyond them the response is bad.
	MaxResponseHeaderBytes int
	MaxResponseHeaders     int
	ReadBufferSize         int
	WriteBufferSize        int

	mu       sync.Mutex
	idle     []*ClientConn // most recently used last
	closed   bool
	isClosed atomic.Bool // closed, readable without the lock

	// Connections kept per event loop, touched only by their loop.
	loopsOnce sync.Once
	loops     []loopIdle
}

// Get returns an idle connection or dials a new one within
// connectTimeout (0: no limit). Dial failures are *UpstreamError with
// Kind KindDial wrapping the dial function's error. Every connection got
// must be given back with Release (or Close).
func (p *Pool) Get(connectTimeout time.Duration) (*ClientConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrPoolClosed
	}
	if n := len(p.idle); n > 0 {
		now := time.Now()
		idleTimeout := orDefault(p.IdleTimeout, DefaultPoolIdleTimeout)
		for n > 0 {
			c := p.idle[n-1]
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			n--
			if now.Sub(c.idleSince) <= idleTimeout {
				p.mu.Unlock()
				return c, nil
			}
			c.closeConn()
		}
	}
	p.mu.Unlock()

	ctx := context.Background()
	if connectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, connectTimeout)
		defer cancel()
	}
	conn, err := p.Dial(ctx)
	if err != nil {
		return nil, &UpstreamError{Kind: KindDial, Op: "dial", NothingReceived: true, Err: err}
	}
	return p.newConn(conn), nil
}

func (p *Pool) newConn(conn net.Conn) *ClientConn {
	c := &ClientConn{pool: p, conn: conn}
	maxHead := orDefault(p.MaxResponseHeaderBytes, DefaultMaxResponseHeaderBytes)
	rsize := min(orDefault(p.ReadBufferSize, defaultClientReadBufferSize), maxHead)
	c.r = connReader{conn: conn, buf: make([]byte, rsize), maxBuf: maxHead, out: &c.w}
	c.w = bufWriter{conn: conn, buf: make([]byte, 0, max(orDefault(p.WriteBufferSize, defaultClientWriteBufferSize), minClientWriteBufferSize))}
	c.maxFields = orDefault(p.MaxResponseHeaders, DefaultMaxResponseHeaders)
	return c
}

// put keeps c for reuse or closes it.
func (p *Pool) put(c *ClientConn) {
	now := time.Now()
	c.idleSince = now
	idleTimeout := orDefault(p.IdleTimeout, DefaultPoolIdleTimeout)
	p.mu.Lock()
	// Drop connections that went stale at the bottom of the stack.
	p.idle = dropStale(p.idle, func(ic *ClientConn) bool { return now.Sub(ic.idleSince) > idleTimeout })
	if p.closed || len(p.idle) >= orDefault(p.MaxIdle, DefaultPoolMaxIdle) {
		p.mu.Unlock()
		c.closeConn()
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// IdleCount returns the number of idle connections.
func (p *Pool) IdleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// CloseIdle closes every idle connection, those kept by event loops
// included (they go shortly after, on their loops).
func (p *Pool) CloseIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.closeConn()
	}
	p.closeLoopIdle()
}

// Close closes idle connections and makes later Get calls fail;
// connections in use are closed when released.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.isClosed.Store(true)
	p.mu.Unlock()
	p.CloseIdle()
}

// OutRequest is a request to send upstream. Header fields are written in
// order, except Host, Content-Length and Transfer-Encoding (the engine
// writes those from the fields below) and Connection when Close is set.
type OutRequest struct {
	Method []byte
	// Target is the origin-form target: path and "?query".
	Target []byte
	Host   []byte
	Header *Header
	// ContentLength is the body length; -1 sends Body chunked, 0 sends no
	// body (POST, PUT and PATCH then carry "Content-Length: 0").
	ContentLength int64
	Body          io.Reader
	// Close asks the upstream to close the connection after responding.
	Close bool
	// WriteTimeout bounds each write of the request, ReadTimeout each
	// read of the response (head and body); 0 disables them.
	WriteTimeout time.Duration
	ReadTimeout  time.Duration
}

// SourceError wraps a failure to read the request body being sent (the
// client side of a proxy), as opposed to a failure of the upstream.
type SourceError struct{ Err error }

func (e *SourceError) Error() string { return "h1: reading request body: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *SourceError) Unwrap() error { return e.Err }

// ClientConn is one upstream connection taken from a Pool. It carries one
// request at a time; its Response is reused by the next request.
type ClientConn struct {
	pool      *Pool
	conn      net.Conn
	r         connReader
	w         bufWriter
	resp      Response
	maxFields int
	interim   int // interim responses skipped for the current request

	uses      int
	idleSince time.Time
	broken    bool
	closeReq  bool
	hijacked  bool
	released  bool

	ev *clientEv // event-loop state; nil for blocking connections
}

// Reused reports whether the connection served a request before.
func (c *ClientConn) Reused() bool { return c.uses > 0 }

// Uses returns how many requests were sent on the connection.
func (c *ClientConn) Uses() int { return c.uses }

// RemoteAddr returns the upstream address.
func (c *ClientConn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// RemoteAddrPort returns the upstream address without allocating for
// event-loop connections.
func (c *ClientConn) RemoteAddrPort() netip.AddrPort {
	if c.ev != nil {
		return c.ev.fd.remote
	}
	return addrPortOf(c.conn.RemoteAddr())
}

func (c *ClientConn) closeConn() {
	if c.ev != nil {
		c.ev.close()
		return
	}
	_ = c.conn.Close()
}

// RoundTrip writes req, streams its body and reads the response head,
// skipping interim 1xx responses other than 101. The response body is
// read through Response.Body. Errors are *UpstreamError, or *SourceError
// when reading req.Body failed; the connection is then retired on
// Release.
func (c *ClientConn) RoundTrip(req *OutRequest) (*Response, error) {
	reused := c.begin(req)
	c.w.timeout = req.WriteTimeout
	c.r.timeout = req.ReadTimeout
	c.writeHead(req)
	if req.ContentLength != 0 && req.Body != nil {
		_, srcErr, dstErr := copyBody(&c.w, req.Body, req.ContentLength)
		if srcErr != nil {
			c.broken = true
			return nil, &SourceError{Err: srcErr}
		}
		if dstErr != nil {
			c.broken = true
			return nil, classify("write", dstErr, reused, c.r.total == 0 || reused && c.nothingSince(0))
		}
	}
	received := c.r.total
	if err := c.w.flush(); err != nil {
		c.broken = true
		return nil, classify("write", err, reused, true)
	}
	if err := c.readResponse(string(req.Method) == "HEAD"); err != nil {
		c.broken = true
		return nil, classify("read", err, reused, c.r.total == received)
	}
	return &c.resp, nil
}

func (c *ClientConn) nothingSince(n int64) bool { return c.r.total == n }

// begin counts a new request on the connection and reports whether the
// connection served one before.
func (c *ClientConn) begin(req *OutRequest) (reused bool) {
	reused = c.uses > 0
	c.uses++
	c.released = false
	c.interim = 0
	c.resp.reset()
	c.closeReq = req.Close
	if n := c.pool.MaxRequestsPerConn; n > 0 && c.uses >= n {
		c.closeReq = true
	}
	return reused
}

// writeHead serializes the request line and fields.
func (c *ClientConn) writeHead(req *OutRequest) {
	w := &c.w
	w.reserve(len(req.Method) + len(req.Target) + 12)
	if len(req.Method)+len(req.Target)+12 <= w.free() {
		w.buf = append(w.buf, req.Method...)
		w.buf = append(w.buf, ' ')
		w.buf = append(w.buf, req.Target...)
		w.buf = append(w.buf, " HTTP/1.1\r\n"...)
	} else {
		_ = w.write(req.Method)
		_ = w.writeString(" ")
		_ = w.write(req.Target)
		_ = w.writeString(" HTTP/1.1\r\n")
	}
	w.writeField(hostName, req.Host)
	if h := req.Header; h != nil {
		for i := range h.fields {
			f := &h.fields[i]
			if skipRequestField(f.Name, c.closeReq) {
				continue
			}
			w.writeField(f.Name, f.Value)
		}
	}
	w.reserve(64)
	switch {
	case req.ContentLength > 0 || req.ContentLength == 0 && methodExpectsBody(req.Method):
		w.buf = append(w.buf, "Content-Length: "...)
		w.buf = appendUint(w.buf, uint64(req.ContentLength))
		w.buf = append(w.buf, "\r\n"...)
	case req.ContentLength < 0:
		w.buf = append(w.buf, "Transfer-Encoding: chunked\r\n"...)
	}
	if c.closeReq {
		w.buf = append(w.buf, "Connection: close\r\n"...)
	}
	w.buf = append(w.buf, "\r\n"...)
}

var hostName = []byte("Host")

func methodExpectsBody(m []byte) bool {
	switch string(m) {
	case "POST", "PUT", "PATCH":
		return true
	}
	return false
}

func skipRequestField(name []byte, closeReq bool) bool {
	switch len(name) {
	case 4:
		return equalFold(name, "Host")
	case 10:
		return closeReq && equalFold(name, "Connection")
	case 14:
		return equalFold(name, "Content-Length")
	case 17:
		return equalFold(name, "Transfer-Encoding")
	}
	return false
}

// copyBody writes exactly length bytes of src (or all of src, chunked,
// when length < 0) into w, reading straight into w's buffer.
func copyBody(w *bufWriter, src io.Reader, length int64) (n int64, srcErr, dstErr error) {
	chunked := length < 0
	for {
		if !chunked && n == length {
			return n, nil, nil
		}
		reserve := 1024
		if chunked {
			reserve += chunkHeaderWidth + 2
		}
		if w.free() < reserve {
			if w.loop {
				w.buf = slices.Grow(w.buf, reserve)
			} else if err := w.flush(); err != nil {
				return n, nil, err
			}
		}
		start := len(w.buf)
		room := w.buf[start:cap(w.buf)]
		if chunked {
			room = w.buf[start+chunkHeaderWidth : cap(w.buf)-2]
		} else if int64(len(room)) > length-n {
			room = room[:length-n]
		}
		m, err := src.Read(room)
		if m > 0 {
			if chunked {
				putChunkHeader(w.buf[start:start+chunkHeaderWidth], m)
				w.buf = w.buf[:start+chunkHeaderWidth+m]
				w.buf = append(w.buf, '\r', '\n')
			} else {
				w.buf = w.buf[:start+m]
			}
			n += int64(m)
		}
		if err == io.EOF {
			if chunked {
				if err := w.writeString("0\r\n\r\n"); err != nil {
					return n, nil, err
				}
				return n, nil, nil
			}
			if n == length {
				return n, nil, nil
			}
			return n, io.ErrUnexpectedEOF, nil
		}
		if err != nil {
			return n, err, nil
		}
		if w.err != nil {
			return n, nil, w.err
		}
	}
}

// readResponse reads the response head, skipping interim responses. On
// an event loop it is called again after errWouldBlock; the count of
// interim responses carries over.
func (c *ClientConn) readResponse(isHead bool) error {
	for {
		if c.interim > maxInformationalResponses {
			return errRespTooMany1xx
		}
		c.resp.header.Reset()
		head, err := c.readHead()
		if err != nil {
			return err
		}
		if err := parseResponseHead(head, &c.resp, c.maxFields); err != nil {
			return err
		}
		if s := c.resp.status; s < 200 && s != 101 {
			c.interim++
			continue
		}
		break
	}
	resp := &c.resp
	switch {
	case resp.status == 101:
		resp.keepAlive = false
		resp.body.reset(&c.r, bodyNone, 0)
	case isHead || resp.status == 204 || resp.status == 304:
		resp.body.reset(&c.r, bodyNone, 0)
	case resp.chunked:
		resp.body.reset(&c.r, bodyChunked, 0)
	case resp.contentLength >= 0:
		resp.body.reset(&c.r, bodyFixed, resp.contentLength)
	default:
		resp.keepAlive = false
		resp.body.reset(&c.r, bodyUntilClose, 0)
	}
	resp.body.upstream = true
	return nil
}

// readHead reads one complete response head.
func (c *ClientConn) readHead() ([]byte, error) {
	r := &c.r
	r.pin = 0
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	from := 0
	for {
		if r.buffered() > 0 {
			if end := headEnd(r.buf[r.r:r.w], from); end >= 0 {
				head := r.buf[r.r : r.r+end]
				r.r += end
				r.pin = r.r
				return head, nil
			}
			from = max(0, r.buffered()-3)
		}
		if err := r.fill(); err != nil {
			switch {
			case err == errBufferFull:
				return nil, errRespTooLarge
			case err == io.EOF && r.buffered() > 0:
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// Release gives the connection back to its pool when the response was
// read completely and the connection can carry another request;
// otherwise it closes it. Call it exactly once per Get, after the
// response body has been consumed (or abandoned). The Response must not
// be used afterwards.
func (c *ClientConn) Release() {
	if c.released || c.hijacked {
		return
	}
	c.released = true
	resp := &c.resp
	reusable := !c.broken && !c.closeReq && resp.keepAlive && resp.body.Done() &&
		c.r.buffered() == 0 && c.r.err == nil && c.w.err == nil && c.uses > 0
	if !reusable {
		c.closeConn()
		return
	}
	// The armed deadlines stay: the next request re-arms or clears them
	// before it blocks, and an idle connection is neither read nor
	// written.
	c.resp.header.Reset()
	if c.ev != nil {
		c.pool.putLoop(c)
		return
	}
	c.pool.put(c)
}

// Close closes the connection instead of returning it to the pool.
func (c *ClientConn) Close() {
	if c.released || c.hijacked {
		return
	}
	c.released = true
	c.closeConn()
}

// Hijack takes over the connection after a 101 response, for tunnelling.
// It returns the connection, with deadlines cleared, and a copy of the
// bytes already read after the response head.
func (c *ClientConn) Hijack() (net.Conn, []byte) {
	c.hijacked = true
	c.released = true
	var rest []byte
	if c.r.buffered() > 0 {
		rest = append([]byte(nil), c.r.buf[c.r.r:c.r.w]...)
		c.r.r = c.r.w
	}
	_ = c.conn.SetDeadline(time.Time{})
	c.r.deadline, c.w.deadline = time.Time{}, time.Time{}
	return c.conn, rest
}

// dropStale closes the connections at the bottom of an idle stack (the
// oldest) for which stale is true, and returns the stack without them.
func dropStale(idle []*ClientConn, stale func(*ClientConn) bool) []*ClientConn {
	n := 0
	for n < len(idle) && stale(idle[n]) {
		idle[n].closeConn()
		n++
	}
	if n == 0 {
		return idle
	}
	rest := copy(idle, idle[n:])
	clear(idle[rest:])
	return idle[:rest]
}
