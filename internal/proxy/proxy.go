// Package proxy is the data plane: it matches each request to a route of
// the current snapshot, forwards it to the route's service over pooled
// keep-alive connections, and relays the response, following Kong's
// header, path and error rules.
//
// One request flow serves every listener. The client side is reached
// through a small internal interface with two implementations: the h1
// engine (internal/h1), used for every HTTP/1.1 listener, plain or TLS,
// and net/http, kept for listeners that offer HTTP/2. Upstream requests
// always go through h1 connection pools.
//
// A service whose host is the name of an upstream is load balanced: each
// attempt takes its address from the upstream's balancer (see balance.go),
// reports its outcome back for passive health checks, and retries avoid
// the addresses that failed.
//
// Failures talking to the upstream are classified once (see
// FailureClass), answered with Kong's status and message, written to the
// error log with the service, route, upstream host and resolved address,
// and shown on the Strait-Upstream-Error header when debug headers are
// allowed.
//
// Access log: one JSON object per line. The uri field keeps query
// parameter names but replaces every value with "REDACTED" (credentials
// such as apikey can be carried under any configured name), and no
// request header is logged, so Authorization and Proxy-Authorization
// never reach the log.
package proxy

import (
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/snapshot"
)

// Proxy serves the proxy listeners: it is an h1.Handler for HTTP/1.1
// listeners and an http.Handler for HTTP/2 ones.
type Proxy struct {
	opts   Options
	snaps  *snapshot.Holder
	trust  trustSet
	log    *slog.Logger
	access *accessLog
	pools  *pools

	serverToken      string // "kong/<version>"
	serverTokenBytes []byte
	viaToken         string // " kong/<version>", written after the protocol

	exchanges sync.Pool
	offLoop   offLoopCounts

	stopSweep chan struct{}
	closeOnce sync.Once
}

// New builds a Proxy serving the snapshots published in snaps.
func New(opts Options, snaps *snapshot.Holder) *Proxy {
	opts.applyDefaults()
	p := &Proxy{
		opts:             opts,
		snaps:            snaps,
		trust:            newTrustSet(opts.TrustedIPs),
		log:              opts.Logger,
		serverToken:      "kong/" + opts.Version,
		serverTokenBytes: []byte("kong/" + opts.Version),
		viaToken:         " kong/" + opts.Version,
		stopSweep:        make(chan struct{}),
	}
	if p.log == nil {
		p.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if opts.AccessLog != nil {
		p.access = newAccessLog(opts.AccessLog)
	}
	p.pools = newPools(&p.opts)
	p.exchanges.New = func() any { return newExchange(p) }
	go p.sweepLoop()
	return p
}

// sweepLoop drops upstream pools left unused by configuration changes.
func (p *Proxy) sweepLoop() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-p.stopSweep:
			return
		case now := <-t.C:
			p.pools.sweep(now.Add(-5 * time.Minute))
		}
	}
}

// Close flushes the access log, closes idle upstream connections and
// stops background work. Call it after the listeners were shut down.
func (p *Proxy) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.stopSweep)
		p.pools.closeIdle()
		if p.access != nil {
			err = p.access.Close()
		}
	})
	return err
}

// Flush writes buffered access log lines to the access log writer.
func (p *Proxy) Flush() error {
	if p.access == nil {
		return nil
	}
	return p.access.Flush()
}

// serve is the request flow with blocking I/O, shared by the engines
// that run a goroutine per request: ex.in and ex.down are set, the rest
// of ex is fresh. Event loops run the same stages without blocking (see
// serveLoop).
func (p *Proxy) serve(ex *exchange) {
	p.inspect(ex)
	defer p.finishRecovering(ex)
	ex.snap = p.snaps.Load()
	p.serveRouted(ex)
}

// finishRecovering, deferred, ends a request served on a goroutine: a
// panic of its flow (a plugin bug) is logged and answered (see
// panicked) instead of taking the connection or the process down, then
// the log phase and access log run.
func (p *Proxy) finishRecovering(ex *exchange) {
	if v := recover(); v != nil {
		p.panicked(ex, v)
	}
	p.finish(ex)
}

// serveRouted routes the request (ex.snap is set) and serves it.
func (p *Proxy) serveRouted(ex *exchange) {
	if p.route(ex) {
		return
	}
	p.serveAccess(ex)
}

// serveAccess runs the access phase and forwards the request.
func (p *Proxy) serveAccess(ex *exchange) {
	if p.accessPlugins(ex) {
		return
	}
	p.forward(ex)
}

