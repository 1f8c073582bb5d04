package h1

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

func TestRearm(t *testing.T) {
	const timeout = 64 * time.Second // slack: 1 s
	tests := []struct {
		name    string
		armed   time.Duration // from now; 0: none
		timeout time.Duration
		wantSet bool
		wantNil bool // deadline cleared
	}{
		{"none armed", 0, timeout, true, false},
		{"armed within slack", timeout - 500*time.Millisecond, timeout, false, false},
		{"armed too early", timeout - 2*time.Second, timeout, true, false},
		{"armed later than wanted", timeout + time.Second, timeout, true, false},
		{"armed already expired", -time.Second, timeout, true, false},
		{"cleared when armed", timeout, 0, true, true},
		{"nothing to clear", 0, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var armed time.Time
			if tt.armed != 0 {
				armed = time.Now().Add(tt.armed)
			}
			before := armed
			var got []time.Time
			set, err := rearm(&armed, tt.timeout, func(d time.Time) error { got = append(got, d); return nil })
			if err != nil || set != tt.wantSet || len(got) != map[bool]int{false: 0, true: 1}[tt.wantSet] {
				t.Fatalf("rearm: set=%v calls=%d err=%v, want set=%v", set, len(got), err, tt.wantSet)
			}
			switch {
			case tt.wantNil && !armed.IsZero():
				t.Fatalf("armed %v, want none", armed)
			case !tt.wantSet && !armed.Equal(before):
				t.Fatalf("armed changed from %v to %v without a call", before, armed)
			case tt.wantSet && !armed.Equal(got[0]):
				t.Fatalf("armed %v, but set %v", armed, got[0])
			case tt.wantSet && !tt.wantNil && time.Until(armed) < tt.timeout-time.Second:
				t.Fatalf("armed %v from now, want about %v", time.Until(armed), tt.timeout)
			}
		})
	}
}

// deadlineCounter counts the deadlines armed on its connections.
type deadlineCounter struct{ n atomic.Int64 }

type countingConn struct {
	net.Conn
	c *deadlineCounter
}

func (c countingConn) SetDeadline(t time.Time) error {
	c.c.n.Add(1)
	return c.Conn.SetDeadline(t)
}

func (c countingConn) SetReadDeadline(t time.Time) error {
	c.c.n.Add(1)
	return c.Conn.SetReadDeadline(t)
}

func (c countingConn) SetWriteDeadline(t time.Time) error {
	c.c.n.Add(1)
	return c.Conn.SetWriteDeadline(t)
}

type countingListener struct {
	net.Listener
	c *deadlineCounter
}

func (l countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{conn, l.c}, nil
}

// TestKeepAliveDeadlinesArmedOnce checks that a busy keep-alive
// connection does not re-arm its deadlines for every request, on the
// server and on the upstream side.
func TestKeepAliveDeadlinesArmedOnce(t *testing.T) {
	up := startRawUpstream(t, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	upstreamDeadlines := new(deadlineCounter)
	pool := up.pool()
	dial := pool.Dial
	pool.Dial = func(ctx context.Context) (net.Conn, error) {
		conn, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		return countingConn{conn, upstreamDeadlines}, nil
	}
	serverDeadlines := new(deadlineCounter)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: &proxyHandler{pool: pool}}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(countingListener{ln, serverDeadlines}) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })

	c := dialRaw(t, ln.Addr().String())
	const requests = 200
	for range requests {
		c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp, body := c.response("GET"); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
	}
	// One read and one write deadline per connection, plus a few
	// re-arms if the test runs for more than a second.
	if n := serverDeadlines.n.Load(); n > 10 {
		t.Errorf("server armed %d deadlines for %d requests", n, requests)
	}
	if n := upstreamDeadlines.n.Load(); n > 10 {
		t.Errorf("upstream connection armed %d deadlines for %d requests", n, requests)
	}
}

// TestStaleHeadDeadline checks that the deadline armed for a request
// head, left in place while the handler runs, neither cuts a body read
// that starts after it expired nor the next request.
func TestStaleHeadDeadline(t *testing.T) {
	addr := startServer(t, &Server{ReadHeaderTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond,
		Handler: HandlerFunc(func(x *Exchange) {
			time.Sleep(150 * time.Millisecond) // past both timeouts
			echoHandler(x)
		})})
	c := dialRaw(t, addr)
	// The head arrives in two parts, so the head deadline is armed.
	c.send("POST /a HTTP/1.1\r\nHost: a\r\n")
	time.Sleep(10 * time.Millisecond)
	c.send("Content-Length: 5\r\n\r\n")
	time.Sleep(200 * time.Millisecond) // the handler is reading the body by now
	c.send("hello")
	if resp, body := c.response("POST"); resp.StatusCode != 200 || body != "method=POST path=/a query= host=a port=0 headers=2 body=hello" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	c.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, _ := c.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("second request: %d", resp.StatusCode)
	}
	var one [1]byte
	if _, err := io.ReadFull(c.br, one[:]); err == nil {
		t.Fatal("unexpected bytes after the responses")
	}
}
