package proxy

import (
	"crypto/tls"
	"net/http"

	"github.com/straitgw/strait/internal/h1"
)

// NewH1Server returns the h1 server for an HTTP/1.1 proxy listener, plain
// or TLS (wrap the listener with tls.NewListener). The request-head
// limits come from the Options; refused requests get Kong's error
// bodies. Callers may adjust the timeouts before serving. Stop it with
// Shutdown, which drains in-flight requests, then call Proxy.Close.
func (p *Proxy) NewH1Server() *h1.Server {
	return &h1.Server{
		Handler:           p,
		ErrorHandler:      p.reject,
		MaxHeaderBytes:    p.opts.MaxHeaderBytes,
		MaxURIBytes:       p.opts.MaxURIBytes,
		MaxHeaders:        p.opts.MaxHeaders,
		IdleTimeout:       DefaultIdleTimeout,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		WriteTimeout:      p.opts.ClientSendTimeout,
	}
}

// ServeH1 proxies one request received by the h1 engine on a goroutine.
func (p *Proxy) ServeH1(x *h1.Exchange) {
	ex := p.beginH1(x)
	defer p.release(ex)
	p.serve(ex)
}

// beginH1 takes an exchange for a request of the h1 engine.
func (p *Proxy) beginH1(x *h1.Exchange) *exchange {
	ex := p.exchanges.Get().(*exchange)
	ex.begin(x.Loop())
	req := x.Request()
	in := &ex.in
	in.method = req.MethodString()
	in.target = req.Target()
	in.path = req.Path()
	in.query, in.hasQuery = req.RawQuery(), req.HasQuery()
	in.host = req.Host()
	in.header = req.Header()
	in.length = 0
	if req.HasBody() {
		in.body = req.Body()
		in.length = req.ContentLength()
	}
	in.protoMaj, in.protoMin = 1, req.ProtoMinor()
	in.peer = req.RemoteAddr()
	in.localPort = int(req.LocalAddr().Port())
	in.upgrade = req.Upgrade()
	if tc, ok := x.Conn().(*tls.Conn); ok {
		in.tls = true
		in.sni = tc.ConnectionState().ServerName
	}
	ex.h1d = h1Downstream{x: x}
	ex.down = &ex.h1d
	return ex
}

// release finishes the engine side of a request and recycles its
// exchange; deferred, it also recovers a panic of the request flow (a
// plugin bug): logged and answered with a 500 when nothing was sent
// yet, else the connection is cut, instead of taking the process down.
func (p *Proxy) release(ex *exchange) {
	if v := recover(); v != nil {
		p.panicked(ex, v)
	}
	p.recycle(ex)
}

// recycle completes the engine side of the response and returns the
// exchange to the pool.
func (p *Proxy) recycle(ex *exchange) {
	if ex.h1d.x != nil {
		ex.h1d.finish()
	}
	p.releaseUpstream(ex)
	ex.reset()
	ex.use++
	p.exchanges.Put(ex)
}

// releaseUpstream gives back the upstream connection of the relayed
// response, kept until the request ends because the response's header
// fields reference its buffer.
func (p *Proxy) releaseUpstream(ex *exchange) {
	if uc := ex.fw.uc; uc != nil {
		ex.fw.uc = nil
		uc.Release()
	}
}

// reject answers a request the h1 engine refused before the handler ran
// (oversized or malformed head, unsupported framing) with Kong's error
// body. The connection is closed afterwards.
func (p *Proxy) reject(x *h1.Exchange, e *h1.RequestError) {
	var idBuf [32]byte
	newRequestID(&idBuf)
	msg := rejectMessage(e.Status)
	// The fields may be incomplete: the configured default format applies.
	format := negotiateFormat(producerServer, "", "", p.opts.ErrorDefaultType)
	body := appendErrorBody(make([]byte, 0, 256), format, msg, h1.ViewString(idBuf[:]))
	h := x.ResponseHeader()
	_ = h.Set("Content-Type", format.contentType())
	if p.opts.ServerTokens {
		h.AppendField(nameServer, p.serverTokenBytes)
	}
	if p.opts.RequestIDHeader {
		_ = h.Set("X-Kong-Request-Id", string(idBuf[:]))
	}
	x.SetContentLength(int64(len(body)))
	x.WriteHeader(e.Status)
	_, _ = x.Write(body)
}

// rejectMessage is the error message of a refused request head.
func rejectMessage(status int) string {
	switch status {
	case http.StatusRequestURITooLong:
		return msgURITooLong
	case http.StatusRequestHeaderFieldsTooLarge:
		return msgHeaderTooLarge
	case http.StatusBadRequest:
		return msgBadRequest
	case http.StatusExpectationFailed:
		return "Expectation failed"
	case http.StatusRequestTimeout:
		return msgRequestTimeout
	}
	return http.StatusText(status)
}
