package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

// hopByHopResponse lists upstream response headers never relayed.
var hopByHopResponse = map[string]bool{
	"Connection":        true,
	"Keep-Alive":        true,
	"Proxy-Connection":  true,
	"Te":                true,
	"Trailer":           true,
	"Transfer-Encoding": true,
	"Upgrade":           true,
}

// copyResponseHeader copies the upstream headers minus hop-by-hop ones.
func copyResponseHeader(dst, src http.Header) {
	for k, vv := range src {
		if !hopByHopResponse[k] {
			dst[k] = vv
		}
	}
	connectionTokens(src, func(name string) { delete(dst, name) })
}

// relay writes the upstream response to the client, streaming the body.
func (p *Proxy) relay(ex *exchange, w http.ResponseWriter, r *http.Request, resp *http.Response,
	ctx context.Context, cancel context.CancelCauseFunc, readTimeout time.Duration) {
	defer resp.Body.Close()
	h := w.Header()
	copyResponseHeader(h, resp.Header)
	p.setProxiedHeaders(ex, h, resp.Header)

	if resp.StatusCode == http.StatusSwitchingProtocols {
		p.switchProtocols(ex, w, resp)
		return
	}
	announceTrailers := len(resp.Trailer) > 0 && headerHasToken(r.Header["Te"], "trailers")
	if announceTrailers {
		names := make([]string, 0, len(resp.Trailer))
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h["Trailer"] = []string{strings.Join(names, ", ")}
	}
	status := p.filterHeaders(ex, h, resp.StatusCode, plugin.SourceService)
	w.WriteHeader(status)
	ex.status = status

	flush := resp.ContentLength < 0 || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	n, readErr, writeErr := p.copyBody(ex, w, resp.Body, cancel, readTimeout, flush)
	ex.bytesSent = n
	if readErr != nil {
		class := classify(readErr, context.Cause(ctx), r.Context().Err() != nil)
		ex.failure = class
		ex.tries[len(ex.tries)-1].class = class
		if class != FailClientAbort {
			p.logFailure(ex, len(ex.tries), class, readErr)
		}
		// Abort the client connection so the truncation is visible.
		panic(http.ErrAbortHandler)
	}
	if writeErr != nil {
		ex.failure = FailClientAbort
		panic(http.ErrAbortHandler)
	}
	if announceTrailers {
		for k, vv := range resp.Trailer {
			h[k] = vv
		}
	}
}

// setProxiedHeaders adds the gateway headers of a proxied response.
func (p *Proxy) setProxiedHeaders(ex *exchange, h, upstream http.Header) {
	if p.opts.ServerTokens {
		if via := upstream["Via"]; len(via) > 0 {
			h["Via"] = []string{joinValues(via) + ", 1.1" + p.viaToken}
		} else {
			h["Via"] = []string{"1.1" + p.viaToken}
		}
		if _, ok := upstream["Server"]; !ok {
			h["Server"] = []string{p.serverToken}
		}
	}
	if p.opts.LatencyTokens {
		h["X-Kong-Upstream-Latency"] = []string{strconv.FormatInt(ex.upstreamLatency.Milliseconds(), 10)}
		h["X-Kong-Proxy-Latency"] = []string{strconv.FormatInt(ex.proxyLatency.Milliseconds(), 10)}
	}
	if p.opts.RequestIDHeader {
		h["X-Kong-Request-Id"] = []string{ex.id}
	}
	p.setDebugHeaders(ex, h)
}

// writeDeadliner is implemented by net/http's response writer.
type writeDeadliner interface{ SetWriteDeadline(time.Time) error }

// copyBody streams src to w. The read timeout applies between reads from
// the upstream, the client send timeout to each write.
func (p *Proxy) copyBody(ex *exchange, w http.ResponseWriter, src io.Reader, cancel context.CancelCauseFunc,
	readTimeout time.Duration, flush bool) (written int64, readErr, writeErr error) {
	bufp := p.copyBufs.Get().(*[]byte)
	defer p.copyBufs.Put(bufp)
	buf := *bufp

	var timer *time.Timer
	if readTimeout > 0 {
		timer = time.AfterFunc(readTimeout, func() { cancel(errReadTimeout) })
		defer timer.Stop()
	}
	flusher, _ := w.(http.Flusher)
	deadliner, _ := w.(writeDeadliner)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if timer != nil {
				timer.Stop()
			}
			if deadliner != nil {
				_ = deadliner.SetWriteDeadline(time.Now().Add(p.opts.ClientSendTimeout))
			}
			chunk := buf[:n]
			if ex.bodyFilter {
				chunk = ex.run.BodyFilter(&ex.pc, chunk, false)
			}
			m, werr := w.Write(chunk)
			written += int64(m)
			if werr != nil {
				return written, nil, werr
			}
			if flush && flusher != nil {
				flusher.Flush()
			}
			if timer != nil {
				timer.Reset(readTimeout)
			}
		}
		if errors.Is(err, io.EOF) {
			if ex.bodyFilter {
				if last := ex.run.BodyFilter(&ex.pc, nil, true); len(last) > 0 {
					m, werr := w.Write(last)
					written += int64(m)
					if werr != nil {
						return written, nil, werr
					}
				}
			}
			if deadliner != nil {
				_ = deadliner.SetWriteDeadline(time.Time{})
			}
			return written, nil, nil
		}
		if err != nil {
			return written, err, nil
		}
	}
}

// switchProtocols completes a websocket upgrade: it relays the 101
// response and then copies bytes in both directions until one side ends.
func (p *Proxy) switchProtocols(ex *exchange, w http.ResponseWriter, resp *http.Response) {
	upstream, ok := resp.Body.(io.ReadWriteCloser)
	hj, canHijack := w.(http.Hijacker)
	if !ok || !canHijack {
		ex.failure = FailBadResponse
		ex.status = http.StatusBadGateway
		panic(http.ErrAbortHandler)
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		ex.failure = FailClientAbort
		return
	}
	defer conn.Close()
	defer upstream.Close()
	h := w.Header().Clone()
	h["Connection"] = []string{"Upgrade"}
	h["Upgrade"] = resp.Header["Upgrade"]
	out := &http.Response{StatusCode: resp.StatusCode, ProtoMajor: 1, ProtoMinor: 1, Header: h}
	if err := out.Write(brw); err != nil {
		return
	}
	if err := brw.Flush(); err != nil {
		return
	}
	ex.status = resp.StatusCode
	_ = conn.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, brw); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, upstream); done <- struct{}{} }()
	<-done
}
