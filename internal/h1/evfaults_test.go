//go:build linux

package h1

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Faults and edge cases of long-lived and unusual connections, checked
// on both engines: the event loops must behave as the goroutine engine.

// scriptedUpstream serves every accepted connection with serve.
func scriptedUpstream(t *testing.T, serve func(conn net.Conn, br *bufio.Reader)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				serve(conn, bufio.NewReader(conn))
			}()
		}
	}()
	return ln
}

// proxyTo returns a loopProxy forwarding to ln.
func proxyTo(ln net.Listener) *loopProxy {
	return &loopProxy{pool: &Pool{Dial: dialTo(ln.Addr().String())}, addr: ln.Addr().(*net.TCPAddr).AddrPort()}
}

// sockBuf sets a socket buffer size before connect or listen.
func sockBuf(opt, size int) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, size) })
	}
}

// TestLongResponseOutlastsReadTimeout streams a body to a client that
// reads steadily but slower than the upstream sends: the transfer takes
// longer than the upstream read timeout, which only bounds waits for the
// upstream, so the body arrives whole.
func TestLongResponseOutlastsReadTimeout(t *testing.T) {
	const size = 8 << 20
	body := strings.Repeat("x", size)
	up := scriptedUpstream(t, func(conn net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		// A short pause first, so that the gateway waits for the
		// upstream once; then the upstream is always ahead.
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", size, body[:1000])
		time.Sleep(20 * time.Millisecond)
		_, _ = io.WriteString(conn, body[1000:])
	})
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			h := proxyTo(up)
			h.readTimeout = 100 * time.Millisecond
			addr := startServer(t, &Server{Handler: h})
			c := dialRaw(t, addr)
			_ = c.conn.SetDeadline(time.Now().Add(10 * time.Second))
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, err := http.ReadResponse(c.br, nil)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64<<10)
			total, start := 0, time.Now()
			for total < size {
				n, err := resp.Body.Read(buf)
				total += n
				if err != nil {
					break
				}
				time.Sleep(4 * time.Millisecond)
			}
			if total != size {
				t.Fatalf("body cut after %d of %d bytes (%v)", total, size, time.Since(start))
			}
		})
	}
}

// TestStreamPausesAfterClientLag has the client lag once (the response
// waits for it), catch up, and then the upstream pause for longer than
// the client write timeout: nothing is pending for the client during the
// pause, so the stream goes on.
func TestStreamPausesAfterClientLag(t *testing.T) {
	up := scriptedUpstream(t, func(conn net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		const n = 40 << 10
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", n, strings.Repeat("z", n))
		time.Sleep(time.Second)
		_, _ = io.WriteString(conn, "3\r\nend\r\n0\r\n\r\n")
	})
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			h := proxyTo(up)
			h.readTimeout = 5 * time.Second
			lc := net.ListenConfig{Control: sockBuf(syscall.SO_SNDBUF, 4096)}
			ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &Server{Handler: h, WriteTimeout: 300 * time.Millisecond}
			done := make(chan struct{})
			go func() {
				defer close(done)
				if engine == "events" {
					_ = srv.ServeEvents(ln)
				} else {
					_ = srv.Serve(ln)
				}
			}()
			t.Cleanup(func() { _ = srv.Close(); <-done })
			d := net.Dialer{Control: sockBuf(syscall.SO_RCVBUF, 4096)}
			conn, err := d.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			time.Sleep(100 * time.Millisecond) // the lag: the gateway's writes block
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || !strings.HasSuffix(string(body), "end") {
				t.Fatalf("stream cut after %d bytes: %v", len(body), err)
			}
		})
	}
}

// TestPipelinedAnswerNotHeldBack sends a complete request followed by the
// start of a second: the first answer goes out without waiting for the
// rest of the second.
func TestPipelinedAnswerNotHeldBack(t *testing.T) {
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			addr := startServer(t, &Server{Handler: &loopEcho{}, ReadHeaderTimeout: 3 * time.Second})
			c := dialRaw(t, addr)
			_ = c.conn.SetReadDeadline(time.Now().Add(time.Second))
			c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo")
			if _, _, err := c.tryResponse("GET"); err != nil {
				t.Fatalf("first answer held back: %v", err)
			}
		})
	}
}

// TestHalfClosedClient sends a request and shuts its sending side, as
// `printf ... | nc -N` does: the answer comes and the connection closes
// at once instead of idling until the idle timeout.
func TestHalfClosedClient(t *testing.T) {
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			addr := startServer(t, &Server{Handler: &loopEcho{}, IdleTimeout: 5 * time.Second})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			_ = conn.(*net.TCPConn).CloseWrite()
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			data, err := io.ReadAll(conn)
			if err != nil {
				t.Fatalf("connection not closed after the answer (%d bytes read): %v", len(data), err)
			}
			if !strings.HasPrefix(string(data), "HTTP/1.1 200") {
				t.Fatalf("answer %q", data)
			}
		})
	}
}

