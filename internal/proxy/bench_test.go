package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/snapshot"
)

// recorder is a minimal ResponseWriter that discards the body.
type recorder struct {
	header http.Header
	status int
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkServeHTTPOneRoute(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}))
	defer up.Close()
	svc := newService(b, up.URL)
	holder := buildHolder(b, testRoute{paths: []string{"/api"}, strip: true, service: svc})
	p := New(Options{Version: "3.9.1", ServerTokens: true, LatencyTokens: true, RequestIDHeader: true, UpstreamRequestID: true}, holder)
	defer p.Close()

	req := httptest.NewRequest("GET", "http://bench.test/api/users?x=1", nil)
	req.RemoteAddr = "192.0.2.1:5555"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := recorder{header: make(http.Header, 8)}
		p.ServeHTTP(&rec, req)
		if rec.status != 200 {
			b.Fatalf("status %d", rec.status)
		}
	}
}

// BenchmarkHeaders measures the gateway's header work for one proxied
// request: the upstream request's fields (the client's by reference plus
// X-Forwarded-*, X-Real-IP, Via, X-Kong-Request-Id) and the response's
// (the upstream's plus Via, Server, latencies, request id).
func BenchmarkHeaders(b *testing.B) {
	p := New(benchOptions(), &snapshot.Holder{})
	defer p.Close()
	p.opts.UpstreamRequestID = true
	var client, upstream h1.Header
	for _, f := range [][2]string{{"Host", "api.example.com"}, {"User-Agent", "curl/8.5"}, {"Accept", "*/*"},
		{"Authorization", "Bearer abc"}, {"X-Request-Start", "1700000000"}} {
		client.AppendField([]byte(f[0]), []byte(f[1]))
	}
	for _, f := range [][2]string{{"Content-Type", "application/json"}, {"Content-Length", "42"},
		{"Cache-Control", "no-store"}, {"Date", "Mon, 07 Dec 2026 18:00:00 GMT"}} {
		upstream.AppendField([]byte(f[0]), []byte(f[1]))
	}
	ex := newExchange(p)
	ex.h1d.x = nil
	var resp h1.Header
	ex.down = headerOnly{&resp}
	in := inbound{method: "GET", path: []byte("/api/users"), header: &client, host: []byte("api.example.com"),
		peer: netip.MustParseAddrPort("192.0.2.1:5555"), localPort: 8000, protoMin: 1}
	b.ReportAllocs()
	for b.Loop() {
		ex.in = in
		ex.client, ex.scheme, ex.host = ex.in.peer.Addr(), "http", "api.example.com"
		p.buildUpstreamHeader(ex)
		seen := copyResponseHeader(&resp, &upstream, true, true)
		p.setProxiedHeaders(ex, &resp, &upstream, seen)
		if ex.outHeader.Len() != 12 || resp.Len() != 9 {
			b.Fatalf("%d upstream fields, %d response fields", ex.outHeader.Len(), resp.Len())
		}
		ex.outHeader.Reset()
		resp.Reset()
		ex.fwd, ex.respBuf = ex.fwd[:0], ex.respBuf[:0]
	}
}

// headerOnly is a downstream that only holds response fields.
type headerOnly struct{ h *h1.Header }

func (d headerOnly) header() *h1.Header                     { return d.h }
func (headerOnly) writeHead(int, int64)                     {}
func (headerOnly) write(p []byte) (int, error)              { return len(p), nil }
func (headerOnly) copyFrom(io.Reader) (int64, error, error) { return 0, nil, nil }
func (headerOnly) settle()                                  {}
func (headerOnly) abort()                                   {}
func (headerOnly) hijack() (net.Conn, []byte, error)        { return nil, nil, nil }
func (headerOnly) headWritten() bool                        { return false }
