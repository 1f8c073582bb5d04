package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/dns"
)

// poolKey identifies one upstream keep-alive pool: everything that shapes
// how connections are made and how long the transport waits.
type poolKey struct {
	scheme         string
	host           string
	port           int
	sni            string
	verify         bool
	connectTimeout time.Duration
	readTimeout    time.Duration
}

// upstreamPool is an http.Transport dedicated to one poolKey.
type upstreamPool struct {
	transport *http.Transport
	lastUsed  atomic.Int64 // unix nanoseconds
	next      atomic.Uint32
}

// pools caches upstream pools by key.
type pools struct {
	opts     *Options
	resolver *dns.Resolver
	m        sync.Map // poolKey -> *upstreamPool
}

// get returns the pool for key, creating it on first use.
func (ps *pools) get(key poolKey, now time.Time) *upstreamPool {
	if v, ok := ps.m.Load(key); ok {
		p := v.(*upstreamPool)
		p.lastUsed.Store(now.UnixNano())
		return p
	}
	p := ps.newPool(key)
	p.lastUsed.Store(now.UnixNano())
	if v, loaded := ps.m.LoadOrStore(key, p); loaded {
		p.transport.CloseIdleConnections()
		return v.(*upstreamPool)
	}
	return p
}

func (ps *pools) newPool(key poolKey) *upstreamPool {
	p := &upstreamPool{}
	dialer := &net.Dialer{Timeout: key.connectTimeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return ps.dial(ctx, p, dialer, key)
		},
		MaxIdleConnsPerHost:    ps.opts.UpstreamKeepalivePool,
		IdleConnTimeout:        ps.opts.UpstreamKeepaliveIdle,
		ResponseHeaderTimeout:  key.readTimeout,
		TLSHandshakeTimeout:    key.connectTimeout,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
		WriteBufferSize:        16 << 10,
		ReadBufferSize:         16 << 10,
	}
	if key.scheme == "https" {
		cfg := &tls.Config{
			ServerName:         key.sni,
			InsecureSkipVerify: !key.verify, //nolint:gosec // tls_verify=false is an explicit service setting
			RootCAs:            ps.opts.UpstreamRootCAs,
			MinVersion:         tls.VersionTLS12,
		}
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return ps.dialTLS(ctx, p, dialer, key, cfg)
		}
	}
	p.transport = t
	return p
}

// dial resolves the upstream host (again for every new connection) and
// connects to one of its addresses, rotating between them.
func (ps *pools) dial(ctx context.Context, p *upstreamPool, d *net.Dialer, key poolKey) (net.Conn, error) {
	addrs, err := ps.lookup(ctx, key.host)
	if err != nil {
		return nil, &resolveError{host: key.host, err: err}
	}
	addr := addrs[int(p.next.Add(1)-1)%len(addrs)]
	target := netip.AddrPortFrom(addr, uint16(key.port))
	conn, err := d.DialContext(ctx, "tcp", target.String())
	if err != nil {
		return nil, &dialError{addr: target, err: err}
	}
	return &countedConn{Conn: conn}, nil
}

// dialTLS connects like dial and then completes the TLS handshake within
// the connect timeout; handshake failures carry the peer address.
func (ps *pools) dialTLS(ctx context.Context, p *upstreamPool, d *net.Dialer, key poolKey, cfg *tls.Config) (net.Conn, error) {
	conn, err := ps.dial(ctx, p, d, key)
	if err != nil {
		return nil, err
	}
	cc := conn.(*countedConn)
	hctx := ctx
	if key.connectTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, key.connectTimeout)
		defer cancel()
	}
	tc := tls.Client(cc.Conn, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = cc.Conn.Close()
		return nil, &tlsError{addr: remoteAddrPort(cc.Conn), err: err}
	}
	cc.Conn = tc
	return cc, nil
}

func remoteAddrPort(c net.Conn) netip.AddrPort {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

func (ps *pools) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if ps.resolver != nil {
		return ps.resolver.LookupAddrs(ctx, host)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return ips, nil
}

// sweep closes and forgets pools unused since before cutoff.
func (ps *pools) sweep(cutoff time.Time) {
	ps.m.Range(func(k, v any) bool {
		p := v.(*upstreamPool)
		if p.lastUsed.Load() < cutoff.UnixNano() {
			ps.m.Delete(k)
			p.transport.CloseIdleConnections()
		}
		return true
	})
}

// closeIdle closes every idle upstream connection.
func (ps *pools) closeIdle() {
	ps.m.Range(func(_, v any) bool {
		v.(*upstreamPool).transport.CloseIdleConnections()
		return true
	})
}

// countedConn counts the requests sent on an upstream connection so the
// proxy can retire it after UpstreamKeepaliveRequests.
type countedConn struct {
	net.Conn
	uses atomic.Int64
}

// authority returns "host:port" for a URL.
func authority(host string, port int) string {
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}
