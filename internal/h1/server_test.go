package h1

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func testServerValidRequests(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(echoHandler)})
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"origin form", "GET /a/b?x=1&y HTTP/1.1\r\nHost: example.com\r\n\r\n",
			"method=GET path=/a/b query=x=1&y host=example.com port=0 headers=1 body="},
		{"host with port", "GET / HTTP/1.1\r\nHost: example.com:8000\r\nX-A: 1\r\n\r\n",
			"method=GET path=/ query= host=example.com port=8000 headers=2 body="},
		{"absolute form wins over Host", "GET http://evil.example/admin?q HTTP/1.1\r\nHost: good\r\n\r\n",
			"method=GET path=/admin query=q host=evil.example port=0 headers=1 body="},
		{"absolute form without path", "GET http://a.example:81 HTTP/1.1\r\nHost: a\r\n\r\n",
			"method=GET path=/ query= host=a.example port=81 headers=1 body="},
		{"content-length body", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
			"method=POST path=/p query= host=a port=0 headers=2 body=hello"},
		{"identical duplicate CL", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
			"method=POST path=/p query= host=a port=0 headers=3 body=hi"},
		{"chunked body with extension and trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
			"method=POST path=/ query= host=a port=0 headers=2 body=hello world"},
		{"tab and case in TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tcHuNkEd\r\n\r\n2\r\nok\r\n0\r\n\r\n",
			"method=POST path=/ query= host=a port=0 headers=2 body=ok"},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n",
			"method=GET path=/ query= host= port=0 headers=0 body="},
		{"bare LF head", "GET / HTTP/1.1\nHost: a\n\n",
			"method=GET path=/ query= host=a port=0 headers=1 body="},
		{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"method=GET path=/ query= host=a port=0 headers=1 body="},
		{"OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
			"method=OPTIONS path=* query= host=a port=0 headers=1 body="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body, _ := roundTripRaw(t, addr, tc.raw)
			if resp.StatusCode != 200 || body != tc.want {
				t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, tc.want)
			}
		})
	}
}

