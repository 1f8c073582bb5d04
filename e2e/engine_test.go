package e2e

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawExchange writes raw bytes to addr and reads until the server closes
// the connection. closed is false when the connection was still open
// after the read deadline.
func rawExchange(t *testing.T, addr, raw string) (out string, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(conn)
	var ne net.Error
	timedOut := errors.As(err, &ne) && ne.Timeout()
	return string(b), !timedOut
}

// countingUpstream is an echo upstream that counts the requests it saw.
func countingUpstream(t *testing.T, hits *atomic.Int64) string {
	t.Helper()
	up := echoUpstream(t)
	inner := up.Config.Handler
	up.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		inner.ServeHTTP(w, r)
	})
	return up.URL
}

// TestFramingStrictness: requests whose framing is ambiguous are refused
// with 400 and a closed connection before anything reaches the upstream;
// oversized heads get Kong's error template.
func TestFramingStrictness(t *testing.T) {
	var hits atomic.Int64
	upURL := countingUpstream(t, &hits)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "s", "url": upURL})
	n.mustAdmin(201, "POST", "/services/s/routes", map[string]any{"paths": []string{"/"}})
	waitFor(t, 2*time.Second, "the route", func() bool {
		res := n.get("/ready")
		res.Body.Close()
		return res.StatusCode == 200
	})
	before := hits.Load()

	many := ""
	for i := 0; i < 120; i++ {
		many += "X-H-" + strings.Repeat("a", i%7+1) + ": v\r\n"
	}
	tests := []struct {
		desc, raw, status, body string
	}{
		{"Content-Length and Transfer-Encoding",
			"POST /smuggle HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 400", "Bad request"},
		{"two different Content-Length values",
			"POST /smuggle HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
			"HTTP/1.1 400", "Bad request"},
		{"too many header fields", "GET /many HTTP/1.1\r\nHost: a\r\n" + many + "\r\n",
			"HTTP/1.1 431", "Request header or cookie too large\nrequest_id: "},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			out, closed := rawExchange(t, n.proxyAddr, tc.raw)
			if !strings.HasPrefix(out, tc.status) {
				t.Fatalf("response %q", out)
			}
			if !strings.Contains(out, tc.body) {
				t.Errorf("body lacks %q: %q", tc.body, out)
			}
			if !closed {
				t.Errorf("connection left open after a refused request")
			}
			if strings.Count(out, "HTTP/1.1 ") != 1 {
				t.Errorf("bytes after the refused request were served: %q", out)
			}
		})
	}
	if got := hits.Load() - before; got != 0 {
		t.Errorf("upstream saw %d refused requests", got)
	}
}

// TestWebSocketTunnel upgrades a connection through the proxy and checks
// that bytes flow both ways afterwards, including bytes the client sent
// right behind the upgrade request.
func TestWebSocketTunnel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	upgradeSeen := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				upgradeSeen <- req.Header.Get("Connection") + "|" + req.Header.Get("Upgrade")
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello ")
				// Echo everything back, upper-cased, until the client closes.
				buf := make([]byte, 1024)
				for {
					k, err := br.Read(buf)
					if k > 0 {
						c.Write([]byte(strings.ToUpper(string(buf[:k]))))
					}
					if err != nil {
						return
					}
				}
			}(c)
		}
	}()
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "ws", "url": "http://" + ln.Addr().String()})
	n.mustAdmin(201, "POST", "/services/ws/routes", map[string]any{"paths": []string{"/ws"}})
	echo := echoUpstream(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "plain", "url": echo.URL})
	n.mustAdmin(201, "POST", "/services/plain/routes", map[string]any{"paths": []string{"/plain"}})
	waitFor(t, 2*time.Second, "the routes", func() bool {
		res := n.get("/plain")
		res.Body.Close()
		return res.StatusCode == 200
	})

	conn, err := net.Dial("tcp", n.proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nearly ")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 101 || res.Header.Get("Upgrade") != "websocket" || res.Header.Get("Connection") != "Upgrade" {
		t.Fatalf("upgrade answer: %d %v", res.StatusCode, res.Header)
	}
	if got := <-upgradeSeen; got != "Upgrade|websocket" {
		t.Errorf("upstream saw Connection|Upgrade = %q", got)
	}
	io.WriteString(conn, "ping")
	want := "hello EARLY PING"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
		t.Fatalf("tunnel returned %q (%v), want %q", got, err, want)
	}
}

// TestHTTP2Listener: a listener with the http2 flag speaks HTTP/2 over
// TLS (served by net/http) with the same proxy behaviour.
func TestHTTP2Listener(t *testing.T) {
	up := echoUpstream(t)
	plain, secure := freeAddr(t), freeAddr(t)
	n := startNode(t, "STRAIT_PROXY_LISTEN="+plain+", "+secure+" ssl http2")
	n.proxyAddr, n.proxyURL = plain, "http://"+plain
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "s", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/s/routes", map[string]any{"paths": []string{"/api"}, "strip_path": true})
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}}
	var res *http.Response
	waitFor(t, 2*time.Second, "the route over HTTP/2", func() bool {
		var err error
		res, err = client.Get("https://" + secure + "/api/users?x=1")
		if err != nil {
			t.Fatalf("https request: %v", err)
		}
		if res.StatusCode != 200 {
			res.Body.Close()
			return false
		}
		return true
	})
	if res.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", res.Proto)
	}
	if res.Header.Get("Via") != "1.1 kong/3.9.1" || res.Header.Get("X-Kong-Upstream-Latency") == "" {
		t.Errorf("gateway response headers missing: %v", res.Header)
	}
	e := readEcho(t, res)
	if e.URI != "/users?x=1" || http.Header(e.Headers).Get("Via") != "2 kong/3.9.1" || http.Header(e.Headers).Get("X-Forwarded-Proto") != "https" {
		t.Errorf("upstream saw %q with %v", e.URI, e.Headers)
	}
	res, err := client.Get("https://" + secure + "/none")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(body), "no Route matched with those values") {
		t.Errorf("no route over HTTP/2: %d %s", res.StatusCode, body)
	}
}
