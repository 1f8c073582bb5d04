//go:build linux

package h1

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// loopEcho answers like echoHandler, on the loop when the body is
// buffered (ServeH1 serves the requests that go off the loop).
type loopEcho struct{ onLoop, offLoop atomic.Int64 }

func (h *loopEcho) ServeH1(x *Exchange) {
	h.offLoop.Add(1)
	echoHandler(x)
}

func (h *loopEcho) ServeLoop(x *Exchange) {
	if x.Loop() == nil {
		panic("ServeLoop without a loop")
	}
	h.onLoop.Add(1)
	echoHandler(x) // reads only buffered bytes
	x.Done()
}

func startLoopServer(t *testing.T, srv *Server) string {
	t.Helper()
	useEngine(t, "events")
	return startServer(t, srv)
}

func TestLoopServesOnTheLoop(t *testing.T) {
	h := &loopEcho{}
	addr := startLoopServer(t, &Server{Handler: h})
	cases := []struct {
		name, raw, want string
		onLoop          bool
	}{
		{"no body", "GET /a?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
			"method=GET path=/a query=x=1 host=example.com port=0 headers=1 body=", true},
		{"buffered body", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
			"method=POST path=/p query= host=a port=0 headers=2 body=hello", true},
		{"chunked body goes off the loop", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
			"method=POST path=/ query= host=a port=0 headers=2 body=ok", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			on, off := h.onLoop.Load(), h.offLoop.Load()
			resp, body, _ := roundTripRaw(t, addr, tc.raw)
			if resp.StatusCode != 200 || body != tc.want {
				t.Fatalf("got %d %q, want %q", resp.StatusCode, body, tc.want)
			}
			if got := h.onLoop.Load() > on; got != tc.onLoop || h.offLoop.Load() > off == tc.onLoop {
				t.Fatalf("served on the loop: %v, want %v", got, tc.onLoop)
			}
		})
	}
}

