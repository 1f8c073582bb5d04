package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/snapshot"
)

// nxdomainResolver returns a resolver whose nameserver answers NXDOMAIN
// for every name except ok.test (127.0.0.1).
func nxdomainResolver(t *testing.T) *dns.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, req *mdns.Msg) {
		resp := new(mdns.Msg)
		resp.SetReply(req)
		q := req.Question[0]
		if q.Name == "ok.test." && q.Qtype == mdns.TypeA {
			rr, _ := mdns.NewRR("ok.test. 5 IN A 127.0.0.1")
			resp.Answer = append(resp.Answer, rr)
		} else if q.Name != "ok.test." {
			resp.Rcode = mdns.RcodeNameError
		}
		_ = w.WriteMsg(resp)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	r, err := dns.New(dns.Config{Nameservers: []string{pc.LocalAddr().String()}, DisableHosts: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// closedPort returns a loopback port with nothing listening.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// rawUpstream accepts connections and runs handle on each; it counts them.
func rawUpstream(t *testing.T, handle func(net.Conn)) (port int, accepted *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted = &atomic.Int32{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go handle(c)
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, accepted
}

// readHead consumes a request head from c.
func readHead(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}

func TestUpstreamFailureClasses(t *testing.T) {
	resolver := nxdomainResolver(t)
	garbagePort, _ := rawUpstream(t, func(c net.Conn) {
		defer c.Close()
		readHead(c)
		_, _ = io.WriteString(c, "this is not http\r\n\r\n")
	})
	resetPort, _ := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	slow := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(500 * time.Millisecond)
	})
	slowBody := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		time.Sleep(500 * time.Millisecond)
	})
	tlsUp := newTLSUpstream(t)
	verify := true

	tests := []struct {
		desc    string
		service func(*snapshot.Service)
		status  int
		class   FailureClass
		message string
	}{
		{"connection refused", func(s *snapshot.Service) { s.Host, s.Port = "127.0.0.1", closedPort(t) },
			502, FailConnectRefused, msgInvalidResponse},
		{"name does not resolve", func(s *snapshot.Service) { s.Host, s.Port = "missing.test", 80 },
			503, FailDNSNotFound, msgNameResolution},
		{"read timeout", func(s *snapshot.Service) { s.Port = portOf(t, slow.URL); s.ReadTimeout = 100 * time.Millisecond },
			504, FailReadTimeout, msgTimingOut},
		{"garbage response", func(s *snapshot.Service) { s.Port = garbagePort },
			502, FailBadResponse, msgInvalidResponse},
		{"reset before response", func(s *snapshot.Service) { s.Port = resetPort },
			502, FailReset, msgInvalidResponse},
		{"untrusted certificate with tls_verify", func(s *snapshot.Service) {
			s.Protocol, s.Port, s.TLSVerify = "https", portOf(t, tlsUp.URL), &verify
		}, 502, FailTLS, msgInvalidResponse},
		{"connect timeout", func(s *snapshot.Service) {
			// A deadline that has passed before the connect completes.
			s.Port, s.ConnectTimeout = closedPort(t), time.Nanosecond
		}, 504, FailConnectTimeout, msgTimingOut},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			svc := &snapshot.Service{ID: "svc-f", Name: "failing", Protocol: "http", Host: "127.0.0.1",
				ConnectTimeout: time.Second, WriteTimeout: time.Second, ReadTimeout: time.Second}
			tc.service(svc)
			holder := buildHolder(t, testRoute{id: "route-f", name: "rf", paths: []string{"/"}, service: svc})
			opts := defaultTestOptions()
			opts.Resolver = resolver
			opts.AllowDebugHeader = true
			g := startGateway(t, opts, holder)
			resp := g.do(t, "GET", "/", http.Header{"Kong-Debug": {"1"}}, nil)
			body := readBody(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d (body %q)", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("Strait-Upstream-Error"); got != string(tc.class) {
				t.Errorf("class = %q, want %q", got, tc.class)
			}
			// No Accept header: gateway-level errors default to text/plain.
			if want := tc.message + "\nrequest_id: " + resp.Header.Get("X-Kong-Request-Id") + "\n"; body != want {
				t.Errorf("body = %q, want %q", body, want)
			}
			if resp.Header.Get("Via") != "" || resp.Header.Get("X-Kong-Response-Latency") == "" {
				t.Errorf("generated response headers wrong: %v", resp.Header)
			}
			if resp.Header.Get("Kong-Route-Id") != "route-f" || resp.Header.Get("Kong-Service-Name") != "failing" {
				t.Errorf("debug headers missing: %v", resp.Header)
			}
			errLine := g.errorLog.String()
			for _, want := range []string{`"class":"` + string(tc.class) + `"`, `"service_id":"svc-f"`,
				`"route_name":"rf"`, `"upstream_host":"` + svc.Host + `"`, `"attempt":1`} {
				if !strings.Contains(errLine, want) {
					t.Errorf("error log lacks %s: %s", want, errLine)
				}
			}
			if tc.class != FailDNSNotFound && !strings.Contains(errLine, `"upstream_addr":"`) {
				t.Errorf("error log lacks the resolved address: %s", errLine)
			}
		})
	}

	t.Run("read timeout while streaming the body aborts the client connection", func(t *testing.T) {
		svc := newService(t, slowBody.URL)
		svc.ReadTimeout = 100 * time.Millisecond
		g := startGateway(t, defaultTestOptions(), buildHolder(t, testRoute{paths: []string{"/"}, service: svc}))
		resp, err := g.server.Client().Get(g.server.URL + "/")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatal("truncated response delivered without error")
		}
		g.proxy.Flush()
		if !strings.Contains(g.accessLog.String(), `"error":"read-timeout"`) {
			t.Errorf("access log: %s", g.accessLog.String())
		}
	})
}

