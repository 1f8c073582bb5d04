// Package proxy is the data plane: it matches each request to a route of
// the current snapshot, forwards it to the route's service over pooled
// keep-alive connections, and relays the response, following Kong's
// header, path and error rules.
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

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/snapshot"
)

// Proxy is an http.Handler serving the proxy listener.
type Proxy struct {
	opts   Options
	snaps  *snapshot.Holder
	trust  trustSet
	log    *slog.Logger
	access *accessLog
	pools  *pools

	serverToken string // "kong/<version>"
	viaToken    string // "kong/<version>" as written after the protocol

	exchanges sync.Pool
	copyBufs  sync.Pool

	stopSweep chan struct{}
	closeOnce sync.Once
}

// New builds a Proxy serving the snapshots published in snaps.
func New(opts Options, snaps *snapshot.Holder) *Proxy {
	opts.applyDefaults()
	p := &Proxy{
		opts:        opts,
		snaps:       snaps,
		trust:       newTrustSet(opts.TrustedIPs),
		log:         opts.Logger,
		serverToken: "kong/" + opts.Version,
		viaToken:    " kong/" + opts.Version,
		stopSweep:   make(chan struct{}),
	}
	if p.log == nil {
		p.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if opts.AccessLog != nil {
		p.access = newAccessLog(opts.AccessLog)
	}
	p.pools = &pools{opts: &p.opts, resolver: opts.Resolver}
	p.exchanges.New = func() any { return newExchange() }
	p.copyBufs.New = func() any { b := make([]byte, 32<<10); return &b }
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
// stops background work. Call it after http.Server.Shutdown returned.
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

// ServeHTTP proxies one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := p.exchanges.Get().(*exchange)
	defer p.exchanges.Put(ex)
	defer ex.reset()
	ex.start = time.Now()
	newRequestID(&ex.idBuf)
	ex.id = string(ex.idBuf[:])
	p.inspect(ex, r)
	defer p.finish(ex, r)

	if status, msg, closeConn := p.checkLimits(r); status != 0 {
		if closeConn {
			w.Header()["Connection"] = []string{"close"}
		}
		p.respondError(ex, w, r, status, msg, producerServer)
		return
	}

	snap := p.snaps.Load()
	ex.snap = snap
	if p.startPlugins(ex, w, r) {
		return
	}
	if snap == nil || snap.Router == nil || !snap.Router.Match(&ex.rreq, &ex.match) {
		p.respondError(ex, w, r, http.StatusNotFound, msgNoRoute, producerRunloop)
		return
	}
	route, _ := ex.match.Route.Data.(*snapshot.Route)
	if route == nil {
		p.respondError(ex, w, r, http.StatusNotFound, msgNoRoute, producerRunloop)
		return
	}
	ex.route = route
	if p.requiresHTTPS(ex, r) {
		p.redirectToHTTPS(ex, w, r)
		return
	}
	if route.Service == nil {
		p.respondError(ex, w, r, http.StatusServiceUnavailable, msgNoService, producerRunloop)
		return
	}
	ex.service = route.Service
	if p.accessPlugins(ex, w, r) {
		return
	}
	p.forward(ex, w, r)
}

// requiresHTTPS reports a plain-http request on a route that only accepts
// https (X-Forwarded-Proto counts when the peer is trusted).
func (p *Proxy) requiresHTTPS(ex *exchange, r *http.Request) bool {
	protos := ex.route.Protocols
	if len(protos) == 0 || slices.Contains(protos, "http") || !slices.Contains(protos, "https") {
		return false
	}
	if ex.scheme == "https" {
		return false
	}
	if ex.trusted {
		if xfp := r.Header.Get("X-Forwarded-Proto"); xfp != "" && equalFoldASCII(xfp, "https") {
			return false
		}
	}
	return true
}

func (p *Proxy) redirectToHTTPS(ex *exchange, w http.ResponseWriter, r *http.Request) {
	code := ex.route.HTTPSRedirectStatusCode
	switch code {
	case 301, 302, 307, 308:
		host := toLowerASCII(ex.host)
		if ex.trusted {
			if xfh := r.Header.Get("X-Forwarded-Host"); xfh != "" {
				host = xfh
			}
		}
		h := w.Header()
		h["Location"] = []string{"https://" + host + r.RequestURI}
		h["Content-Length"] = []string{"0"}
		p.setGeneratedHeaders(ex, h)
		w.WriteHeader(code)
		ex.status = code
	default:
		h := w.Header()
		h["Connection"] = []string{"Upgrade"}
		h["Upgrade"] = []string{"TLS/1.2, HTTP/1.1"}
		p.respondError(ex, w, r, http.StatusUpgradeRequired, msgUseHTTPS, producerRunloop)
	}
}

// Shared header values (never mutated).
var (
	contentTypes = [...][]string{
		formatJSON:  {formatJSON.contentType()},
		formatPlain: {formatPlain.contentType()},
		formatHTML:  {formatHTML.contentType()},
		formatXML:   {formatXML.contentType()},
	}
)

// respondError writes a gateway-generated error response.
func (p *Proxy) respondError(ex *exchange, w http.ResponseWriter, r *http.Request, status int, msg string, prod errorProducer) {
	format := negotiateFormat(prod, joinValues(r.Header["Accept"]), r.Header.Get("Content-Type"), p.opts.ErrorDefaultType)
	ex.buf = appendErrorBody(ex.buf[:0], format, msg, ex.id)
	h := w.Header()
	h["Content-Type"] = contentTypes[format]
	p.setGeneratedHeaders(ex, h)
	status = p.filterHeaders(ex, h, status, plugin.SourceError)
	body := p.filterWholeBody(ex, ex.buf)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	n, _ := w.Write(body)
	ex.status = status
	ex.bytesSent = int64(n)
}

// setGeneratedHeaders adds the headers of responses the gateway produces.
func (p *Proxy) setGeneratedHeaders(ex *exchange, h http.Header) {
	if p.opts.LatencyTokens {
		h["X-Kong-Response-Latency"] = []string{strconv.FormatInt(time.Since(ex.start).Milliseconds(), 10)}
	}
	if p.opts.ServerTokens {
		h["Server"] = []string{p.serverToken}
	}
	if p.opts.RequestIDHeader {
		h["X-Kong-Request-Id"] = []string{ex.id}
	}
	p.setDebugHeaders(ex, h)
}

// setDebugHeaders adds the Kong-Debug headers and the failure class.
func (p *Proxy) setDebugHeaders(ex *exchange, h http.Header) {
	if !ex.debug {
		return
	}
	if ex.route != nil {
		h["Kong-Route-Id"] = []string{ex.route.ID}
		if ex.route.Name != "" {
			h["Kong-Route-Name"] = []string{ex.route.Name}
		}
		if s := ex.route.Service; s != nil {
			h["Kong-Service-Id"] = []string{s.ID}
			if s.Name != "" {
				h["Kong-Service-Name"] = []string{s.Name}
			}
		}
	}
	if ex.failure != FailNone {
		h["Strait-Upstream-Error"] = []string{string(ex.failure)}
	}
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
