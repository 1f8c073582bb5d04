package proxy

import (
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/snapshot"
)

// attempt records one try to reach the upstream.
type attempt struct {
	addr  netip.AddrPort
	class FailureClass
}

// exchange is the per-request state, recycled through a sync.Pool. It
// holds everything the logs and headers need once the request is done.
type exchange struct {
	start time.Time
	idBuf [32]byte
	id    string

	// Client side.
	peer       netip.AddrPort
	client     netip.Addr
	trusted    bool
	scheme     string
	host       string // Host without port
	listenPort int
	rawPath    string // request path as sent, query removed
	debug      bool

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
	upstreamHost    string
	upstreamScheme  string
	upstreamAddr    netip.AddrPort
	tries           []attempt
	proxyLatency    time.Duration
	upstreamLatency time.Duration
	outReq          *http.Request
	keepaliveLimit  int64
	trace           httptrace.ClientTrace

	// Outcome.
	status    int
	bytesSent int64
	failure   FailureClass

	buf []byte // scratch for error bodies and the access log line
}

func newExchange() *exchange {
	ex := &exchange{tries: make([]attempt, 0, 4), buf: make([]byte, 0, 1024)}
	ex.trace.GotConn = ex.gotConn
	return ex
}

// gotConn records the upstream address and retires connections that
// reached the keep-alive request limit.
func (ex *exchange) gotConn(info httptrace.GotConnInfo) {
	ex.upstreamAddr = remoteAddrPort(info.Conn)
	if cc, ok := info.Conn.(*countedConn); ok && ex.outReq != nil {
		if cc.uses.Add(1) >= ex.keepaliveLimit {
			ex.outReq.Close = true
		}
	}
}

func (ex *exchange) reset() {
	tries, buf := ex.tries[:0], ex.buf[:0]
	trace := ex.trace
	ex.run.Start(nil) // drop references to the old configuration
	ex.pc.reset()
	*ex = exchange{tries: tries, buf: buf, trace: trace, run: ex.run, pc: ex.pc}
}

// inspect fills the client-side fields from the request.
func (p *Proxy) inspect(ex *exchange, r *http.Request) {
	ex.peer = parsePeer(r.RemoteAddr)
	ex.trusted = p.trust.contains(ex.peer.Addr())
	ex.client = ex.peer.Addr()
	if p.opts.RealIPHeader != "" {
		ex.client = realClientAddr(ex.client, ex.trusted, r.Header.Values(p.opts.RealIPHeader), p.opts.RealIPRecursive, p.trust)
	}
	ex.scheme = "http"
	sni := ""
	if r.TLS != nil {
		ex.scheme = "https"
		sni = r.TLS.ServerName
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		ex.listenPort = la.Port
	}
	host, port := splitHost(r.Host)
	ex.host = host
	if port == 0 {
		port = ex.listenPort
	}
	ex.rawPath = requestPath(r)
	ex.debug = p.opts.AllowDebugHeader && r.Header.Get("Kong-Debug") != ""
	ex.rreq = router.Request{
		Method:  r.Method,
		Host:    host,
		Port:    port,
		Path:    ex.rawPath,
		Headers: r.Header,
		Scheme:  ex.scheme,
		SNI:     sni,
	}
}

// splitHost splits a Host header into name and port; the port is 0 when
// absent or not numeric (then the whole value is the name).
func splitHost(hostHeader string) (string, int) {
	if strings.HasPrefix(hostHeader, "[") {
		end := strings.IndexByte(hostHeader, ']')
		if end < 0 {
			return hostHeader, 0
		}
		name, rest := hostHeader[:end+1], hostHeader[end+1:]
		if strings.HasPrefix(rest, ":") {
			if port, err := strconv.Atoi(rest[1:]); err == nil && port > 0 && port < 65536 {
				return name, port
			}
		}
		return name, 0
	}
	i := strings.IndexByte(hostHeader, ':')
	if i < 0 {
		return hostHeader, 0
	}
	port, err := strconv.Atoi(hostHeader[i+1:])
	if err != nil || port <= 0 || port > 65535 {
		return hostHeader, 0
	}
	return hostHeader[:i], port
}

// requestPath returns the path as the client sent it, without the query.
func requestPath(r *http.Request) string {
	uri := r.RequestURI
	if strings.HasPrefix(uri, "/") {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			return uri[:i]
		}
		return uri
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}
