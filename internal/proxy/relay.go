package proxy

import (
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
)

// maxBufferedFilterBody is the largest response body with a known length
// that is filtered as a whole, so that it keeps an exact Content-Length.
const maxBufferedFilterBody = 64 << 10

// relay writes the upstream response to the client with blocking I/O,
// streaming the body, and gives the upstream connection back.
func (p *Proxy) relay(ex *exchange, uc *h1.ClientConn, resp *h1.Response) {
	if resp.Status() == 101 {
		p.relayHeaders(ex, resp)
		p.switchProtocols(ex, uc, resp)
		return
	}
	status, length := p.relayHead(ex, resp)
	var n int64
	var srcErr, dstErr error
	switch {
	case !ex.bodyFilter:
		ex.down.writeHead(status, length)
		n, srcErr, dstErr = ex.down.copyFrom(resp.Body())
	case filterWhole(resp, length):
		n, srcErr, dstErr = p.relayFilteredWhole(ex, status, resp.Body(), int(length))
	default:
		ex.down.writeHead(status, -1)
		n, srcErr, dstErr = p.relayFiltered(ex, resp.Body())
	}
	p.relayDone(ex, uc, n, srcErr, dstErr)
}

// filterWhole reports whether a filtered body is read whole, so that it
// keeps an exact Content-Length.
func filterWhole(resp *h1.Response, length int64) bool {
	return resp.BodyAllowed() && length >= 0 && length <= maxBufferedFilterBody
}

// relayHeaders sets the response header fields: the upstream's
// end-to-end ones, by reference (the upstream connection is released
// only when the request ends), and the gateway's.
func (p *Proxy) relayHeaders(ex *exchange, resp *h1.Response) {
	h := ex.down.header()
	uh := resp.Header()
	seen := copyResponseHeader(h, uh, p.opts.ServerTokens, p.opts.RequestIDHeader)
	p.setProxiedHeaders(ex, h, uh, seen)
}

// relayHead sets up the response head of a proxied response and runs
// the header filter phase. It returns the status to send and the body
// length announced by the upstream (-1 when unknown).
func (p *Proxy) relayHead(ex *exchange, resp *h1.Response) (status int, length int64) {
	p.relayHeaders(ex, resp)
	status = p.filterHeaders(ex, resp.Status(), plugin.SourceService)
	ex.status = status
	return status, resp.ContentLength()
}

// relayDone records how the body relay ended; the upstream connection
// is released when the request ends (see recycle). A failure reading the
// upstream is classified and logged, and the client connection is cut
// so the truncation shows.
func (p *Proxy) relayDone(ex *exchange, uc *h1.ClientConn, n int64, srcErr, dstErr error) {
	ex.bytesSent = n
	ex.fw.uc = uc
	if srcErr == errFilterPanicked {
		// Logged where it happened; the response cannot be completed.
		ex.down.abort()
		return
	}
	if srcErr != nil {
		class := classifyAttempt(srcErr)
		ex.failure = class
		ex.tries[len(ex.tries)-1].class = class
		if class != FailClientAbort {
			p.logFailure(ex, len(ex.tries), class, srcErr)
		}
		ex.down.abort()
		return
	}
	if dstErr != nil {
		ex.failure = FailClientAbort
		ex.down.abort()
	}
}

// Upstream response fields the gateway treats specially.
const (
	seenVia    = 1 << iota // a Via field
	seenServer             // a Server field
)

// copyResponseHeader appends the upstream's end-to-end fields to h by
// reference, leaving out Via when the gateway writes its own (viaOwn)
// and X-Kong-Request-Id when it sends the request id (idOwn). It reports
// which of Via and Server the upstream sent.
func copyResponseHeader(h, upstream *h1.Header, viaOwn, idOwn bool) (seen int) {
	listed := upstream.Has("Connection")
	for i := 0; i < upstream.Len(); i++ {
		f := upstream.At(i)
		switch len(f.Name) {
		case 3:
			if eqFold(f.Name, "Via") {
				seen |= seenVia
				if viaOwn {
					continue
				}
			}
		case 6:
			if eqFold(f.Name, "Server") {
				seen |= seenServer
			}
		case 17:
			if idOwn && eqFold(f.Name, "X-Kong-Request-Id") {
				continue
			}
		}
		if h1.IsHopByHop(f.Name) || listed && upstream.HasToken("Connection", h1.ViewString(f.Name)) {
			continue
		}
		h.AppendField(f.Name, f.Value)
	}
	return seen
}

