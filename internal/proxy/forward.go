package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/h1"
)

// maxStaleRetries bounds the transparent retries of a request whose
// reused keep-alive connection turned out to be closed by the upstream.
const maxStaleRetries = 3

// forward sends the request to the matched service, retrying connection
// failures, and relays the response.
func (p *Proxy) forward(ex *exchange) {
	svc, route := ex.service, ex.route
	in := &ex.in
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
	var hostHeader []byte
	hostPerAttempt := false
	switch {
	case ex.plugins && ex.pc.hostSet:
		hostHeader = viewBytes(ex.pc.upstreamHostValue)
	case route.PreserveHost && len(in.host) > 0:
		hostHeader = in.host
	case ex.bal != nil:
		hostPerAttempt = true
	default:
		start := len(ex.fwd)
		ex.fwd = appendServiceHost(ex.fwd, svc.Host, svc.Port, svc.Protocol)
		hostHeader = ex.fwd[start:len(ex.fwd):len(ex.fwd)]
	}
	key := poolKey{
		scheme:         svc.Protocol,
		host:           svc.Host,
		port:           svc.Port,
		verify:         verify,
		connectTimeout: svc.ConnectTimeout,
	}
	if key.scheme == "https" && !hostPerAttempt {
		key.sni = sniOf(hostHeader)
	}
	var pool *upstreamPool
	if ex.bal == nil {
		pool = p.pools.get(key, ex.start)
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
	var body io.Reader
	length := int64(0)
	replayable := true
	if in.body != nil {
		ex.src.r = in.body
		body, length, replayable = &ex.src, in.length, false
	}
	if ex.plugins {
		if ex.pc.bodyReadFailed() {
			ex.failure = FailClientAbort
			ex.status = statusClientClosed
			return
		}
		buffered, isBuffered, prefix := ex.pc.upstreamBody()
		switch {
		case isBuffered:
			ex.replay.Reset(buffered)
			body, length, replayable = &ex.replay, int64(len(buffered)), true
		case prefix != nil:
			ex.src.r = io.MultiReader(&sliceReader{b: prefix}, in.body)
		}
	}
	method := in.method
	if ex.plugins && ex.pc.method != "" {
		method = ex.pc.method
	}
	ex.proxyLatency = time.Since(ex.start)

	stale := 0
	picked := false
	for try := 1; ; try++ {
		if ex.bal != nil && !picked {
			if class, err := p.pickPeer(ex, &key); class != FailNone {
				p.failPick(ex, try, class, err)
				return
			}
			picked = true
			if hostPerAttempt {
				hostHeader = p.peerHost(ex, svc.Protocol)
			}
			if key.scheme == "https" {
				key.sni = sniOf(hostHeader)
			}
			pool = p.pools.get(key, ex.start)
		}
		if body == &ex.replay {
			_, _ = ex.replay.Seek(0, io.SeekStart)
		}
		ex.upstreamAddr = key.addr
		uc, err := pool.pool.Get(svc.ConnectTimeout)
		if errors.Is(err, h1.ErrPoolClosed) {
			pool = p.pools.get(key, ex.start)
			uc, err = pool.pool.Get(svc.ConnectTimeout)
		}
		if err == nil {
			ex.upstreamAddr = addrPortOf(uc.RemoteAddr())
			ex.out = h1.OutRequest{
				Method:        viewBytes(method),
				Target:        ex.upstreamTarget,
				Host:          hostHeader,
				Header:        &ex.outHeader,
				ContentLength: length,
				Body:          body,
				WriteTimeout:  svc.WriteTimeout,
				ReadTimeout:   svc.ReadTimeout,
			}
			if length == 0 {
				ex.out.Body = nil
			}
			sent := time.Now()
			resp, rerr := uc.RoundTrip(&ex.out)
			if rerr == nil {
				ex.upstreamLatency = time.Since(sent)
				ex.tries = append(ex.tries, attempt{addr: ex.upstreamAddr})
				status := resp.Status()
				p.relay(ex, uc, resp)
				if ex.bal != nil {
					ex.bal.Done(ex.peer, balancer.Outcome{Status: status, Latency: ex.upstreamLatency})
				}
				return
			}
			uc.Release()
			err = rerr
			var ue *h1.UpstreamError
			if errors.As(err, &ue) && ue.Retryable() && (replayable || ex.src.read == 0) && stale < maxStaleRetries {
				// The upstream closed an idle connection as it was
				// reused: not a failure of the service.
				stale++
				try--
				continue
			}
		}
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
			picked = false
		}
		if class != FailClientAbort {
			p.logFailure(ex, try, class, err)
		}
		if try <= svc.Retries && class.retriable() && (replayable || ex.src.read == 0) {
			continue
		}
		status, msg := class.response()
		if class == FailClientAbort {
			ex.status = status
			ex.down.abort()
			return
		}
		p.respondError(ex, status, msg, producerServer)
		return
	}
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
		b = append(b, ex.match.UpstreamPath(ex.service.Path)...)
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
