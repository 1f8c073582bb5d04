package proxy

import (
	"bytes"
	"io"
	"net/netip"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/snapshot"
)

// attempt records one try to reach the upstream.
type attempt struct {
	addr  netip.AddrPort
	class FailureClass
}

// inbound describes the client request in engine-neutral terms. Byte
// slices and string views point into engine memory that stays valid
// until the request is finished; nothing here is kept afterwards.
type inbound struct {
	method    string
	target    []byte // the request target as sent
	path      []byte // raw path, query removed
	query     []byte // raw query without "?"
	hasQuery  bool   // "?" present (possibly with an empty query)
	host      []byte // Host header (or absolute-form authority), with port
	header    *h1.Header
	body      io.Reader // nil when the request has no body
	length    int64     // body length, -1 when chunked or unknown
	protoMaj  int
	protoMin  int
	peer      netip.AddrPort
	localPort int
	tls       bool
	sni       string
	upgrade   bool // the client asks for a protocol switch
}

// exchange is the per-request state, recycled through a sync.Pool. It
// holds everything the logs and headers need once the request is done,
// and the scratch buffers the request flow reuses, so that a request
// served without plugins does not allocate. What belongs to one request
// is in the embedded requestState, cleared in one assignment; the rest
// is storage kept across requests.
type exchange struct {
	requestState

	p        *Proxy
	escapeFn func() // runEscaped, bound once
	use      uint64 // counts the requests the exchange served (recycle)

	run       plugin.Run
	pc        pluginCtx
	match     router.Match
	outHeader h1.Header
	replay    bytes.Reader
	hd        *httpDownstream // net/http adapter state, created on first use
	tries     []attempt
	excluded  []balancer.Address

	buf     []byte // error bodies and the access log line
	fwd     []byte // values of the gateway's upstream request headers
	respBuf []byte // values of the response headers
	copyBuf []byte // body filter scratch, allocated on first use
}

// requestState is what an exchange knows of one request.
type requestState struct {
	start time.Time
	mono  int64 // loop clock at start, for requests on an event loop
	idBuf [32]byte
	id    string // view of idBuf

	// loop is the event loop serving the request, nil when a goroutine
	// does (see loop.go); rest is the part of the flow an escape from the
	// loop runs.
	loop *h1.Loop
	rest func(*Proxy, *exchange)

	in   inbound
	down downstream
	h1d  h1Downstream

	// Client side, derived from in.
	client  netip.Addr
	trusted bool
	scheme  string
	host    string // Host without port (view)
	port    int    // Host port, or the listener port
	rawPath string // view of in.path
	debug   bool

	// Configuration and plugins. plugins is true when the snapshot has
	// enabled plugins and the phases run; bodyFilter when the collected
	// instances filter the response body.
	snap       *snapshot.Snapshot
	plugins    bool
	bodyFilter bool

	// Routing.
	rreq    router.Request
	route   *snapshot.Route
	service *snapshot.Service

	// Upstream side.
	fw              fwdState
	upstreamHost    string
	upstreamScheme  string
	upstreamAddr    netip.AddrPort
	upstreamTarget  []byte // path and query sent by the last attempt
	proxyLatency    time.Duration
	upstreamLatency time.Duration
	out             h1.OutRequest
	src             countingReader

	// Load balancing, when the service host names an upstream: its
	// balancer, the address of the current attempt, and the hash cookie
	// generated for a request that lacked it.
	bal        *balancer.Balancer
	peer       balancer.Address
	hashIn     hashInput
	hashCookie hashCookie

	// Outcome.
	status    int
	bytesSent int64
	failure   FailureClass
}

func newExchange(p *Proxy) *exchange {
	ex := &exchange{
		p:       p,
		tries:   make([]attempt, 0, 4),
		buf:     make([]byte, 0, 1024),
		fwd:     make([]byte, 0, 512),
		respBuf: make([]byte, 0, 1024),
	}
	ex.escapeFn = ex.runEscaped
	return ex
}

// reset forgets the request, keeping reusable storage.
func (ex *exchange) reset() {
	if ex.plugins {
		ex.run.Start(nil) // drop references to the old configuration
		ex.pc.reset()
	}
	ex.requestState = requestState{}
	ex.outHeader.Reset()
	ex.replay.Reset(nil)
	clear(ex.excluded)
	ex.excluded = ex.excluded[:0]
	if ex.hd != nil {
		ex.hd.reset()
	}
	clear(ex.tries)
	ex.tries = ex.tries[:0]
	ex.buf = ex.buf[:0]
	ex.fwd = ex.fwd[:0]
	ex.respBuf = ex.respBuf[:0]
}

// begin stamps the request start and its id; loop is the event loop
// serving the request, nil for a goroutine.
func (ex *exchange) begin(loop *h1.Loop) {
	ex.loop = loop
	if loop != nil {
		ex.start = loop.Now()
		ex.mono = loop.Nanotime()
	} else {
		ex.start = time.Now()
	}
	newRequestID(&ex.idBuf)
	ex.id = h1.ViewString(ex.idBuf[:])
}

// sinceStart is the time since the request started: by the loop's
// clock on an event loop, else by the system's.
func (ex *exchange) sinceStart() time.Duration {
	if ex.loop != nil {
		return time.Duration(ex.loop.Nanotime() - ex.mono)
	}
	return time.Since(ex.start)
}

// inspect derives the client-side fields from the inbound request.
func (p *Proxy) inspect(ex *exchange) {
	in := &ex.in
	ex.trusted = p.trust.contains(in.peer.Addr())
	ex.client = in.peer.Addr()
	if p.opts.RealIPHeader != "" && ex.trusted {
		ex.client = realClientAddr(ex.client, in.header, p.opts.RealIPHeader, p.opts.RealIPRecursive, p.trust)
	}
	ex.scheme = "http"
	if in.tls {
		ex.scheme = "https"
	}
	host, port := h1.SplitHostPort(in.host)
	ex.host = h1.ViewString(host)
	if port == 0 {
		port = in.localPort
	}
	ex.port = port
	ex.rawPath = h1.ViewString(in.path)
	ex.debug = p.opts.AllowDebugHeader && len(in.header.Peek("Kong-Debug")) > 0
	ex.rreq = router.Request{
		Method:  in.method,
		Host:    ex.host,
		Port:    port,
		Path:    ex.rawPath,
		Headers: in.header,
		Scheme:  ex.scheme,
		SNI:     in.sni,
	}
}

// countingReader passes reads through and remembers whether any byte was
// taken, so a retry knows whether the client body is still intact.
type countingReader struct {
	r    io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}