// depthHandler answers on the loop and records the deepest stack it was
// called with.
type depthHandler struct{ maxDepth atomic.Int64 }

func (h *depthHandler) ServeH1(x *Exchange) { _, _ = x.WriteString(strings.Repeat("b", 3000)) }

func (h *depthHandler) ServeLoop(x *Exchange) {
	var pcs [4096]uintptr
	if d := int64(runtime.Callers(0, pcs[:])); d > h.maxDepth.Load() {
		h.maxDepth.Store(d)
	}
	x.SetContentLength(3000)
	_, _ = x.WriteString(strings.Repeat("b", 3000))
	x.Done()
}

// TestPipeliningClientSharesLoop keeps one client pipelining requests
// flat out while other clients send one request each: they are answered
// promptly (a pipelining client takes turns with the loop's other
// connections), and serving the pipeline does not deepen the stack.
func TestPipeliningClientSharesLoop(t *testing.T) {
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			h := &depthHandler{}
			addr := startServer(t, &Server{Handler: h})
			flood, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer flood.Close()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(io.Discard, flood) }()
			go func() {
				defer wg.Done()
				batch := []byte(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 2000))
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := flood.Write(batch); err != nil {
						return
					}
				}
			}()
			defer func() { close(stop); flood.Close(); wg.Wait() }()
			time.Sleep(100 * time.Millisecond)
			for i := range 8 {
				c := dialRaw(t, addr)
				_ = c.conn.SetDeadline(time.Now().Add(2 * time.Second))
				c.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n")
				if _, _, err := c.tryResponse("GET"); err != nil {
					t.Fatalf("request %d of another client starved: %v", i, err)
				}
				c.conn.Close()
			}
			if d := h.maxDepth.Load(); d > 200 {
				t.Fatalf("handler called %d frames deep: pipelined requests nest", d)
			}
		})
	}
}

// TestLoopIdleConnectionsSwept opens several upstream connections in a
// burst, then sends light traffic: connections idle for longer than the
// pool's idle timeout are closed even though the pool stays in use.
func TestLoopIdleConnectionsSwept(t *testing.T) {
	var open atomic.Int64
	up := scriptedUpstream(t, func(conn net.Conn, br *bufio.Reader) {
		open.Add(1)
		defer open.Add(-1)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if req.URL.Path == "/slow" {
				time.Sleep(100 * time.Millisecond)
			}
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			h := proxyTo(up)
			h.pool.IdleTimeout = 200 * time.Millisecond
			t.Cleanup(h.pool.Close)
			addr := startServer(t, &Server{Handler: h})
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := dialRaw(t, addr)
					c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
					c.response("GET")
				}()
			}
			wg.Wait()
			c := dialRaw(t, addr)
			for range 20 {
				c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				c.response("GET")
				time.Sleep(50 * time.Millisecond)
			}
			if n := open.Load(); n > 1 {
				t.Fatalf("%d upstream connections open, want 1: idle ones outlived the idle timeout", n)
			}
		})
	}
}

// TestInterimResponsesBounded has the upstream send more interim (1xx)
// responses than allowed, one packet at a time so that the reader waits
// between them: the exchange fails instead of reading them forever.
func TestInterimResponsesBounded(t *testing.T) {
	up := scriptedUpstream(t, func(conn net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		for range maxInformationalResponses + 4 {
			if _, err := io.WriteString(conn, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"); err != nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			addr := startServer(t, &Server{Handler: proxyTo(up)})
			c := dialRaw(t, addr)
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if resp, _ := c.response("GET"); resp.StatusCode != 502 {
				t.Fatalf("status %d, want 502", resp.StatusCode)
			}
		})
	}
}

// TestClientGoneMidStream has clients leave while large bodies stream to
// them, at various points: each request ends cleanly (no callback
// panics) and the server goes on serving.
func TestClientGoneMidStream(t *testing.T) {
	const size = 4 << 20
	body := strings.Repeat("y", size)
	up := startRawUpstream(t, func(int) string {
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", size, body)
	})
	for _, engine := range testEngines {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			before := loopPanics.Load()
			addr := startServer(t, &Server{Handler: &loopProxy{pool: up.pool(), addr: up.ln.Addr().(*net.TCPAddr).AddrPort()}})
			for i := range 20 {
				c := dialRaw(t, addr)
				c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				buf := make([]byte, 1+i*50000)
				_, _ = io.ReadFull(c.br, buf)
				_ = c.conn.(*net.TCPConn).SetLinger(0) // reset: writes fail at once
				c.conn.Close()
			}
			time.Sleep(100 * time.Millisecond)
			if n := loopPanics.Load() - before; n != 0 {
				t.Fatalf("%d panics in event loop callbacks", n)
			}
			c := dialRaw(t, addr)
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if resp, got := c.response("GET"); resp.StatusCode != 200 || len(got) != size {
				t.Fatalf("after the aborted streams: %d, %d bytes", resp.StatusCode, len(got))
			}
		})
	}
}
