package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/keyauth"
	"github.com/straitgw/strait/internal/plugins/ratelimiting"
	"github.com/straitgw/strait/internal/snapshot"
)

// h1Upstream serves a fixed 13-byte body with the h1 engine, which does
// not allocate, so the allocations a benchmark reports are the proxy's.
func h1Upstream(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	body := []byte("hello, world\n")
	srv := &h1.Server{Handler: h1.HandlerFunc(func(x *h1.Exchange) {
		_ = x.ResponseHeader().Set("Content-Type", "text/plain")
		x.SetContentLength(int64(len(body)))
		_, _ = x.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// serveH1 serves p on a loopback listener with the h1 engine, on event
// loops unless STRAIT_TEST_PROXY_ENGINE says otherwise.
func serveH1(tb testing.TB, p *Proxy) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := p.NewH1Server()
	serve := srv.ServeEvents
	if defaultEngine != engineLoop {
		serve = srv.Serve
	}
	go func() { _ = serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close(); _ = p.Close() })
	return ln.Addr().String()
}

// keepAliveClient sends one fixed request per call over one keep-alive
// connection and reads the response without allocating.
type keepAliveClient struct {
	conn net.Conn
	br   *bufio.Reader
	req  []byte
	body []byte
}

func newKeepAliveClient(tb testing.TB, addr, request string) *keepAliveClient {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return &keepAliveClient{conn: conn, br: bufio.NewReaderSize(conn, 16<<10), req: []byte(request), body: make([]byte, 64<<10)}
}

var contentLengthPrefix = []byte("content-length:")

// do returns the status of one exchange.
func (c *keepAliveClient) do(tb testing.TB) int {
	if _, err := c.conn.Write(c.req); err != nil {
		tb.Fatal(err)
	}
	status, length := 0, -1
	for first := true; ; first = false {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			tb.Fatal(err)
		}
		if first {
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > len(contentLengthPrefix) && bytes.EqualFold(line[:len(contentLengthPrefix)], contentLengthPrefix) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(line[len(contentLengthPrefix):])))
		}
	}
	if length < 0 {
		tb.Fatalf("status %d without Content-Length", status)
	}
	if _, err := io.ReadFull(c.br, c.body[:length]); err != nil {
		tb.Fatal(err)
	}
	return status
}

func benchOptions() Options {
	return Options{Version: "3.9.1", ServerTokens: true, LatencyTokens: true, RequestIDHeader: true}
}

// runProxyBench measures proxied requests through the h1 engine.
func runProxyBench(b *testing.B, holder *snapshot.Holder, request string) {
	p := New(benchOptions(), holder)
	addr := serveH1(b, p)
	c := newKeepAliveClient(b, addr, request)
	if s := c.do(b); s != 200 {
		b.Fatalf("status %d", s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if s := c.do(b); s != 200 {
			b.Fatalf("status %d", s)
		}
	}
}

const benchRequest = "GET /bench/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n"

// BenchmarkProxyOneRoute: one route, no plugins, keep-alive GETs.
func BenchmarkProxyOneRoute(b *testing.B) {
	svc := newService(b, h1Upstream(b))
	runProxyBench(b, buildHolder(b, testRoute{paths: []string{"/bench"}, service: svc}), benchRequest)
}

// BenchmarkProxyTenThousandRoutes: the request matches one prefix route
// among 10,000.
func BenchmarkProxyTenThousandRoutes(b *testing.B) {
	svc := newService(b, h1Upstream(b))
	routes := make([]testRoute, 0, 10000)
	for i := range 10000 {
		routes = append(routes, testRoute{id: "r" + strconv.Itoa(i), paths: []string{"/svc" + strconv.Itoa(i)}, service: svc})
	}
	runProxyBench(b, buildHolder(b, routes...),
		"GET /svc5005/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

// BenchmarkProxyKeyAuthRateLimiting: key-auth (key in the query) and
// rate-limiting (local policy, a limit never reached) on the route.
func BenchmarkProxyKeyAuthRateLimiting(b *testing.B) {
	svc := newService(b, h1Upstream(b))
	holder := buildHolder(b, testRoute{id: "r1", name: "r", paths: []string{"/bench"}, service: svc})
	reg, err := plugin.NewRegistry(keyauth.Plugin{}, ratelimiting.Plugin{})
	if err != nil {
		b.Fatal(err)
	}
	attachPlugins(b, holder, reg, []plugin.Instance{
		{ID: "p1", Name: "key-auth", RouteID: "r1", Enabled: true, Config: entity.Object{"key_names": []any{"apikey"}, "key_in_query": true, "key_in_header": true}},
		{ID: "p2", Name: "rate-limiting", RouteID: "r1", Enabled: true, Config: entity.Object{
			"minute": 1e9, "policy": "local", "limit_by": "consumer", "error_code": 429, "sync_rate": -1, "window_type": "fixed",
		}},
	})
	runProxyBench(b, holder, "GET /bench?apikey=alice-key HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}
