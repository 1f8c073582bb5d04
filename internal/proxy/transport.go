package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/snapshot"
)

// poolKey identifies one upstream keep-alive pool: everything that shapes
// how connections are made.
type poolKey struct {
	scheme         string
	host           string
	port           int
	sni            string
	verify         bool
	connectTimeout time.Duration
	// addr, when valid, is the address a balancer picked: connections go
	// there and host is not resolved.
	addr netip.AddrPort
}

// upstreamPool is an h1 connection pool dedicated to one poolKey.
type upstreamPool struct {
	pool     h1.Pool
	lastUsed atomic.Int64 // unix nanoseconds
	next     atomic.Uint32
	retired  atomic.Bool // swept: services must look their pool up again
}

// pools caches upstream pools by key.
type pools struct {
	opts     *Options
	resolver *dns.Resolver
	mu       sync.RWMutex
	m        map[poolKey]*upstreamPool
}

func newPools(opts *Options) *pools {
	return &pools{opts: opts, resolver: opts.Resolver, m: make(map[poolKey]*upstreamPool)}
}

// forService returns the pool for key, the pool key of svc's requests:
// svc remembers the pool of its usual key (no plugin overriding the
// upstream Host), so that most requests find it without a lookup.
func (ps *pools) forService(svc *snapshot.Service, key poolKey, now time.Time) *upstreamPool {
	if c, _ := svc.ProxyCache.Load().(*cachedPool); c != nil && c.key == key && !c.pool.retired.Load() {
		c.pool.touch(now)
		return c.pool
	}
	p := ps.get(key, now)
	svc.ProxyCache.Store(&cachedPool{key: key, pool: p})
	return p
}

// cachedPool is a service's usual pool.
type cachedPool struct {
	key  poolKey
	pool *upstreamPool
}

// get returns the pool for key, creating it on first use.
func (ps *pools) get(key poolKey, now time.Time) *upstreamPool {
	ps.mu.RLock()
	p := ps.m[key]
	ps.mu.RUnlock()
	if p == nil {
		ps.mu.Lock()
		if p = ps.m[key]; p == nil {
			p = ps.newPool(key)
			ps.m[key] = p
		}
		ps.mu.Unlock()
	}
	p.touch(now)
	return p
}

// touch stamps the pool as used, coarsely: the sweep works in minutes.
func (p *upstreamPool) touch(now time.Time) {
	if n := now.UnixNano(); n-p.lastUsed.Load() > int64(time.Second) {
		p.lastUsed.Store(n)
	}
}

func (ps *pools) newPool(key poolKey) *upstreamPool {
	p := &upstreamPool{}
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	var cfg *tls.Config
	if key.scheme == "https" {
		cfg = &tls.Config{
			ServerName:         key.sni,
			InsecureSkipVerify: !key.verify, //nolint:gosec // tls_verify=false is an explicit service setting
			RootCAs:            ps.opts.UpstreamRootCAs,
			MinVersion:         tls.VersionTLS12,
			NextProtos:         []string{"http/1.1"},
		}
	}
	p.pool = h1.Pool{
		Dial: func(ctx context.Context) (net.Conn, error) {
			conn, err := ps.dial(ctx, p, dialer, key)
			if err != nil || cfg == nil {
				return conn, err
			}
			return handshake(ctx, conn, cfg)
		},
		MaxIdle:            ps.opts.UpstreamKeepalivePool,
		IdleTimeout:        ps.opts.UpstreamKeepaliveIdle,
		MaxRequestsPerConn: ps.opts.UpstreamKeepaliveRequests,
		WriteBufferSize:    16 << 10,
		ReadBufferSize:     16 << 10,
	}
	return p
}

// dial connects to the balancer's address of key when it has one;
// otherwise it resolves the upstream host (again for every new
// connection) and connects to one of its addresses, rotating between
// them.
func (ps *pools) dial(ctx context.Context, p *upstreamPool, d *net.Dialer, key poolKey) (net.Conn, error) {
	if key.addr.IsValid() {
		conn, err := d.DialContext(ctx, "tcp", key.addr.String())
		if err != nil {
			return nil, &dialError{addr: key.addr, err: err}
		}
		return conn, nil
	}
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
	return conn, nil
}

// handshake completes the TLS handshake within ctx (the connect
// timeout); failures carry the peer address.
func handshake(ctx context.Context, conn net.Conn, cfg *tls.Config) (net.Conn, error) {
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, &tlsError{addr: remoteAddrPort(conn), err: err}
	}
	return tc, nil
}

func remoteAddrPort(c net.Conn) netip.AddrPort {
	return addrPortOf(c.RemoteAddr())
}

func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
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
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for k, p := range ps.m {
		if p.lastUsed.Load() < cutoff.UnixNano() {
			delete(ps.m, k)
			p.retired.Store(true)
			p.pool.Close()
		}
	}
}

// closeIdle closes every idle upstream connection.
func (ps *pools) closeIdle() {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	for _, p := range ps.m {
		p.pool.CloseIdle()
	}
}

// appendAuthority appends "host:port" (IPv6 literals in brackets).
func appendAuthority(b []byte, host string, port int) []byte {
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		b = append(b, '[')
		b = append(b, host...)
		b = append(b, ']')
	} else {
		b = append(b, host...)
	}
	b = append(b, ':')
	return strconv.AppendInt(b, int64(port), 10)
}
