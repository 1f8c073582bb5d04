package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/h1"
)

// TestRequestBodyTimeout checks that a request body that stops arriving
// is answered 408, as Kong answers when its client body timeout passes,
// whether the gateway waits for a small body before routing or streams
// a large one upstream, and that the connection is closed afterwards.
func TestRequestBodyTimeout(t *testing.T) {
	up := newEchoUpstream(t)
	cases := []struct {
		name   string
		length string
	}{
		{"small body awaited whole", "100"},
		{"large body streamed", "1000000"},
	}
	for _, e := range engines[:2] { // the h1 engines: their timeouts are set here
		t.Run(e.name, func(t *testing.T) {
			holder := buildHolder(t, testRoute{id: "r1", name: "r1", paths: []string{"/"}, service: newService(t, up.URL)})
			g := startGatewayWith(t, e.eng, defaultTestOptions(), holder, func(s *h1.Server) {
				s.BodyReadTimeout = 200 * time.Millisecond
			})
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					conn, br := g.dial(t)
					_, _ = io.WriteString(conn, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: "+tc.length+"\r\n\r\n0123456789")
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Fatalf("no response: %v", err)
					}
					body := readBody(t, resp)
					if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, "Request timeout") {
						t.Fatalf("got %d %q, want 408 Request timeout", resp.StatusCode, body)
					}
					if _, err := br.ReadByte(); err == nil {
						t.Fatal("connection kept open after the timed-out body")
					} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
						t.Fatal("connection kept open after the timed-out body")
					}
				})
			}
		})
	}
}
