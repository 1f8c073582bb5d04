package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// forward sends the request to the matched service, retrying connection
// failures, and relays the response.
func (p *Proxy) forward(ex *exchange, w http.ResponseWriter, r *http.Request) {
	svc := ex.service
	route := ex.route
	verify := p.opts.ProxySSLVerify
	if svc.TLSVerify != nil {
		verify = *svc.TLSVerify
	}
	hostHeader := upstreamHostHeader(r.Host, svc.Host, svc.Port, svc.Protocol, route.PreserveHost)
	key := poolKey{
		scheme:         svc.Protocol,
		host:           svc.Host,
		port:           svc.Port,
		verify:         verify,
		connectTimeout: svc.ConnectTimeout,
		readTimeout:    svc.ReadTimeout,
	}
	if key.scheme == "https" {
		key.sni, _ = splitHost(hostHeader)
		key.sni = strings.Trim(key.sni, "[]")
	}
	pool := p.pools.get(key, ex.start)
	ex.upstreamHost = svc.Host
	ex.upstreamScheme = svc.Protocol
	ex.keepaliveLimit = int64(p.opts.UpstreamKeepaliveRequests)

	header := make(http.Header, len(r.Header)+12)
	fv := p.forwardedValues(ex, r)
	buildUpstreamHeader(header, r.Header, &fv, p.opts.UpstreamRequestID)

	target := &url.URL{Scheme: svc.Protocol, Host: authority(svc.Host, svc.Port)}
	if ex.plugins && ex.pc.pathSet {
		setUpstreamPath(target, (&url.URL{Path: ex.pc.upstreamPath}).EscapedPath())
	} else {
		setUpstreamPath(target, ex.match.UpstreamPath(svc.Path))
	}
	target.RawQuery = r.URL.RawQuery
	target.ForceQuery = r.URL.ForceQuery

	hasBody := r.Body != nil && r.Body != http.NoBody && (r.ContentLength != 0 || len(r.TransferEncoding) > 0)
	var buffered []byte
	isBuffered := false
	var src io.Reader = r.Body
	if ex.plugins {
		if ex.pc.bodyReadFailed() {
			ex.failure = FailClientAbort
			ex.status = statusClientClosed
			return
		}
		var prefix []byte
		buffered, isBuffered, prefix = ex.pc.upstreamBody()
		if prefix != nil {
			src = io.MultiReader(bytes.NewReader(prefix), r.Body)
		}
		if isBuffered {
			// A plugin buffered or replaced the body: it travels with a
			// Content-Length of its own.
			hasBody = len(buffered) > 0 || r.ContentLength > 0 || len(r.TransferEncoding) > 0
			delete(header, "Transfer-Encoding")
		}
	}
	ex.proxyLatency = time.Since(ex.start)

	for try := 1; ; try++ {
		ctx, cancel := context.WithCancelCause(r.Context())
		out := &http.Request{
			Method:     r.Method,
			URL:        target,
			Proto:      "HTTP/1.1",
			ProtoMajor: 1,
			ProtoMinor: 1,
			Header:     header,
			Host:       hostHeader,
		}
		var body *requestBody
		switch {
		case isBuffered && hasBody:
			out.Body = io.NopCloser(bytes.NewReader(buffered))
			out.ContentLength = int64(len(buffered))
			if out.ContentLength == 0 {
				out.Body = http.NoBody
			}
		case hasBody:
			body = newRequestBody(src, svc.WriteTimeout, cancel)
			out.Body = body
			out.ContentLength = r.ContentLength
		}
		out = out.WithContext(httptrace.WithClientTrace(ctx, &ex.trace))
		ex.outReq = out
		ex.upstreamAddr = netip.AddrPort{}

		sent := time.Now()
		resp, err := pool.transport.RoundTrip(out)
		if err == nil {
			ex.upstreamLatency = time.Since(sent)
			ex.tries = append(ex.tries, attempt{addr: ex.upstreamAddr})
			p.relay(ex, w, r, resp, ctx, cancel, svc.ReadTimeout)
			cancel(nil)
			return
		}
		class := classify(err, context.Cause(ctx), r.Context().Err() != nil)
		cancel(nil)
		var de *dialError
		var te *tlsError
		if errors.As(err, &de) {
			ex.upstreamAddr = de.addr
		} else if errors.As(err, &te) {
			ex.upstreamAddr = te.addr
		}
		ex.tries = append(ex.tries, attempt{addr: ex.upstreamAddr, class: class})
		ex.failure = class
		p.logFailure(ex, try, class, err)
		if try <= svc.Retries && class.retriable() && (body == nil || body.detachUntouched()) {
			continue
		}
		status, msg := class.response()
		if class == FailClientAbort {
			ex.status = status
			return
		}
		p.respondError(ex, w, r, status, msg, producerServer)
		return
	}
}

// upstreamHostHeader returns the Host sent upstream: the client's with
// preserve_host, else the service host plus a non-default port.
func upstreamHostHeader(clientHost, host string, port int, scheme string, preserve bool) string {
	if preserve && clientHost != "" {
		return clientHost
	}
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) {
		return host
	}
	return authority(host, port)
}

