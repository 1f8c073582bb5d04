package h1

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

const benchRequestHead = "GET /api/users/42?fields=name,email HTTP/1.1\r\n" +
	"Host: api.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) bench\r\n" +
	"Accept: application/json\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789\r\n" +
	"X-Request-Id: 0123456789abcdef\r\n" +
	"Connection: keep-alive\r\n\r\n"

func BenchmarkParseRequest(b *testing.B) {
	head := []byte(benchRequestHead)
	var req Request
	lim := limits{maxURI: DefaultMaxURIBytes, maxFields: DefaultMaxHeaders}
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		req.reset()
		if err := parseRequestHead(head, &req, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// discardConn is a net.Conn that swallows writes.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
func (discardConn) SetReadDeadline(time.Time) error  { return nil }
func (discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (discardConn) Close() error                     { return nil }
func (discardConn) Read(p []byte) (int, error)       { return 0, io.EOF }

func BenchmarkWriteResponse(b *testing.B) {
	s := &Server{}
	c := s.newConn(discardConn{})
	body := []byte(`{"id":42,"name":"bench"}`)
	x := &c.x
	get := []byte("GET")
	b.ReportAllocs()
	for b.Loop() {
		x.reset()
		x.req.minor, x.req.keepAlive, x.req.method = 1, true, get
		x.req.body.reset(&c.r, bodyNone, 0)
		h := x.ResponseHeader()
		_ = h.Set("Content-Type", "application/json")
		_ = h.Set("X-Kong-Upstream-Latency", "1")
		_ = h.Set("Via", "1.1 kong/3.9.1")
		x.SetContentLength(int64(len(body)))
		x.WriteHeader(200)
		_, _ = x.Write(body)
		x.finish()
		_ = c.w.flush()
	}
}

// proxyHandler forwards every request to pool the way the gateway does:
// end-to-end client fields by reference, a few gateway fields, the
// response streamed back.
type proxyHandler struct {
	pool *Pool
	mu   sync.Mutex
	outs []*proxyScratch
}

// proxyScratch is per-request state recycled across requests.
type proxyScratch struct {
	hdr Header
	out OutRequest
}

func (p *proxyHandler) get() *proxyScratch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.outs); n > 0 {
		s := p.outs[n-1]
		p.outs = p.outs[:n-1]
		return s
	}
	return new(proxyScratch)
}

func (p *proxyHandler) put(s *proxyScratch) {
	p.mu.Lock()
	p.outs = append(p.outs, s)
	p.mu.Unlock()
}

var (
	viaName  = []byte("Via")
	viaValue = []byte("1.1 kong/3.9.1")
	xffName  = []byte("X-Forwarded-For")
	xffValue = []byte("127.0.0.1")
)

func (p *proxyHandler) ServeH1(x *Exchange) {
	req := x.Request()
	s := p.get()
	defer p.put(s)
	s.hdr.Reset()
	CopyEndToEnd(&s.hdr, req.Header(), nil)
	s.hdr.AppendField(xffName, xffValue)
	s.hdr.AppendField(viaName, viaValue)
	s.out = OutRequest{Method: req.Method(), Target: req.PathAndQuery(), Host: req.Host(), Header: &s.hdr,
		ContentLength: req.ContentLength(), Body: req.Body(), ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second}
	uc, err := p.pool.Get(time.Second)
	if err != nil {
		x.WriteHeader(502)
		return
	}
	defer uc.Release()
	resp, err := uc.RoundTrip(&s.out)
	if err != nil {
		x.WriteHeader(502)
		return
	}
	rh := x.ResponseHeader()
	CopyEndToEnd(rh, resp.Header(), nil)
	rh.AppendField(viaName, viaValue)
	x.SetContentLength(resp.ContentLength())
	x.WriteHeader(resp.Status())
	_, _, _ = x.Copy(resp.Body())
}

// BenchmarkProxyLoop measures client → h1 server → h1 client pool →
// upstream h1 server over loopback, with 50 keep-alive client
// connections. Allocations are counted for the whole process.
func BenchmarkProxyLoop(b *testing.B) {
	upAddr := startServer(b, &Server{Handler: HandlerFunc(helloHandler)})
	pool := &Pool{Dial: dialTo(upAddr), MaxIdle: 128}
	proxy := &Server{Handler: &proxyHandler{pool: pool}}
	runLoad(b, startServer(b, proxy))
}

// BenchmarkDirectLoop is BenchmarkProxyLoop without the proxy: the
// difference between the two is the cost of the proxy hop.
func BenchmarkDirectLoop(b *testing.B) {
	runLoad(b, startServer(b, &Server{Handler: HandlerFunc(helloHandler)}))
}

func helloHandler(x *Exchange) {
	_ = x.ResponseHeader().Set("Content-Type", "text/plain")
	x.SetContentLength(5)
	_, _ = io.WriteString(x, "hello")
}

// runLoad sends b.N requests to addr over 50 keep-alive connections, one
// request in flight per connection.
func runLoad(b *testing.B, addr string) {
	const clients = 50
	reqBytes := []byte("GET /api/users?id=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	conns := make([]net.Conn, clients)
	respLen := 0
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		// Warm up: learn the (constant) response size.
		if _, err := c.Write(reqBytes); err != nil {
			b.Fatal(err)
		}
		n := readResponseLen(b, c)
		if respLen != 0 && n != respLen {
			b.Fatalf("response size changed: %d vs %d", n, respLen)
		}
		respLen = n
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N / clients
	for i, c := range conns {
		n := per
		if i < b.N%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, respLen)
			for range n {
				if _, err := c.Write(reqBytes); err != nil {
					b.Error(err)
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// readResponseLen reads one Content-Length response and returns its size.
func readResponseLen(b *testing.B, c net.Conn) int {
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := c.Read(tmp)
		if err != nil {
			b.Fatal(err)
		}
		buf = append(buf, tmp[:n]...)
		if end := headEnd(buf, 0); end >= 0 {
			var r Response
			if err := parseResponseHead(buf[:end], &r, 100); err != nil {
				b.Fatal(err)
			}
			total := end + int(r.ContentLength())
			for len(buf) < total {
				n, err := c.Read(tmp)
				if err != nil {
					b.Fatal(err)
				}
				buf = append(buf, tmp[:n]...)
			}
			if r.Status() != 200 {
				b.Fatalf("status %d: %q", r.Status(), buf)
			}
			return total
		}
	}
}
