package h1

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testEngines are the ways a Server can serve: a goroutine per
// connection (Serve) and the event loops (ServeEvents).
var testEngines = []string{"goroutines", "events"}

// serveEngine is the engine startServer uses.
var serveEngine = "goroutines"

// useEngine makes startServer use engine until the test ends.
func useEngine(t testing.TB, engine string) {
	prev := serveEngine
	serveEngine = engine
	t.Cleanup(func() { serveEngine = prev })
}

// startServer serves h on a loopback listener until the test ends.
func startServer(t testing.TB, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve := srv.Serve
	if serveEngine == "events" {
		serve = srv.ServeEvents
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// echoHandler answers with a description of the request.
func echoHandler(x *Exchange) {
	req := x.Request()
	body, err := io.ReadAll(req.Body())
	if err != nil {
		x.ResponseHeader().Set("X-Body-Error", err.Error())
	}
	host, port := req.HostPort()
	msg := fmt.Sprintf("method=%s path=%s query=%s host=%s port=%d headers=%d body=%s",
		req.Method(), req.Path(), req.RawQuery(), host, port, req.Header().Len(), body)
	_ = x.ResponseHeader().Set("Content-Type", "text/plain")
	x.SetContentLength(int64(len(msg)))
	x.WriteHeader(200)
	_, _ = io.WriteString(x, msg)
}

// rawConn is a client connection that sends bytes as given.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	return &rawConn{t: t, conn: conn, br: bufio.NewReader(conn)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// response reads one response (for a request with the given method) and
// its whole body.
func (c *rawConn) response(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return resp, string(body)
}

// tryResponse is response reporting failures instead of ending the
// test (for goroutines other than the test's and for expected errors).
func (c *rawConn) tryResponse(method string) (*http.Response, string, error) {
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

func newReader(conn net.Conn) *bufio.Reader { return bufio.NewReader(conn) }

// closed reports whether the server closed the connection (EOF or reset
// with nothing more to read).
func (c *rawConn) closed() bool {
	_ = c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.br.ReadByte()
	return err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func roundTripRaw(t *testing.T, addr, raw string) (*http.Response, string, *rawConn) {
	t.Helper()
	c := dialRaw(t, addr)
	c.send(raw)
	method, _, _ := strings.Cut(raw, " ")
	resp, body := c.response(method)
	return resp, body, c
}

// closeMark at the end of a reply makes rawUpstream close the connection
// after writing it.
const closeMark = "\x00"

// rawUpstream accepts connections and answers each request head it
// reads with reply(n), n counting requests over all connections. An
// empty reply means: hold the connection without answering.
type rawUpstream struct {
	ln       net.Listener
	accepted chan struct{}
}

func startRawUpstream(t testing.TB, reply func(n int) string) *rawUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUpstream{ln: ln, accepted: make(chan struct{}, 100)}
	t.Cleanup(func() { _ = ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			u.accepted <- struct{}{}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					out := reply(int(n.Add(1)))
					if out == "" {
						time.Sleep(3 * time.Second)
						return
					}
					closeAfter := strings.HasSuffix(out, closeMark)
					if _, err := io.WriteString(conn, strings.TrimSuffix(out, closeMark)); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	return u
}

func (u *rawUpstream) pool() *Pool {
	addr := u.ln.Addr().String()
	var d net.Dialer
	return &Pool{Dial: func(ctx context.Context) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", addr)
	}}
}

func (u *rawUpstream) acceptedCount() int { return len(u.accepted) }

func dialRawErr(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
	}
	return conn, err
}

func dialTo(addr string) DialFunc {
	var d net.Dialer
	return func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
}