// TestServerSmuggling sends the framing attacks of the smuggling corpus;
// each must be refused with the status given and the connection closed,
// so no leftover bytes can become a second request.
func testServerSmuggling(t *testing.T) {
	served := make(chan string, 100)
	addr := startServer(t, &Server{Handler: HandlerFunc(func(x *Exchange) {
		body, err := io.ReadAll(x.Request().Body())
		if err != nil {
			served <- "body error"
			x.CloseAfter()
			x.WriteHeader(400)
			return
		}
		served <- string(x.Request().Path()) + ":" + string(body)
		x.WriteHeader(200)
	})})
	const h = "POST / HTTP/1.1\r\nHost: a\r\n"
	cases := []struct {
		name   string
		raw    string
		status int
	}{
		{"CL.TE", h + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400},
		{"TE.CL", h + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400},
		{"TE xchunked", h + "Transfer-Encoding: xchunked\r\n\r\n", 501},
		{"TE chunked, identity", h + "Transfer-Encoding: chunked, identity\r\n\r\n", 501},
		{"TE quoted", h + "Transfer-Encoding: \"chunked\"\r\n\r\n", 501},
		{"TE with parameter", h + "Transfer-Encoding: chunked;q=1\r\n\r\n", 501},
		{"two TE lines", h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", 400},
		{"two chunked TE lines", h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"space before colon", h + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400},
		{"obs-fold", h + "X: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"vertical tab in name", h + "Transfer-Encoding\x0b: chunked\r\n\r\n", 400},
		{"CL 5 then 6", h + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
		{"CL list", h + "Content-Length: 5, 6\r\n\r\nhello!", 400},
		{"CL same list", h + "Content-Length: 5, 5\r\n\r\nhello", 400},
		{"CL plus sign", h + "Content-Length: +5\r\n\r\nhello", 400},
		{"CL negative", h + "Content-Length: -1\r\n\r\n", 400},
		{"CL hex", h + "Content-Length: 0x5\r\n\r\nhello", 400},
		{"CL overflow", h + "Content-Length: 99999999999999999999\r\n\r\n", 400},
		{"chunk size overflow", h + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff1\r\n", 400},
		{"chunk size bare LF", h + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400},
		{"chunk ext bare LF", h + "Transfer-Encoding: chunked\r\n\r\n5 ; ext\nhello\r\n0\r\n\r\n", 400},
		{"chunk size not hex", h + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"chunk data without CRLF", h + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400},
		{"trailer injection", h + "Transfer-Encoding: chunked\r\n\r\n0\r\n Transfer-Encoding: x\r\n\r\n", 400},
		{"HTTP/1.0 with TE", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"HTTP/0.9", "GET /\r\n\r\n", 400},
		{"extra after version", "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"HTTP/2.0 line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
		{"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"Host with userinfo", "GET / HTTP/1.1\r\nHost: good@evil\r\n\r\n", 400},
		{"Host with slash", "GET / HTTP/1.1\r\nHost: evil/good\r\n\r\n", 400},
		{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"absolute form with userinfo", "GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"unknown scheme", "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400},
		{"empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400},
		{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400},
		{"bad method byte", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A follow-up request rides along: it must never be served.
			resp, _, c := roundTripRaw(t, addr, tc.raw+"GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !c.closed() {
				t.Fatal("connection left open after a framing error")
			}
			for len(served) > 0 {
				if got := <-served; strings.HasPrefix(got, "/smuggled") {
					t.Fatalf("smuggled request reached the handler")
				}
			}
		})
	}
}

func testServerPipelining(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(echoHandler)})
	c := dialRaw(t, addr)
	c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n" +
		"GET /4 HTTP/1.1\r\nHost: a\r\n\r\n")
	want := []string{"path=/1 ", "path=/2 ", "path=/3 ", "path=/4 "}
	for i, w := range want {
		resp, body := c.response("GET")
		if resp.StatusCode != 200 || !strings.Contains(body, w) {
			t.Fatalf("response %d: %d %q, want %q", i, resp.StatusCode, body, w)
		}
	}
}

func testServerKeepAliveAndClose(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(echoHandler), MaxRequestsPerConn: 3})
	cases := []struct {
		name      string
		requests  []string
		closeConn []bool // expected Connection: close on each response
	}{
		{"HTTP/1.1 default keep-alive", []string{
			"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"}, []bool{false, false}},
		{"client asks close", []string{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"}, []bool{true}},
		{"HTTP/1.0 keep-alive", []string{
			"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"}, []bool{false, true}},
		{"max requests per connection", []string{
			"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
			[]bool{false, false, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			for i, raw := range tc.requests {
				c.send(raw)
				resp, _ := c.response("GET")
				if resp.Close != tc.closeConn[i] {
					t.Fatalf("request %d: close=%v, want %v", i, resp.Close, tc.closeConn[i])
				}
			}
			if tc.closeConn[len(tc.closeConn)-1] && !c.closed() {
				t.Fatal("connection not closed")
			}
		})
	}
}

func testServerResponseFraming(t *testing.T) {
	big := strings.Repeat("0123456789", 2000)
	addr := startServer(t, &Server{Handler: HandlerFunc(func(x *Exchange) {
		switch string(x.Request().Path()) {
		case "/small":
			_, _ = io.WriteString(x, "small body")
		case "/big":
			_, _ = io.WriteString(x, big)
		case "/streamed":
			x.WriteHeader(200)
			_, _ = io.WriteString(x, "part1,")
			_ = x.Flush()
			_, _ = io.WriteString(x, "part2")
		case "/204":
			x.WriteHeader(204)
			_, _ = io.WriteString(x, "dropped")
		case "/304":
			x.SetContentLength(10)
			x.WriteHeader(304)
		case "/head":
			x.SetContentLength(int64(len(big)))
			_, _ = io.WriteString(x, big)
		case "/copy":
			x.SetContentLength(int64(len(big)))
			_, _, _ = x.Copy(strings.NewReader(big))
		case "/copy-chunked":
			_, _, _ = x.Copy(strings.NewReader(big))
		case "/short":
			x.SetContentLength(100)
			_, _ = io.WriteString(x, "only this")
		}
	})})
	cases := []struct {
		method, path string
		status       int
		body         string
		chunked      bool
		cl           int64
		closes       bool
	}{
		{"GET", "/small", 200, "small body", false, 10, false},
		{"GET", "/big", 200, big, true, -1, false},
		{"GET", "/streamed", 200, "part1,part2", true, -1, false},
		{"GET", "/204", 204, "", false, 0, false},
		{"GET", "/304", 304, "", false, 10, false},
		{"HEAD", "/head", 200, "", false, int64(len(big)), false},
		{"HEAD", "/small", 200, "", false, -1, false},
		{"GET", "/copy", 200, big, false, int64(len(big)), false},
		{"GET", "/copy-chunked", 200, big, true, -1, false},
	}
	c := dialRaw(t, addr)
	for _, tc := range cases {
		c.send(tc.method + " " + tc.path + " HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, body := c.response(tc.method)
		chunked := len(resp.TransferEncoding) > 0
		if resp.StatusCode != tc.status || body != tc.body || chunked != tc.chunked || resp.Close != tc.closes {
			t.Fatalf("%s %s: status %d chunked %v close %v body %d bytes", tc.method, tc.path,
				resp.StatusCode, chunked, resp.Close, len(body))
		}
		if tc.method != "HEAD" && tc.status != 304 && resp.ContentLength != tc.cl {
			t.Fatalf("%s: content length %d, want %d", tc.path, resp.ContentLength, tc.cl)
		}
		if tc.method == "HEAD" && tc.cl >= 0 && resp.Header.Get("Content-Length") == "" {
			t.Fatalf("%s: HEAD lost its Content-Length", tc.path)
		}
		if resp.Header.Get("Date") == "" {
			t.Fatalf("%s: no Date", tc.path)
		}
	}
	// A body shorter than its Content-Length ends the connection.
	c.send("GET /short HTTP/1.1\r\nHost: a\r\n\r\n")
	head := make([]byte, 4096)
	n, _ := io.ReadAtLeast(c.br, head, 1)
	if !strings.Contains(string(head[:n]), "Content-Length: 100") || !c.closed() {
		t.Fatalf("truncated response not followed by close: %q", head[:n])
	}
}

func testServerLimits(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(echoHandler), MaxURIBytes: 1024, MaxHeaderBytes: 8 << 10, MaxHeaders: 20})
	manyHeaders := strings.Repeat("X-H: v\r\n", 21)
	cases := []struct {
		name   string
		raw    string
		status int
	}{
		{"URI at limit", "GET /" + strings.Repeat("a", 1023) + " HTTP/1.1\r\nHost: a\r\n\r\n", 200},
		{"URI over limit", "GET /" + strings.Repeat("a", 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
		{"URI over buffer", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
		{"headers at count limit", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-H: v\r\n", 19) + "\r\n", 200},
		{"too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + manyHeaders + "\r\n", 431},
		{"one huge header", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 9000) + "\r\n\r\n", 431},
		{"head grows past read buffer", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 6000) + "\r\n\r\n", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, c := roundTripRaw(t, addr, tc.raw)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 && !c.closed() {
				t.Fatal("connection left open")
			}
		})
	}
}

func testServerExpectContinue(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(func(x *Exchange) {
		if string(x.Request().Path()) == "/refuse" {
			x.WriteHeader(413) // refuse without reading
			return
		}
		echoHandler(x)
	})})
	c := dialRaw(t, addr)
	c.send("POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	line, err := c.br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q, %v", line, err)
	}
	if blank, _ := c.br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("interim response not terminated: %q", blank)
	}
	c.send("hello")
	resp, body := c.response("POST")
	if resp.StatusCode != 200 || !strings.HasSuffix(body, "body=hello") {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	c.send("POST /refuse HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	resp, _ = c.response("POST")
	if resp.StatusCode != 413 || !resp.Close {
		t.Fatalf("refusal: %d close=%v", resp.StatusCode, resp.Close)
	}
}

func testServerUnreadBody(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(func(x *Exchange) {
		_, _ = io.WriteString(x, string(x.Request().Path()))
	})})
	c := dialRaw(t, addr)
	// A small unread body is drained; the next request is served.
	c.send("POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789GET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
	for _, want := range []string{"/1", "/2"} {
		resp, body := c.response("GET")
		if resp.StatusCode != 200 || body != want || resp.Close {
			t.Fatalf("got %d %q close=%v, want %q", resp.StatusCode, body, resp.Close, want)
		}
	}
	// A large unread body closes the connection.
	c.send("POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\nxx")
	resp, _ := c.response("GET")
	if !resp.Close || !c.closed() {
		t.Fatal("connection kept open with a large unread body")
	}
}

func testServerHijack(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(func(x *Exchange) {
		if !x.Request().Upgrade() {
			x.WriteHeader(400)
			return
		}
		_ = x.ResponseHeader().Set("Connection", "Upgrade")
		_ = x.ResponseHeader().Set("Upgrade", "echo")
		x.WriteHeader(101)
		conn, rest, err := x.Hijack()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			_, _ = conn.Write(rest)
			_, _ = io.Copy(conn, conn)
		}()
	})})
	c := dialRaw(t, addr)
	c.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly")
	resp, _ := c.response("GET")
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	c.send("+late")
	buf := make([]byte, 10)
	if _, err := io.ReadFull(c.br, buf); err != nil || string(buf) != "early+late" {
		t.Fatalf("tunnel echoed %q, %v", buf, err)
	}
}

