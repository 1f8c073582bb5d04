package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"

	"github.com/straitgw/strait/internal/h1"
)

// The event-loop driver. On an h1 event loop a request is served by the
// same stages as serve (route, access, forward, relay, finish), but the
// upstream exchange is event-driven: the exchange asks the loop to
// connect, send and stream, and the loop calls it back (UpstreamDialed,
// UpstreamResponse, BodyRelayed, BodyRead). Nothing on this path may
// block, so a request whose next stage could wait (a plugin that does
// network I/O, an https upstream, a name that is not resolved yet, a
// protocol switch) "escapes": the rest of its flow runs on a goroutine
// with blocking I/O, exactly as serve runs it, and the connection returns
// to the loop afterwards.

// ServeLoop proxies one request on an h1 event loop (h1.LoopHandler).
func (p *Proxy) ServeLoop(x *h1.Exchange) {
	ex := p.beginH1(x)
	defer p.recoverLoop(ex, ex.use)
	p.inspect(ex)
	ex.snap = p.snaps.Load()
	switch {
	case ex.in.upgrade:
		p.escape(ex, OffLoopUpgrade, (*Proxy).serveRouted)
		return
	case ex.snap != nil && ex.snap.HasPlugins && ex.snap.Plugins.Global().Blocking():
		p.escape(ex, OffLoopPlugin, (*Proxy).serveRouted)
		return
	}
	if p.route(ex) {
		p.complete(ex)
		return
	}
	if ex.route.Plugins.Blocking() {
		p.escape(ex, OffLoopPlugin, (*Proxy).serveAccess)
		return
	}
	if p.accessPlugins(ex) {
		p.complete(ex)
		return
	}
	p.forwardLoop(ex)
}

// complete ends a request served on the loop: log phase, access log,
// recycling, and the engine's completion of the response.
func (p *Proxy) complete(ex *exchange) {
	x := ex.h1d.x
	p.finish(ex)
	p.recycle(ex)
	x.Done()
}

// escape runs rest(ex), then the end of the request, on a goroutine with
// blocking I/O; the loop gets the connection back afterwards. Nothing
// may touch ex after escape returns.
func (p *Proxy) escape(ex *exchange, reason string, rest func(*Proxy, *exchange)) {
	p.offLoop.add(reason)
	x := ex.h1d.x
	ex.loop = nil
	ex.rest = rest
	if err := x.Escape(ex.escapeFn); err != nil {
		// The connection could not be lent (out of descriptors): answer
		// here instead.
		ex.loop = x.Loop()
		p.log.LogAttrs(context.Background(), slog.LevelError, "request could not leave the event loop",
			slog.String("request_id", ex.id), slog.String("error", err.Error()))
		p.respondError(ex, http.StatusInternalServerError, msgUnexpected, producerServer)
		p.complete(ex)
	}
}

// runEscaped is the goroutine of an escaped request.
func (ex *exchange) runEscaped() {
	p := ex.p
	defer p.release(ex)
	defer p.finishRecovering(ex)
	ex.rest(p, ex)
}

// recoverLoop turns a panic of a loop callback (a plugin bug) into the
// end of the request: logged, answered with a 500 when nothing was sent
// yet, else cut. use is the exchange's use count when the callback began:
// a panic after the request was completed (the exchange recycled) is not
// the request's to handle, and goes on to the loop, which closes the
// connection.
func (p *Proxy) recoverLoop(ex *exchange, use uint64) {
	v := recover()
	if v == nil {
		return
	}
	if ex.use != use {
		panic(v)
	}
	p.panicked(ex, v)
	if uc := ex.fw.uc; uc != nil {
		ex.fw.uc = nil
		uc.Close()
	}
	p.complete(ex)
}

// logPanic logs a panic of the request flow with its stack.
func (p *Proxy) logPanic(v any) {
	buf := make([]byte, 8<<10)
	buf = buf[:runtime.Stack(buf, false)]
	p.log.LogAttrs(context.Background(), slog.LevelError, "request failed with a panic",
		slog.Any("panic", v), slog.String("stack", string(buf)))
}

// panicked logs a panic of the request flow and answers the request: a
// 500 when no response head was written yet, else the response is cut.
// Only the engine's own writes are used: the plugins' response phases do
// not run again.
func (p *Proxy) panicked(ex *exchange, v any) {
	p.logPanic(v)
	d := ex.down
	if d == nil {
		return
	}
	if d.headWritten() {
		d.abort()
		return
	}
	body := appendErrorBody(nil, formatJSON, msgUnexpected, ex.id)
	h := d.header()
	h.Reset()
	_ = h.Set("Content-Type", formatJSON.contentType())
	d.writeHead(http.StatusInternalServerError, int64(len(body)))
	_, _ = d.write(body)
	ex.status = http.StatusInternalServerError
}

// forwardLoop forwards the request from the loop.
func (p *Proxy) forwardLoop(ex *exchange) {
	if !p.prepareForward(ex) {
		p.complete(ex)
		return
	}
	p.nextAttempt(ex)
}

// nextAttempt starts the next attempt: on an idle connection of the
// loop, else by connecting without blocking. An attempt that needs a
// TLS handshake or a name lookup escapes with the attempts still to make.
func (p *Proxy) nextAttempt(ex *exchange) {
	f := &ex.fw
	f.try++
	if !p.startAttempt(ex) {
		p.complete(ex)
		return
	}
	if f.key.scheme != "http" {
		f.try--
		p.escape(ex, OffLoopTLS, (*Proxy).attempts)
		return
	}
	if uc := f.pool.pool.GetLoop(ex.loop); uc != nil {
		ex.UpstreamDialed(uc, nil)
		return
	}
	addr, ok := p.loopAddr(ex)
	if !ok {
		f.try--
		p.escape(ex, OffLoopDNS, (*Proxy).attempts)
		return
	}
	ex.upstreamAddr = addr
	f.pool.pool.DialLoop(ex.loop, addr, ex.service.ConnectTimeout, ex)
}

