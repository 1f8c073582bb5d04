package h1

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func getRequest(target string) *OutRequest {
	return &OutRequest{Method: []byte("GET"), Target: []byte(target), Host: []byte("up"), ReadTimeout: 2 * time.Second}
}

// do runs one request on p and returns the status and body.
func do(t *testing.T, p *Pool, req *OutRequest) (int, string, error) {
	t.Helper()
	c, err := p.Get(time.Second)
	if err != nil {
		return 0, "", err
	}
	defer c.Release()
	resp, err := c.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	body, err := io.ReadAll(resp.Body())
	return resp.Status(), string(body), err
}

func TestClientResponseFraming(t *testing.T) {
	cases := []struct {
		name   string
		method string
		reply  string
		status int
		body   string
		reuse  bool
	}{
		{"content length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", true},
		{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x\r\n!\r\n0\r\nT: v\r\n\r\n", 200, "hello!", true},
		{"close delimited", "GET", "HTTP/1.1 200 OK\r\n\r\nuntil close" + closeMark, 200, "until close", false},
		{"interim skipped", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true},
		{"HEAD has no body", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", 200, "", true},
		{"204 has no body", "GET", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", true},
		{"304 has no body", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 304, "", true},
		{"connection close", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", 200, "x", false},
		{"HTTP/1.0 without keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", false},
		{"HTTP/1.0 keep-alive", "GET", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 200, "x", true},
		{"empty reason", "GET", "HTTP/1.1 599\r\nContent-Length: 0\r\n\r\n", 599, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := startRawUpstream(t, func(int) string { return tc.reply })
			p := up.pool()
			req := getRequest("/")
			req.Method = []byte(tc.method)
			status, body, err := do(t, p, req)
			if err != nil || status != tc.status || body != tc.body {
				t.Fatalf("got %d %q %v", status, body, err)
			}
			if got := p.IdleCount() == 1; got != tc.reuse {
				t.Fatalf("pooled=%v, want %v", got, tc.reuse)
			}
		})
	}
}

func TestClientMalformedResponses(t *testing.T) {
	cases := []struct {
		name  string
		reply string
		kind  ErrorKind
	}{
		{"CL and TE", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", KindBadResponse},
		{"two CL", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", KindBadResponse},
		{"TE not chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc", KindBadResponse},
		{"bare LF chunk line", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", KindBadResponse},
		{"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff1\r\n", KindBadResponse},
		{"invalid status", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", KindBadResponse},
		{"status below 100", "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n", KindBadResponse},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", KindBadResponse},
		{"HTTP/2 status line", "HTTP/2 200\r\n\r\n", KindBadResponse},
		{"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", KindBadResponse},
		{"oversized head", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 70<<10) + "\r\n\r\n", KindBadResponse},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" + closeMark, KindReset},
		{"truncated chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab" + closeMark, KindReset},
		{"closed without response", closeMark, KindReset},
		{"truncated head", "HTTP/1.1 200 OK\r\nContent-" + closeMark, KindReset},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := startRawUpstream(t, func(int) string { return tc.reply })
			p := up.pool()
			_, _, err := do(t, p, getRequest("/"))
			var ue *UpstreamError
			if !errors.As(err, &ue) || ue.Kind != tc.kind {
				t.Fatalf("error %v, want kind %v", err, tc.kind)
			}
			if p.IdleCount() != 0 {
				t.Fatal("broken connection returned to the pool")
			}
		})
	}
}

func TestClientPoolReuseAndMaxRequests(t *testing.T) {
	up := startRawUpstream(t, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	p := up.pool()
	p.MaxRequestsPerConn = 3
	for i := 0; i < 7; i++ {
		if status, _, err := do(t, p, getRequest("/")); err != nil || status != 200 {
			t.Fatalf("request %d: %d %v", i, status, err)
		}
	}
	// 7 requests at 3 per connection need 3 connections.
	if got := up.acceptedCount(); got != 3 {
		t.Fatalf("%d connections, want 3", got)
	}
	p.Close()
	if _, err := p.Get(time.Second); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
}

func TestClientPoolIdleLimits(t *testing.T) {
	up := startRawUpstream(t, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" })
	p := up.pool()
	p.MaxIdle = 2
	p.IdleTimeout = 50 * time.Millisecond
	var conns []*ClientConn
	for i := 0; i < 3; i++ {
		c, err := p.Get(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.RoundTrip(getRequest("/")); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	if n := p.IdleCount(); n != 2 {
		t.Fatalf("%d idle, want MaxIdle 2", n)
	}
	time.Sleep(80 * time.Millisecond)
	c, err := p.Get(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Reused() {
		t.Fatal("stale connection reused after IdleTimeout")
	}
	c.Close()
}

func TestClientRequestWriting(t *testing.T) {
	got := make(chan string, 4)
	srv := &Server{Handler: HandlerFunc(func(x *Exchange) {
		var b strings.Builder
		req := x.Request()
		b.WriteString(string(req.Method()) + " " + string(req.Target()) + " host=" + string(req.Host()))
		req.Header().Range(func(name, value []byte) bool {
			b.WriteString(" " + string(name) + "=" + string(value))
			return true
		})
		body, _ := io.ReadAll(req.Body())
		b.WriteString(" body=" + string(body))
		got <- b.String()
		x.WriteHeader(200)
	})}
	addr := startServer(t, srv)
	p := &Pool{Dial: dialTo(addr)}

	var h Header
	_ = h.Add("X-A", "1")
	_ = h.Add("Host", "ignored")
	_ = h.Add("Content-Length", "999")
	_ = h.Add("Transfer-Encoding", "gzip")
	_ = h.Add("Connection", "Upgrade")
	cases := []struct {
		name string
		req  OutRequest
		want string
	}{
		{"fixed body", OutRequest{Method: []byte("POST"), Target: []byte("/p?q=1"), Host: []byte("svc"), Header: &h,
			ContentLength: 5, Body: strings.NewReader("hello")},
			"POST /p?q=1 host=svc Host=svc X-A=1 Connection=Upgrade Content-Length=5 body=hello"},
		{"chunked body", OutRequest{Method: []byte("PUT"), Target: []byte("/c"), Host: []byte("svc"),
			ContentLength: -1, Body: strings.NewReader(strings.Repeat("z", 10))},
			"PUT /c host=svc Host=svc Transfer-Encoding=chunked body=zzzzzzzzzz"},
		{"empty POST", OutRequest{Method: []byte("POST"), Target: []byte("/e"), Host: []byte("svc")},
			"POST /e host=svc Host=svc Content-Length=0 body="},
		{"close", OutRequest{Method: []byte("GET"), Target: []byte("/"), Host: []byte("svc"), Header: &h, Close: true},
			"GET / host=svc Host=svc X-A=1 Connection=close body="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status, _, err := do(t, p, &tc.req); err != nil || status != 200 {
				t.Fatalf("%d %v", status, err)
			}
			if g := <-got; g != tc.want {
				t.Fatalf("upstream saw\n%s\nwant\n%s", g, tc.want)
			}
		})
	}
	// A body shorter than its declared length is the source's fault.
	c, err := p.Get(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RoundTrip(&OutRequest{Method: []byte("POST"), Target: []byte("/"), Host: []byte("svc"),
		ContentLength: 10, Body: strings.NewReader("abc")})
	c.Release()
	var se *SourceError
	if !errors.As(err, &se) {
		t.Fatalf("short body: %v, want *SourceError", err)
	}
}

func TestClientTimeoutAndRetryable(t *testing.T) {
	t.Run("read timeout", func(t *testing.T) {
		up := startRawUpstream(t, func(int) string { return "" }) // never answers
		p := up.pool()
		req := getRequest("/")
		req.ReadTimeout = 50 * time.Millisecond
		_, _, err := do(t, p, req)
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.Kind != KindTimeout || !ue.Timeout() {
			t.Fatalf("error %v, want timeout", err)
		}
	})
	t.Run("reused connection closed by upstream", func(t *testing.T) {
		// The upstream closes the connection after answering, as on its
		// keep-alive timeout, without announcing it.
		up := startRawUpstream(t, func(int) string {
			return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + closeMark
		})
		p := up.pool()
		if status, _, err := do(t, p, getRequest("/")); err != nil || status != 200 {
			t.Fatalf("first request: %d %v", status, err)
		}
		time.Sleep(50 * time.Millisecond)
		c, _ := p.Get(time.Second)
		if !c.Reused() {
			t.Fatal("pooled connection not reused")
		}
		_, err := c.RoundTrip(getRequest("/"))
		c.Release()
		var ue *UpstreamError
		if !errors.As(err, &ue) || !ue.Retryable() || ue.Kind != KindReset {
			t.Fatalf("error %v, want retryable reset", err)
		}
	})
	t.Run("dial error", func(t *testing.T) {
		p := &Pool{Dial: dialTo("127.0.0.1:1")}
		_, err := p.Get(time.Second)
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.Kind != KindDial {
			t.Fatalf("error %v, want dial", err)
		}
	})
}

func TestClientLargeBodies(t *testing.T) {
	big := bytes.Repeat([]byte("abcdefgh"), 64<<10) // 512 KiB
	srv := &Server{Handler: HandlerFunc(func(x *Exchange) {
		body, _ := io.ReadAll(x.Request().Body())
		if string(x.Request().Path()) == "/chunked" {
			_, _, _ = x.Copy(bytes.NewReader(body))
			return
		}
		x.SetContentLength(int64(len(body)))
		_, _ = x.Write(body)
	})}
	addr := startServer(t, srv)
	p := &Pool{Dial: dialTo(addr)}
	for _, path := range []string{"/fixed", "/chunked"} {
		for _, cl := range []int64{int64(len(big)), -1} {
			req := &OutRequest{Method: []byte("POST"), Target: []byte(path), Host: []byte("a"),
				ContentLength: cl, Body: bytes.NewReader(big), ReadTimeout: 5 * time.Second}
			status, body, err := do(t, p, req)
			if err != nil || status != 200 || body != string(big) {
				t.Fatalf("%s cl=%d: %d %d bytes %v", path, cl, status, len(body), err)
			}
		}
	}
	if p.IdleCount() != 1 {
		t.Fatalf("%d idle connections, want 1 reused", p.IdleCount())
	}
}
