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
// served without plugins does not allocate.
type exchange struct {
	p     *Proxy
	start time.Time
	idBuf [32]byte
	id    string // view of idBuf

	// loop is the event loop serving the request, nil when a goroutine
	// does (see loop.go); rest is the part of the flow an escape from the
	// loop runs, and escapeFn the bound method that runs it.
	loop     *h1.Loop
	rest     func(*exchange)
	escapeFn func()

	in   inbound
	down downstream
	h1d  h1Downstream
	hd   *httpDownstream // net/http adapter state, created on first use

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
	run        plugin.Run
	pc         pluginCtx

	// Routing.
	rreq    router.Request
	match   router.Match
	route   *snapshot.Route
	service *snapshot.Service

	// Upstream side.
	fw              fwdState
	upstreamHost    string
	upstreamScheme  string
	upstreamAddr    netip.AddrPort
	upstreamTarget  []byte // path and query sent by the last attempt
	tries           []attempt
	proxyLatency    time.Duration
	upstreamLatency time.Duration
	outHeader       h1.Header
	out             h1.OutRequest
	src             countingReader
	replay          bytes.Reader
	respTmp         h1.Header

	// Load balancing, when the service host names an upstream: its
	// balancer, the address of the current attempt, the addresses that
	// failed, and the hash cookie generated for a request that lacked it.
	bal        *balancer.Balancer
	peer       balancer.Address
	excluded   []balancer.Address
	hashIn     hashInput
	hashCookie hashCookie

	// Outcome.
	status    int
	bytesSent int64
	failure   FailureClass

	buf     []byte // error bodies and the access log line
	fwd     []byte // values of the gateway's upstream request headers
	respBuf []byte // values of the response headers
	copyBuf []byte // body filter scratch, allocated on first use
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
	keep := *ex
	ex.run.Start(nil) // drop references to the old configuration
	ex.pc.reset()
	keep.outHeader.Reset()
	keep.respTmp.Reset()
	keep.replay.Reset(nil)
	clear(keep.excluded)
	if keep.hd != nil {
		keep.hd.reset()
	}
	*ex = exchange{
		p: keep.p, escapeFn: keep.escapeFn,
		tries: keep.tries[:0], buf: keep.buf[:0], fwd: keep.fwd[:0], respBuf: keep.respBuf[:0],
		copyBuf: keep.copyBuf, run: ex.run, pc: ex.pc, outHeader: keep.outHeader, respTmp: keep.respTmp,
		replay: keep.replay, hd: keep.hd, match: keep.match, excluded: keep.excluded[:0],
	}
}

// begin stamps the request start and its id.
func (ex *exchange) begin() {
	ex.start = time.Now()
	newRequestID(&ex.idBuf)
	ex.id = h1.ViewString(ex.idBuf[:])
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
