package proxy

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync/atomic"
)

// TrackConnections wraps ln so that track sees each accepted connection
// as http.StateNew and its end as http.StateClosed, the way
// http.Server.ConnState reports them. Together with Options.ConnState,
// which reports each request, it gives h1 listeners the connection
// counters net/http listeners get from ConnState.
func TrackConnections(ln net.Listener, track func(net.Conn, http.ConnState)) net.Listener {
	return &trackingListener{Listener: ln, track: track}
}

type trackingListener struct {
	net.Listener
	track func(net.Conn, http.ConnState)
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, track: l.track}
	l.track(tc, http.StateNew)
	return tc, nil
}

// trackedConn reports its closing once.
type trackedConn struct {
	net.Conn
	track  func(net.Conn, http.ConnState)
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.track(c, http.StateClosed)
	}
	return c.Conn.Close()
}

// CloseWrite half-closes the connection when the underlying one can, so
// that the engine's lingering close keeps working.
func (c *trackedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// connState reports a request's start or end on conn to Options.ConnState.
func (p *Proxy) connState(conn net.Conn, state http.ConnState) {
	if p.opts.ConnState == nil {
		return
	}
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	p.opts.ConnState(conn, state)
}