// loopAddr returns the address to connect the current attempt to when it
// is known without waiting: the balancer's pick, an IP literal, or a name
// the resolver has fresh in its cache.
func (p *Proxy) loopAddr(ex *exchange) (netip.AddrPort, bool) {
	f := &ex.fw
	if f.key.addr.IsValid() {
		return f.key.addr, true
	}
	if ex.service.Addr.IsValid() && ex.service.Host == f.key.host {
		return netip.AddrPortFrom(ex.service.Addr, uint16(f.key.port)), true
	}
	if a, err := netip.ParseAddr(f.key.host); err == nil {
		return netip.AddrPortFrom(a, uint16(f.key.port)), true
	}
	if p.pools.resolver == nil {
		return netip.AddrPort{}, false
	}
	addrs, ok := p.pools.resolver.LookupCached(f.key.host)
	if !ok || len(addrs) == 0 {
		return netip.AddrPort{}, false
	}
	a := addrs[int(f.pool.next.Add(1)-1)%len(addrs)]
	return netip.AddrPortFrom(a, uint16(f.key.port)), true
}

// UpstreamDialed implements h1.DialWaiter: the attempt's connection is
// ready (or failed); the request is sent.
func (ex *exchange) UpstreamDialed(uc *h1.ClientConn, err error) {
	p := ex.p
	defer p.recoverLoop(ex, ex.use)
	if err != nil {
		var ue *h1.UpstreamError
		if errors.As(err, &ue) && ue.Kind == h1.KindDial {
			ue.Err = &dialError{addr: ex.upstreamAddr, err: ue.Err}
		}
		p.attemptOver(ex, err)
		return
	}
	p.prepareSend(ex, uc)
	ex.fw.uc = uc
	uc.Start(&ex.out, ex)
}

// UpstreamResponse implements h1.ResponseWaiter: the response head
// arrived (or the attempt failed).
func (ex *exchange) UpstreamResponse(resp *h1.Response, err error) {
	p := ex.p
	defer p.recoverLoop(ex, ex.use)
	f := &ex.fw
	uc := f.uc
	if err != nil {
		f.uc = nil
		uc.Release()
		if p.staleConn(ex, err) {
			f.try--
			p.nextAttempt(ex)
			return
		}
		p.attemptOver(ex, err)
		return
	}
	if resp.Status() == 101 {
		// Only a client asking for a protocol switch gets one, and such
		// requests are served off the loop.
		f.uc = nil
		uc.Close()
		p.attemptOver(ex, &h1.UpstreamError{Kind: h1.KindBadResponse, Op: "read",
			Err: &h1.BadResponseError{Reason: "101 response to a request that did not ask for a protocol switch"}})
		return
	}
	p.received(ex, resp)
	status, length := p.relayHead(ex, resp)
	x := ex.h1d.x
	switch {
	case !ex.bodyFilter:
		ex.down.writeHead(status, length)
		x.Pump(uc, nil, ex)
	case filterWhole(resp, length):
		bufp := copyBufs.Get().(*[]byte)
		if cap(*bufp) < int(length) {
			*bufp = make([]byte, length)
		}
		f.filterBuf = bufp
		uc.ReadBody((*bufp)[:length], ex)
	default:
		ex.down.writeHead(status, -1)
		x.Pump(uc, ex, ex)
	}
}

// attemptOver handles a failed attempt: another one, or the end.
func (p *Proxy) attemptOver(ex *exchange, err error) {
	if p.attemptFailed(ex, err) {
		p.nextAttempt(ex)
		return
	}
	p.complete(ex)
}

// FilterBody implements h1.BodyFilter with the response's body filter
// phase. A plugin's panic is logged and ends the relay (the client's
// connection is cut, the head having gone).
func (ex *exchange) FilterBody(chunk []byte, last bool) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			ex.p.logPanic(v)
			out, err = nil, errFilterPanicked
		}
	}()
	return ex.run.BodyFilter(&ex.pc, chunk, last), nil
}

// errFilterPanicked ends a relay whose body filter panicked.
var errFilterPanicked = errors.New("body filter failed with a panic")

// BodyRelayed implements h1.PumpWaiter: the response body was streamed.
func (ex *exchange) BodyRelayed(n int64, srcErr, dstErr error) {
	p := ex.p
	defer p.recoverLoop(ex, ex.use)
	uc := ex.fw.uc
	ex.fw.uc = nil
	p.relayDone(ex, uc, n, srcErr, dstErr)
	p.attemptDone(ex)
	p.complete(ex)
}

// BodyRead implements h1.ReadWaiter: a body to filter as a whole was
// read; it goes through the filters and out with its exact length.
func (ex *exchange) BodyRead(n int, err error) {
	p := ex.p
	defer p.recoverLoop(ex, ex.use)
	f := &ex.fw
	uc := f.uc
	f.uc = nil
	bufp := f.filterBuf
	f.filterBuf = nil
	defer copyBufs.Put(bufp)
	var written int64
	var dstErr error
	if err != nil {
		ex.down.writeHead(ex.status, -1)
	} else {
		written, dstErr = p.writeFilteredWhole(ex, ex.status, (*bufp)[:n])
	}
	p.relayDone(ex, uc, written, err, dstErr)
	p.attemptDone(ex)
	p.complete(ex)
}
