package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/h1"
)

// maxStaleRetries bounds the transparent retries of a request whose
// reused keep-alive connection turned out to be closed by the upstream.
const maxStaleRetries = 3

// fwdState is the forwarding of one request: what every attempt shares
// (pool key, Host, body) and where the attempts stand. It lives in the
// exchange, so the event-loop driver can resume it from callbacks.
type fwdState struct {
	key            poolKey
	pool           *upstreamPool
	hostHeader     []byte
	hostPerAttempt bool
	body           io.Reader
	length         int64
	replayable     bool
	replay         bool // body is ex.replay, rewound for every attempt
	method         string
	try            int // attempts made, the current one included
	stale          int // transparent retries on stale keep-alive connections
	picked         bool
	sent           time.Duration  // when the attempt was sent, since the start
	uc             *h1.ClientConn // connection of the current attempt
	status         int            // upstream status of the relayed response
	filterBuf      *[]byte        // body of a response filtered as a whole
}

// forward sends the request to the matched service, retrying connection
// failures, and relays the response, with blocking I/O.
func (p *Proxy) forward(ex *exchange) {
	if !p.prepareForward(ex) {
		return
	}
	p.attempts(ex)
}

// prepareForward sets up what every attempt shares: the upstream Host,
// the pool key, the upstream header and target, and the body. It
// reports false when the request is over (the client body could not be
// read).
func (p *Proxy) prepareForward(ex *exchange) bool {
	svc, route := ex.service, ex.route
	in := &ex.in
	f := &ex.fw
	verify := p.opts.ProxySSLVerify
	if svc.TLSVerify != nil {
		verify = *svc.TLSVerify
	}

	if ups := ex.snap.Upstreams; ups != nil {
		ex.bal = ups[svc.Host]
	}

	// Upstream Host: a plugin's choice, the client's with preserve_host,
	// else the service host plus a non-default port; for a balanced
	// service the picked target decides it, attempt by attempt.
	switch {
	case ex.plugins && ex.pc.hostSet:
		f.hostHeader = viewBytes(ex.pc.upstreamHostValue)
	case route.PreserveHost && len(in.host) > 0:
		f.hostHeader = in.host
	case ex.bal != nil:
		f.hostPerAttempt = true
	case svc.HostHeader != "":
		f.hostHeader = viewBytes(svc.HostHeader)
	default:
		start := len(ex.fwd)
		ex.fwd = appendServiceHost(ex.fwd, svc.Host, svc.Port, svc.Protocol)
		f.hostHeader = ex.fwd[start:len(ex.fwd):len(ex.fwd)]
	}
	f.key = poolKey{
		scheme:         svc.Protocol,
		host:           svc.Host,
		port:           svc.Port,
		verify:         verify,
		connectTimeout: svc.ConnectTimeout,
	}
	if f.key.scheme == "https" && !f.hostPerAttempt {
		f.key.sni = sniOf(f.hostHeader)
	}
	if ex.bal == nil {
		f.pool = p.pools.forService(svc, f.key, ex.start)
	} else {
		ex.hashIn.ex = ex
		prepareHashCookie(ex)
	}
	ex.upstreamHost = svc.Host
	ex.upstreamScheme = svc.Protocol

	p.buildUpstreamHeader(ex)
	ex.upstreamTarget = p.upstreamTarget(ex)

	// The body: a plugin's buffered or replacement body travels with a
	// Content-Length of its own; otherwise the client body streams.
	f.replayable = true
	if in.body != nil {
		ex.src.r = in.body
		f.body, f.length, f.replayable = &ex.src, in.length, false
	}
	if ex.plugins {
		if ex.pc.bodyReadFailed() {
			ex.failure = FailClientAbort
			ex.status = statusClientClosed
			return false
		}
		buffered, isBuffered, prefix := ex.pc.upstreamBody()
		switch {
		case isBuffered:
			ex.replay.Reset(buffered)
			f.body, f.length, f.replayable, f.replay = &ex.replay, int64(len(buffered)), true, true
		case prefix != nil:
			ex.src.r = io.MultiReader(&sliceReader{b: prefix}, in.body)
		}
	}
	f.method = in.method
	if ex.plugins && ex.pc.method != "" {
		f.method = ex.pc.method
	}
	ex.proxyLatency = ex.sinceStart()
	return true
}

// attempts makes attempts with blocking I/O until one gets a response,
// which is relayed, or the request is answered with the failure.
func (p *Proxy) attempts(ex *exchange) {
	f := &ex.fw
	svc := ex.service
	for {
		f.try++
		if !p.startAttempt(ex) {
			return
		}
		uc, err := f.pool.pool.Get(svc.ConnectTimeout)
		if errors.Is(err, h1.ErrPoolClosed) {
			f.pool = p.pools.get(f.key, ex.start)
			uc, err = f.pool.pool.Get(svc.ConnectTimeout)
		}
		if err == nil {
			p.prepareSend(ex, uc)
			resp, rerr := uc.RoundTrip(&ex.out)
			if rerr == nil {
				p.received(ex, resp)
				p.relay(ex, uc, resp)
				p.attemptDone(ex)
				return
			}
			uc.Release()
			err = rerr
			if p.staleConn(ex, err) {
				f.try--
				continue
			}
		}
		if !p.attemptFailed(ex, err) {
			return
		}
	}
}