// setUpstreamPath stores an already escaped path in u so that it is sent
// byte for byte.
func setUpstreamPath(u *url.URL, escaped string) {
	if !strings.HasPrefix(escaped, "//") {
		u.Opaque = escaped
		return
	}
	// An opaque value starting with "//" would be read as an authority.
	if unescaped, err := url.PathUnescape(escaped); err == nil {
		u.Path, u.RawPath = unescaped, escaped
		return
	}
	u.Path = escaped
}

// forwardedValues computes the X-Forwarded-* family, X-Real-IP and Via.
func (p *Proxy) forwardedValues(ex *exchange, r *http.Request) forwardedValues {
	h := r.Header
	fv := forwardedValues{RealIP: ex.client.String(), RequestID: ex.id}
	if xff := h["X-Forwarded-For"]; len(xff) > 0 {
		fv.For = joinValues(xff) + ", " + ex.peer.Addr().String()
	} else {
		fv.For = fv.RealIP
	}
	fv.Proto = p.trustedOr(ex, h, "X-Forwarded-Proto", ex.scheme)
	fv.Host = p.trustedOr(ex, h, "X-Forwarded-Host", toLowerASCII(ex.host))
	fv.Port = p.trustedOr(ex, h, "X-Forwarded-Port", strconv.Itoa(ex.listenPort))
	fv.Path = p.trustedOr(ex, h, "X-Forwarded-Path", ex.rawPath)
	prefix := ""
	if ex.match.Stripped() && ex.match.Prefix != "/" {
		prefix = ex.match.Prefix
	}
	fv.Prefix = p.trustedOr(ex, h, "X-Forwarded-Prefix", prefix)

	proto := "1.1"
	switch {
	case r.ProtoMajor == 2:
		proto = "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		proto = "1.0"
	}
	if via := h["Via"]; len(via) > 0 {
		fv.Via = joinValues(via) + ", " + proto + p.viaToken
	} else {
		fv.Via = proto + p.viaToken
	}
	if headerHasToken(h["Te"], "trailers") {
		fv.TE = "trailers"
	}
	if headerHasToken(h["Connection"], "upgrade") && headerHasToken(h["Upgrade"], "websocket") {
		fv.Upgrade = "websocket"
	}
	return fv
}

// trustedOr returns the client's header value when the peer is trusted
// and sent it, otherwise def.
func (p *Proxy) trustedOr(ex *exchange, h http.Header, name, def string) string {
	if ex.trusted {
		if vv := h[name]; len(vv) > 0 && vv[0] != "" {
			return vv[0]
		}
	}
	return def
}

// logFailure writes one upstream failure to the error log.
func (p *Proxy) logFailure(ex *exchange, try int, class FailureClass, err error) {
	attrs := []slog.Attr{
		slog.String("request_id", ex.id),
		slog.String("class", string(class)),
		slog.Int("attempt", try),
		slog.String("upstream_host", ex.upstreamHost),
		slog.String("error", err.Error()),
	}
	if ex.upstreamAddr.IsValid() {
		attrs = append(attrs, slog.String("upstream_addr", ex.upstreamAddr.String()))
	}
	if s := ex.service; s != nil {
		attrs = append(attrs, slog.String("service_id", s.ID), slog.String("service_name", s.Name))
	}
	if rt := ex.route; rt != nil {
		attrs = append(attrs, slog.String("route_id", rt.ID), slog.String("route_name", rt.Name))
	}
	p.log.LogAttrs(context.Background(), slog.LevelError, "upstream request failed", attrs...)
}

// requestBody streams the client body upstream. It enforces the write
// timeout between reads and lets a retry take over the body when the
// previous attempt never read from it.
type requestBody struct {
	src     io.Reader
	timeout time.Duration
	timer   *time.Timer
	state   atomicState
}

func newRequestBody(src io.Reader, timeout time.Duration, cancel context.CancelCauseFunc) *requestBody {
	b := &requestBody{src: src, timeout: timeout}
	if timeout > 0 {
		b.timer = time.AfterFunc(timeout, func() { cancel(errWriteTimeout) })
		b.timer.Stop()
	}
	return b
}

// Read reads from the client body, arming the write timer.
func (b *requestBody) Read(p []byte) (int, error) {
	if !b.state.begin() {
		return 0, errBodyDetached
	}
	if b.timer != nil {
		b.timer.Reset(b.timeout)
	}
	n, err := b.src.Read(p)
	if err != nil && b.timer != nil {
		b.timer.Stop()
	}
	return n, err
}

// Close stops the timer; the client body itself is closed by net/http.
func (b *requestBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	return nil
}

// detachUntouched reports whether the body was never read and, if so,
// prevents any later read through this wrapper.
func (b *requestBody) detachUntouched() bool { return b.state.detach() }

var errBodyDetached = errors.New("request body handed to another attempt")