func testServerTimeouts(t *testing.T) {
	addr := startServer(t, &Server{Handler: HandlerFunc(echoHandler),
		IdleTimeout: 100 * time.Millisecond, ReadHeaderTimeout: 100 * time.Millisecond})
	t.Run("idle", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		c.response("GET")
		if !c.closed() {
			t.Fatal("idle connection not closed")
		}
	})
	t.Run("slow head", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.send("GET / HTTP/1.1\r\n")
		start := time.Now()
		if !c.closed() || time.Since(start) > time.Second {
			t.Fatal("slow head not cut")
		}
	})
}

func testServerShutdownDrains(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	srv := &Server{Handler: HandlerFunc(func(x *Exchange) {
		if string(x.Request().Path()) == "/slow" {
			close(started)
			<-release
		}
		_, _ = io.WriteString(x, "done")
	})}
	addr := startServer(t, srv)
	idle := dialRaw(t, addr)
	idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	idle.response("GET")
	busy := dialRaw(t, addr)
	busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started

	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdownDone <- srv.Shutdown(ctx)
	}()
	if !idle.closed() {
		t.Fatal("idle connection not closed by Shutdown")
	}
	select {
	case <-shutdownDone:
		t.Fatal("Shutdown returned with a request in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	resp, body := busy.response("GET")
	if resp.StatusCode != 200 || body != "done" || !resp.Close {
		t.Fatalf("in-flight request: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	if err := <-shutdownDone; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := dialRawErr(addr); err == nil {
		t.Fatal("listener still accepting after Shutdown")
	}
}

// testServerConnStates follows one keep-alive connection through its
// states as ConnStateHook reports them.
func testServerConnStates(t *testing.T) {
	var mu sync.Mutex
	var got []string
	names := map[ConnState]string{0: "-", StateNew: "new", StateActive: "active", StateIdle: "idle", StateClosed: "closed"}
	srv := &Server{Handler: HandlerFunc(echoHandler), ConnStateHook: func(from, to ConnState) {
		mu.Lock()
		got = append(got, names[from]+">"+names[to])
		mu.Unlock()
	}}
	addr := startServer(t, srv)
	c := dialRaw(t, addr)
	c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n")
	c.response("GET")
	c.send("GET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	c.response("GET")
	if !c.closed() {
		t.Fatal("connection not closed")
	}
	want := "->new new>active active>idle idle>active active>idle idle>closed"
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		done := strings.Join(got, " ") == want
		mu.Unlock()
		if done {
			return
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Fatalf("states %q, want %q", strings.Join(got, " "), want)
}

// TestServer runs the server tests with both ways of serving: a goroutine
// per connection (Serve) and the event loops (ServeEvents), where these
// synchronous handlers run off the loop.
func TestServer(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"ConnStates", testServerConnStates},
		{"ValidRequests", testServerValidRequests},
		{"Smuggling", testServerSmuggling},
		{"Pipelining", testServerPipelining},
		{"KeepAliveAndClose", testServerKeepAliveAndClose},
		{"ResponseFraming", testServerResponseFraming},
		{"Limits", testServerLimits},
		{"ExpectContinue", testServerExpectContinue},
		{"UnreadBody", testServerUnreadBody},
		{"Hijack", testServerHijack},
		{"Timeouts", testServerTimeouts},
		{"ShutdownDrains", testServerShutdownDrains},
	}
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					useEngine(t, engine)
					tc.fn(t)
				})
			}
		})
	}
}