// startAttempt prepares attempt f.try: a balanced service picks its
// target (unless a stale connection retries the same one) and the pool
// of the target is chosen. It reports false when the request was
// answered (no target to pick).
func (p *Proxy) startAttempt(ex *exchange) bool {
	f := &ex.fw
	if ex.bal != nil && !f.picked {
		if class, err := p.pickPeer(ex, &f.key); class != FailNone {
			p.failPick(ex, f.try, class, err)
			return false
		}
		f.picked = true
		if f.hostPerAttempt {
			f.hostHeader = p.peerHost(ex, ex.service.Protocol)
		}
		if f.key.scheme == "https" {
			f.key.sni = sniOf(f.hostHeader)
		}
		f.pool = p.pools.get(f.key, ex.start)
	}
	if f.replay {
		_, _ = ex.replay.Seek(0, io.SeekStart)
	}
	ex.upstreamAddr = f.key.addr
	return true
}

// prepareSend fills the upstream request of the attempt about to be
// sent on uc.
func (p *Proxy) prepareSend(ex *exchange, uc *h1.ClientConn) {
	f := &ex.fw
	svc := ex.service
	ex.upstreamAddr = uc.RemoteAddrPort()
	ex.out = h1.OutRequest{
		Method:        viewBytes(f.method),
		Target:        ex.upstreamTarget,
		Host:          f.hostHeader,
		Header:        &ex.outHeader,
		ContentLength: f.length,
		Body:          f.body,
		WriteTimeout:  svc.WriteTimeout,
		ReadTimeout:   svc.ReadTimeout,
	}
	if f.length == 0 {
		ex.out.Body = nil
	}
	f.sent = ex.sinceStart()
}

// received records the attempt that got a response head.
func (p *Proxy) received(ex *exchange, resp *h1.Response) {
	ex.upstreamLatency = ex.sinceStart() - ex.fw.sent
	ex.tries = append(ex.tries, attempt{addr: ex.upstreamAddr})
	ex.fw.status = resp.Status()
}

// attemptDone reports a relayed response to the balancer.
func (p *Proxy) attemptDone(ex *exchange) {
	if ex.bal != nil {
		ex.bal.Done(ex.peer, balancer.Outcome{Status: ex.fw.status, Latency: ex.upstreamLatency})
	}
}

// staleConn reports whether err is a reused keep-alive connection found
// closed by the upstream as the request was sent: not a failure of the
// service, the same attempt is made again on another connection.
func (p *Proxy) staleConn(ex *exchange, err error) bool {
	f := &ex.fw
	var ue *h1.UpstreamError
	if errors.As(err, &ue) && ue.Retryable() && (f.replayable || ex.src.read == 0) && f.stale < maxStaleRetries {
		f.stale++
		return true
	}
	return false
}

// attemptFailed records a failed attempt and reports whether another
// one follows; when not, the client has been answered.
func (p *Proxy) attemptFailed(ex *exchange, err error) (retry bool) {
	f := &ex.fw
	svc := ex.service
	class := classifyAttempt(err)
	var de *dialError
	var te *tlsError
	if errors.As(err, &de) {
		ex.upstreamAddr = de.addr
	} else if errors.As(err, &te) {
		ex.upstreamAddr = te.addr
	}
	ex.tries = append(ex.tries, attempt{addr: ex.upstreamAddr, class: class})
	ex.failure = class
	if ex.bal != nil {
		ex.bal.Done(ex.peer, outcomeOf(class))
		ex.excluded = append(ex.excluded, ex.peer)
		f.picked = false
	}
	if class != FailClientAbort {
		p.logFailure(ex, f.try, class, err)
	}
	if f.try <= svc.Retries && class.retriable() && (f.replayable || ex.src.read == 0) {
		return true
	}
	status, msg := class.response()
	if class == FailClientAbort {
		if bodyTimedOut(err) && !ex.down.headWritten() {
			// The request body did not arrive in time: answered as Kong
			// does, and the connection closes (the body is unread).
			p.respondError(ex, http.StatusRequestTimeout, msgRequestTimeout, producerServer)
			return false
		}
		ex.status = status
		ex.down.abort()
		return false
	}
	p.respondError(ex, status, msg, producerServer)
	return false
}

// appendServiceHost appends the Host sent to a service: its host, plus
// the port unless it is the scheme's default.
func appendServiceHost(b []byte, host string, port int, scheme string) []byte {
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) {
		return append(b, host...)
	}
	return appendAuthority(b, host, port)
}

// upstreamTarget builds the origin-form target sent upstream: the
// plugin's or the router's path, then the (possibly rewritten) query.
func (p *Proxy) upstreamTarget(ex *exchange) []byte {
	start := len(ex.fwd)
	b := ex.fwd
	if ex.plugins && ex.pc.pathSet {
		b = append(b, (&url.URL{Path: ex.pc.upstreamPath}).EscapedPath()...)
	} else {
		b = ex.match.AppendUpstreamPath(b, ex.service.Path)
	}
	if len(b) == start {
		b = append(b, '/')
	}
	q, has := ex.in.query, ex.in.hasQuery
	if ex.plugins && ex.pc.querySet {
		q, has = viewBytes(ex.pc.query), ex.pc.query != ""
	}
	if has {
		b = append(b, '?')
		b = append(b, q...)
	}
	ex.fwd = b
	return b[start:len(b):len(b)]
}

// logFailure writes one upstream failure to the error log.
func (p *Proxy) logFailure(ex *exchange, try int, class FailureClass, err error) {
	attrs := []slog.Attr{
		slog.String("request_id", strings.Clone(ex.id)),
		slog.String("class", string(class)),
		slog.Int("attempt", try),
		slog.String("upstream_host", ex.upstreamHost),
		slog.String("error", err.Error()),
	}
	if ex.bal != nil {
		attrs = append(attrs, slog.String("upstream_name", ex.bal.Name()))
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

// sliceReader reads a byte slice once.
type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