// route runs the request up to its access phase: the rewrite phase,
// route matching and the https-only check. It reports whether the
// request was answered on the way.
func (p *Proxy) route(ex *exchange) (answered bool) {
	snap := ex.snap
	if p.startPlugins(ex) {
		return true
	}
	if snap == nil || snap.Router == nil || !snap.Router.Match(&ex.rreq, &ex.match) {
		p.respondError(ex, http.StatusNotFound, msgNoRoute, producerRunloop)
		return true
	}
	route, _ := ex.match.Route.Data.(*snapshot.Route)
	if route == nil {
		p.respondError(ex, http.StatusNotFound, msgNoRoute, producerRunloop)
		return true
	}
	ex.route = route
	if p.requiresHTTPS(ex) {
		p.redirectToHTTPS(ex)
		return true
	}
	if route.Service == nil {
		p.respondError(ex, http.StatusServiceUnavailable, msgNoService, producerRunloop)
		return true
	}
	ex.service = route.Service
	return false
}

// requiresHTTPS reports a plain-http request on a route that only accepts
// https (X-Forwarded-Proto counts when the peer is trusted).
func (p *Proxy) requiresHTTPS(ex *exchange) bool {
	protos := ex.route.Protocols
	if len(protos) == 0 || slices.Contains(protos, "http") || !slices.Contains(protos, "https") {
		return false
	}
	if ex.scheme == "https" {
		return false
	}
	if ex.trusted {
		if xfp := ex.in.header.Peek("X-Forwarded-Proto"); len(xfp) > 0 && eqFold(xfp, "https") {
			return false
		}
	}
	return true
}

func (p *Proxy) redirectToHTTPS(ex *exchange) {
	code := ex.route.HTTPSRedirectStatusCode
	h := ex.down.header()
	switch code {
	case 301, 302, 307, 308:
		start := len(ex.respBuf)
		b := append(ex.respBuf, "https://"...)
		if xfh := ex.in.header.Peek("X-Forwarded-Host"); ex.trusted && len(xfh) > 0 {
			b = append(b, xfh...)
		} else {
			b = appendLower(b, ex.host)
		}
		b = append(b, ex.in.target...)
		ex.respBuf = b
		h.AppendField(nameLocation, b[start:len(b):len(b)])
		p.setGeneratedHeaders(ex, h)
		ex.down.writeHead(code, 0)
		ex.status = code
	default:
		h.AppendField(nameConnection, valueUpgrade)
		h.AppendField(nameUpgrade, valueUpgradeTLS)
		p.respondError(ex, http.StatusUpgradeRequired, msgUseHTTPS, producerRunloop)
	}
}

// respondError writes a gateway-generated error response.
func (p *Proxy) respondError(ex *exchange, status int, msg string, prod errorProducer) {
	in := &ex.in
	accept := joinedValue(in.header, "Accept", &ex.buf)
	format := negotiateFormat(prod, accept, in.header.Get("Content-Type"), p.opts.ErrorDefaultType)
	start := len(ex.buf)
	ex.buf = appendErrorBody(ex.buf, format, msg, ex.id)
	body := ex.buf[start:]
	h := ex.down.header()
	_ = h.Set("Content-Type", format.contentType())
	p.setGeneratedHeaders(ex, h)
	status = p.filterHeaders(ex, status, plugin.SourceError)
	body = p.filterWholeBody(ex, body)
	ex.down.writeHead(status, int64(len(body)))
	n, _ := ex.down.write(body)
	ex.status = status
	if in.method != http.MethodHead {
		ex.bytesSent = int64(n)
	}
}

// setGeneratedHeaders adds the headers of responses the gateway produces.
func (p *Proxy) setGeneratedHeaders(ex *exchange, h *h1.Header) {
	if p.opts.LatencyTokens {
		start := len(ex.respBuf)
		ex.respBuf = strconv.AppendInt(ex.respBuf, time.Since(ex.start).Milliseconds(), 10)
		setField(h, nameResponseLatency, ex.respBuf[start:len(ex.respBuf):len(ex.respBuf)])
	}
	if p.opts.ServerTokens {
		setField(h, nameServer, p.serverTokenBytes)
	}
	if p.opts.RequestIDHeader {
		setField(h, nameRequestID, ex.idBuf[:])
	}
	setHashCookie(ex, h)
	p.setDebugHeaders(ex, h)
}

// setDebugHeaders adds the Kong-Debug headers and the failure class.
func (p *Proxy) setDebugHeaders(ex *exchange, h *h1.Header) {
	if !ex.debug {
		return
	}
	if ex.route != nil {
		_ = h.Set("Kong-Route-Id", ex.route.ID)
		if ex.route.Name != "" {
			_ = h.Set("Kong-Route-Name", ex.route.Name)
		}
		if s := ex.route.Service; s != nil {
			_ = h.Set("Kong-Service-Id", s.ID)
			if s.Name != "" {
				_ = h.Set("Kong-Service-Name", s.Name)
			}
		}
	}
	if ex.failure != FailNone {
		_ = h.Set("Strait-Upstream-Error", string(ex.failure))
	}
}
