package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/snapshot"
)

// TestLoopOffLoopReasons checks which requests an event loop serves
// itself and which it hands to a goroutine, and that both are answered
// alike: an IP upstream stays on the loop; an https upstream, a name not
// resolved yet and a protocol switch leave it, each counted under its
// reason. A name resolved once is served on the loop afterwards.
func TestLoopOffLoopReasons(t *testing.T) {
	if defaultEngine != engineLoop {
		t.Skip("counts requests of the event loops; the suite runs on another engine")
	}
	up := newEchoUpstream(t)
	tlsUp := newTLSUpstream(t)
	resolver := nxdomainResolver(t) // ok.test resolves to 127.0.0.1
	noVerify := false
	tests := []struct {
		name    string
		service func(*snapshot.Service)
		upgrade bool
		want    map[string]uint64 // counts after the two requests
	}{
		{"ip upstream", func(*snapshot.Service) {}, false, map[string]uint64{}},
		{"https upstream", func(s *snapshot.Service) {
			s.Protocol, s.Port, s.TLSVerify = "https", portOf(t, tlsUp.URL), &noVerify
		}, false, map[string]uint64{OffLoopTLS: 2}},
		{"name resolved on first use", func(s *snapshot.Service) { s.Host = "ok.test" }, false,
			map[string]uint64{OffLoopDNS: 1}},
		{"protocol switch", func(*snapshot.Service) {}, true, map[string]uint64{OffLoopUpgrade: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := newService(t, up.URL)
			tc.service(svc)
			svc.Addr, svc.HostHeader = parseAddr(svc.Host), ""
			holder := buildHolder(t, testRoute{id: "r", name: "r", paths: []string{"/"}, service: svc})
			opts := defaultTestOptions()
			opts.Resolver = resolver
			g := startGateway(t, opts, holder)
			for range 2 {
				header := http.Header{}
				if tc.upgrade {
					header.Set("Connection", "Upgrade")
					header.Set("Upgrade", "websocket")
				}
				if status := rawStatus(t, g, header); status == 0 || status >= 500 {
					t.Fatalf("status %d", status)
				}
			}
			got := g.proxy.OffLoop()
			for _, r := range offLoopReasons {
				if got[r] != tc.want[r] {
					t.Errorf("off the loop for %s: %d, want %d", r, got[r], tc.want[r])
				}
			}
		})
	}
}

// rawStatus sends one GET with header on a new connection and returns
// the response status (0 when none could be read).
func rawStatus(t *testing.T, g *gateway, header http.Header) int {
	t.Helper()
	conn, err := net.Dial("tcp", g.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	b.WriteString("GET /x HTTP/1.1\r\nHost: gw.test\r\n")
	for k, vs := range header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func parseAddr(host string) netip.Addr {
	a, _ := netip.ParseAddr(host)
	return a
}