func portOf(t *testing.T, rawURL string) int {
	t.Helper()
	i := strings.LastIndexByte(rawURL, ':')
	p, err := strconv.Atoi(rawURL[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRetries(t *testing.T) {
	tests := []struct {
		desc      string
		retries   int
		handle    func(net.Conn)
		body      string
		wantConns int32
	}{
		{"reset before response retried", 2, resetConn, "", 3},
		{"no retries configured", 0, resetConn, "", 1},
		{"garbage response not retried", 3, garbageConn, "", 1},
		{"body already sent not retried", 3, readAllThenReset, strings.Repeat("x", 1000), 1},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			port, accepted := rawUpstream(t, tc.handle)
			svc := &snapshot.Service{ID: "s", Protocol: "http", Host: "127.0.0.1", Port: port, Retries: tc.retries,
				ConnectTimeout: time.Second, WriteTimeout: time.Second, ReadTimeout: time.Second}
			g := startGateway(t, defaultTestOptions(), buildHolder(t, testRoute{paths: []string{"/"}, service: svc}))
			method, body := "GET", io.Reader(nil)
			if tc.body != "" {
				method, body = "POST", strings.NewReader(tc.body)
			}
			resp := g.do(t, method, "/", nil, body)
			readBody(t, resp)
			if resp.StatusCode != 502 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := accepted.Load(); got != tc.wantConns {
				t.Errorf("upstream connections = %d, want %d", got, tc.wantConns)
			}
			g.proxy.Flush()
			lines := g.accessLog.lines(t)
			tries := lines[0]["tries"].([]any)
			if len(tries) != int(tc.wantConns) {
				t.Errorf("logged tries = %d, want %d", len(tries), tc.wantConns)
			}
		})
	}

	t.Run("refused connections retried up to the retry count", func(t *testing.T) {
		svc := &snapshot.Service{ID: "s", Protocol: "http", Host: "127.0.0.1", Port: closedPort(t), Retries: 4,
			ConnectTimeout: time.Second, WriteTimeout: time.Second, ReadTimeout: time.Second}
		g := startGateway(t, defaultTestOptions(), buildHolder(t, testRoute{paths: []string{"/"}, service: svc}))
		readBody(t, g.do(t, "GET", "/", nil, nil))
		if n := strings.Count(g.errorLog.String(), `"class":"connect-refused"`); n != 5 {
			t.Errorf("refused attempts logged = %d, want 5", n)
		}
	})
}

func resetConn(c net.Conn) {
	readHead(c)
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

func garbageConn(c net.Conn) {
	defer c.Close()
	readHead(c)
	_, _ = io.WriteString(c, "garbage\r\n\r\n")
}

func readAllThenReset(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, _ = io.Copy(io.Discard, c)
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}