// TestLoopBodyArrivesLater sends a head, then its body in pieces: the
// loop waits for the body before serving on the loop.
func TestLoopBodyArrivesLater(t *testing.T) {
	h := &loopEcho{}
	addr := startLoopServer(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send("POST /late HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234")
	time.Sleep(20 * time.Millisecond)
	c.send("56789GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := c.response("POST")
	if resp.StatusCode != 200 || !strings.HasSuffix(body, "body=0123456789") {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	resp, body = c.response("GET")
	if resp.StatusCode != 200 || !strings.Contains(body, "path=/next") {
		t.Fatalf("pipelined: %d %q", resp.StatusCode, body)
	}
	if h.offLoop.Load() != 0 || h.onLoop.Load() != 2 {
		t.Fatalf("on loop %d, off loop %d", h.onLoop.Load(), h.offLoop.Load())
	}
}

// TestLoopManyConnections keeps many keep-alive connections busy at
// once and checks every answer.
func TestLoopManyConnections(t *testing.T) {
	addr := startLoopServer(t, &Server{Handler: &loopEcho{}})
	const conns, reqs = 40, 25
	errs := make(chan error, conns)
	for i := range conns {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			rc := &rawConn{t: t, conn: c, br: newReader(c)}
			for j := range reqs {
				path := fmt.Sprintf("/c%d/r%d", i, j)
				if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
					errs <- err
					return
				}
				resp, body, err := rc.tryResponse("GET")
				if err != nil || resp.StatusCode != 200 || !strings.Contains(body, "path="+path+" ") {
					errs <- fmt.Errorf("%s: %v %q", path, err, body)
					return
				}
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// loopProxy forwards every request to one upstream through the loop
// operations of Pool and ClientConn (or, off the loop, with RoundTrip).
type loopProxy struct {
	pool        *Pool
	addr        netip.AddrPort
	filter      BodyFilter
	readTimeout time.Duration // upstream read timeout; 300 ms when 0
	offLoop     atomic.Int64
}

func (p *loopProxy) ServeH1(x *Exchange) {
	p.offLoop.Add(1)
	uc, err := p.pool.Get(time.Second)
	if err != nil {
		x.WriteHeader(502)
		return
	}
	defer uc.Release()
	pr := &proxyReq{p: p, x: x}
	resp, err := uc.RoundTrip(pr.outRequest())
	if err != nil {
		x.WriteHeader(502)
		return
	}
	CopyEndToEnd(x.ResponseHeader(), resp.Header(), nil)
	if n := resp.ContentLength(); n >= 0 {
		x.SetContentLength(n)
	}
	x.WriteHeader(resp.Status())
	if _, srcErr, _ := x.Copy(resp.Body()); srcErr != nil {
		x.Abort()
	}
}

func (p *loopProxy) ServeLoop(x *Exchange) {
	pr := &proxyReq{p: p, x: x}
	if uc := p.pool.GetLoop(x.Loop()); uc != nil {
		pr.UpstreamDialed(uc, nil)
		return
	}
	p.pool.DialLoop(x.Loop(), p.addr, time.Second, pr)
}

// proxyReq is one request forwarded on the loop.
type proxyReq struct {
	p   *loopProxy
	x   *Exchange
	uc  *ClientConn
	out OutRequest
	hdr Header
}

func (r *proxyReq) outRequest() *OutRequest {
	req := r.x.Request()
	CopyEndToEnd(&r.hdr, req.Header(), nil)
	r.out = OutRequest{Method: req.Method(), Target: req.PathAndQuery(), Host: []byte("up"), Header: &r.hdr,
		ReadTimeout: cmp.Or(r.p.readTimeout, 300*time.Millisecond), WriteTimeout: time.Second}
	if req.HasBody() {
		r.out.Body, r.out.ContentLength = req.Body(), req.ContentLength()
	}
	return &r.out
}

func (r *proxyReq) fail(status int) {
	r.x.WriteHeader(status)
	r.x.Done()
}

func (r *proxyReq) UpstreamDialed(uc *ClientConn, err error) {
	if err != nil {
		r.fail(503)
		return
	}
	r.uc = uc
	uc.Start(r.outRequest(), r)
}

func (r *proxyReq) UpstreamResponse(resp *Response, err error) {
	if err != nil {
		r.uc.Release()
		var ue *UpstreamError
		if errors.As(err, &ue) && ue.Timeout() {
			r.fail(504)
			return
		}
		r.fail(502)
		return
	}
	x := r.x
	CopyEndToEnd(x.ResponseHeader(), resp.Header(), nil)
	if n := resp.ContentLength(); n >= 0 && r.p.filter == nil {
		x.SetContentLength(n)
	}
	x.WriteHeader(resp.Status())
	x.Pump(r.uc, r.p.filter, r)
}

func (r *proxyReq) BodyRelayed(n int64, srcErr, dstErr error) {
	r.uc.Release()
	if srcErr != nil || dstErr != nil {
		r.x.Abort()
	}
	r.x.Done()
}

func startLoopProxy(t *testing.T, up *rawUpstream) (string, *loopProxy) {
	t.Helper()
	ap := up.ln.Addr().(*net.TCPAddr).AddrPort()
	h := &loopProxy{pool: up.pool(), addr: ap}
	return startLoopServer(t, &Server{Handler: h}), h
}

func TestLoopProxyResponseFraming(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	cases := []struct {
		name, method, reply string
		status              int
		body                string
		chunked             bool
	}{
		{"content length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", false},
		{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x\r\n!\r\n0\r\nT: v\r\n\r\n", 200, "hello!", true},
		{"close delimited", "GET", "HTTP/1.1 200 OK\r\n\r\nuntil close" + closeMark, 200, "until close", true},
		{"interim skipped", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", false},
		{"HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", 200, "", false},
		{"204", "GET", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", false},
		{"1 MiB", "GET", "HTTP/1.1 200 OK\r\nContent-Length: " + fmt.Sprint(len(big)) + "\r\n\r\n" + big, 200, big, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := startRawUpstream(t, func(int) string { return tc.reply })
			addr, h := startLoopProxy(t, up)
			c := dialRaw(t, addr)
			for i := range 3 { // the upstream connection is reused when it can be
				c.send(tc.method + " /x HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := c.response(tc.method)
				if resp.StatusCode != tc.status || body != tc.body || (len(resp.TransferEncoding) > 0) != tc.chunked {
					t.Fatalf("request %d: %d chunked=%v body %d bytes", i, resp.StatusCode, resp.TransferEncoding, len(body))
				}
			}
			if h.offLoop.Load() != 0 {
				t.Fatal("requests went off the loop")
			}
		})
	}
}

func TestLoopProxyReusesAndDropsClosedIdle(t *testing.T) {
	t.Run("reuse", func(t *testing.T) {
		up := startRawUpstream(t, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
		addr, _ := startLoopProxy(t, up)
		c := dialRaw(t, addr)
		for range 5 {
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
		}
		if n := up.acceptedCount(); n != 1 {
			t.Fatalf("%d upstream connections, want 1", n)
		}
	})
	t.Run("upstream closes idle connection", func(t *testing.T) {
		// The upstream closes after each response although it announced
		// keep-alive: the idle connection is dropped when the close is
		// seen, so the next request dials instead of failing.
		up := startRawUpstream(t, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + closeMark })
		addr, _ := startLoopProxy(t, up)
		c := dialRaw(t, addr)
		for i := range 3 {
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := up.acceptedCount(); n != 3 {
			t.Fatalf("%d upstream connections, want 3", n)
		}
	})
}

func TestLoopProxyFailures(t *testing.T) {
	cases := []struct {
		name   string
		reply  string
		status int
		cut    bool // the client connection is cut after the head
	}{
		{"malformed", "HTTP/1.1 2x0 OK\r\n\r\n", 502, false},
		{"closed without response", closeMark, 502, false},
		{"read timeout", "", 504, false},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" + closeMark, 200, true},
		{"truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab" + closeMark, 200, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := startRawUpstream(t, func(int) string { return tc.reply })
			addr, _ := startLoopProxy(t, up)
			c := dialRaw(t, addr)
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _, err := c.tryResponse("GET")
			if tc.cut {
				if err == nil {
					t.Fatal("truncated body relayed as complete")
				}
				return
			}
			if err != nil || resp.StatusCode != tc.status {
				t.Fatalf("got %v %v, want %d", resp, err, tc.status)
			}
		})
	}
	t.Run("connect refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		ln.Close()
		h := &loopProxy{pool: &Pool{}, addr: ap}
		addr := startLoopServer(t, &Server{Handler: h})
		resp, _, _ := roundTripRaw(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp.StatusCode != 503 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

// upperFilter upper-cases the body and appends a marker at its end.
type upperFilter struct{}

func (upperFilter) FilterBody(chunk []byte, last bool) ([]byte, error) {
	out := bytes.ToUpper(chunk)
	if last {
		out = append(out, "[end]"...)
	}
	return out, nil
}

func TestLoopProxyFilteredBody(t *testing.T) {
	body := strings.Repeat("abc", 30000)
	up := startRawUpstream(t, func(int) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + body
	})
	ap := up.ln.Addr().(*net.TCPAddr).AddrPort()
	h := &loopProxy{pool: up.pool(), addr: ap, filter: upperFilter{}}
	addr := startLoopServer(t, &Server{Handler: h})
	resp, got, _ := roundTripRaw(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 200 || got != strings.ToUpper(body)+"[end]" {
		t.Fatalf("%d, %d bytes", resp.StatusCode, len(got))
	}
}

// TestLoopProxySlowClient streams a large body to a client that reads
// slowly: the relay keeps pace with the client and the body arrives
// whole.
func TestLoopProxySlowClient(t *testing.T) {
	body := strings.Repeat("x", 4<<20)
	up := startRawUpstream(t, func(int) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + body
	})
	addr, _ := startLoopProxy(t, up)
	c := dialRaw(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	time.Sleep(200 * time.Millisecond) // let the buffers fill
	resp, got := c.response("GET")
	if resp.StatusCode != 200 || len(got) != len(body) {
		t.Fatalf("%d, %d bytes", resp.StatusCode, len(got))
	}
}