// setProxiedHeaders adds the gateway headers of a proxied response.
func (p *Proxy) setProxiedHeaders(ex *exchange, h, upstream *h1.Header, seen int) {
	b := ex.respBuf
	if p.opts.ServerTokens {
		start := len(b)
		if seen&seenVia != 0 {
			appendJoined(&b, upstream, "Via")
			b = append(b, ',', ' ')
		}
		b = append(b, '1', '.', '1')
		b = append(b, p.viaToken...)
		h.AppendField(nameVia, b[start:len(b):len(b)])
		if seen&seenServer == 0 {
			h.AppendField(nameServer, p.serverTokenBytes)
		}
	}
	if p.opts.LatencyTokens {
		start := len(b)
		b = strconv.AppendInt(b, ex.upstreamLatency.Milliseconds(), 10)
		h.AppendField(nameUpstreamLatency, b[start:len(b):len(b)])
		start = len(b)
		b = strconv.AppendInt(b, ex.proxyLatency.Milliseconds(), 10)
		h.AppendField(nameProxyLatency, b[start:len(b):len(b)])
	}
	ex.respBuf = b
	if p.opts.RequestIDHeader {
		h.AppendField(nameRequestID, ex.idBuf[:])
	}
	setHashCookie(ex, h)
	p.setDebugHeaders(ex, h)
}

// copyBufs holds the scratch buffers of filtered bodies.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// relayFiltered streams a body through the body filters.
func (p *Proxy) relayFiltered(ex *exchange, src io.Reader) (written int64, readErr, writeErr error) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := *bufp
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := ex.run.BodyFilter(&ex.pc, buf[:n], false)
			m, werr := ex.down.write(chunk)
			written += int64(m)
			if werr != nil {
				return written, nil, werr
			}
		}
		if err == io.EOF {
			if last := ex.run.BodyFilter(&ex.pc, nil, true); len(last) > 0 {
				m, werr := ex.down.write(last)
				written += int64(m)
				if werr != nil {
					return written, nil, werr
				}
			}
			return written, nil, nil
		}
		if err != nil {
			return written, err, nil
		}
	}
}

// relayFilteredWhole reads a body of known, small length, passes it
// through the body filters and sends the result with its exact length.
func (p *Proxy) relayFilteredWhole(ex *exchange, status int, src io.Reader, length int) (written int64, readErr, writeErr error) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	if cap(*bufp) < length {
		*bufp = make([]byte, length)
	}
	body := (*bufp)[:length]
	if _, err := io.ReadFull(src, body); err != nil {
		ex.down.writeHead(status, -1)
		return 0, err, nil
	}
	written, writeErr = p.writeFilteredWhole(ex, status, body)
	return written, nil, writeErr
}

// writeFilteredWhole passes a whole body through the body filters and
// sends the result with its exact length.
func (p *Proxy) writeFilteredWhole(ex *exchange, status int, body []byte) (written int64, err error) {
	first := ex.run.BodyFilter(&ex.pc, body, false)
	last := ex.run.BodyFilter(&ex.pc, nil, true)
	ex.down.writeHead(status, int64(len(first)+len(last)))
	for _, part := range [2][]byte{first, last} {
		if len(part) == 0 {
			continue
		}
		m, err := ex.down.write(part)
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// switchProtocols completes a websocket upgrade: it relays the 101
// response and then copies bytes in both directions until one side ends.
func (p *Proxy) switchProtocols(ex *exchange, uc *h1.ClientConn, resp *h1.Response) {
	d := ex.down
	h := d.header()
	setField(h, nameConnection, valueUpgrade)
	if v := resp.Header().Peek("Upgrade"); len(v) > 0 {
		start := len(ex.respBuf)
		ex.respBuf = append(ex.respBuf, v...)
		setField(h, nameUpgrade, ex.respBuf[start:len(ex.respBuf):len(ex.respBuf)])
	}
	d.writeHead(101, -1)
	client, clientRest, err := d.hijack()
	if err != nil {
		uc.Close()
		ex.failure = FailClientAbort
		return
	}
	ex.status = 101
	upstream, upstreamRest := uc.Hijack()
	tunnel(client, clientRest, upstream, upstreamRest)
}

// tunnel copies bytes both ways between two connections, starting with
// what each side had already sent, until one direction ends; then both
// connections are closed.
func tunnel(client net.Conn, clientRest []byte, upstream net.Conn, upstreamRest []byte) {
	done := make(chan struct{}, 2)
	pump := func(dst, src net.Conn, pending []byte) {
		defer func() { done <- struct{}{} }()
		if len(pending) > 0 {
			if _, err := dst.Write(pending); err != nil {
				return
			}
		}
		_, _ = io.Copy(dst, src)
	}
	go pump(upstream, client, clientRest)
	go pump(client, upstream, upstreamRest)
	<-done
	_ = client.Close()
	_ = upstream.Close()
	<-done
}
