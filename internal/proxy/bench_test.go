package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
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
