// Package dns resolves upstream host names for the proxy. Lookups consult
// the hosts file first, then query the configured nameservers for A and
// AAAA records with github.com/miekg/dns. Answers are cached for their
// TTL (with a floor), a stale answer is served for a grace period when a
// refresh fails with a server error, and concurrent lookups of one name
// share a single query. IP literals never touch the resolver state.
package dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultHostsPath      = "/etc/hosts"
	DefaultResolvConfPath = "/etc/resolv.conf"
	DefaultTimeout        = 2 * time.Second
	DefaultAttempts       = 2
	DefaultMinTTL         = 5 * time.Second
	DefaultStaleGrace     = 30 * time.Second
	DefaultNotFoundTTL    = 30 * time.Second
	DefaultHostsRecheck   = 10 * time.Second
	// failureRetry is how long a stale answer is served after a failed
	// refresh before the nameservers are asked again.
	failureRetry = time.Second
)

// Config configures a Resolver. Zero values select the defaults above.
type Config struct {
	// HostsPath is the hosts file; DisableHosts skips it entirely.
	HostsPath    string
	DisableHosts bool
	// HostsRecheck bounds how often the hosts file is checked for changes.
	HostsRecheck time.Duration
	// ResolvConfPath is read for nameservers, search domains and ndots
	// unless Nameservers is set.
	ResolvConfPath string
	// Nameservers ("ip:port") override resolv.conf.
	Nameservers []string
	// Timeout bounds one query to one nameserver; Attempts is how many
	// rounds over all nameservers are made.
	Timeout  time.Duration
	Attempts int
	// MinTTL is the shortest time an answer is cached.
	MinTTL time.Duration
	// StaleGrace is how long after expiry an answer may still be served
	// when refreshing it fails with a server error.
	StaleGrace time.Duration
	// NotFoundTTL is how long a "name not found" result is cached.
	NotFoundTTL time.Duration
}

// Resolver is a caching stub resolver. It is safe for concurrent use.
type Resolver struct {
	hosts        *hostsFile
	clientConfig *mdns.ClientConfig
	servers      []string
	udp, tcp     *mdns.Client
	timeout      time.Duration
	attempts     int
	minTTL       time.Duration
	staleGrace   time.Duration
	notFoundTTL  time.Duration
	now          func() time.Time

	mu       sync.RWMutex
	cache    map[string]*cacheEntry
	inflight map[string]*flight
}

// cacheEntry is one cached answer; it is replaced, never mutated, except
// for expires which is only written under Resolver.mu.
type cacheEntry struct {
	addrs      []netip.Addr // nil for a cached "not found"
	expires    time.Time
	staleUntil time.Time
}

// flight is a query in progress that later callers wait for.
type flight struct {
	done  chan struct{}
	addrs []netip.Addr
	err   error
}

// New builds a Resolver from cfg.
func New(cfg Config) (*Resolver, error) {
	r := &Resolver{
		timeout:     orDuration(cfg.Timeout, DefaultTimeout),
		minTTL:      orDuration(cfg.MinTTL, DefaultMinTTL),
		staleGrace:  orDuration(cfg.StaleGrace, DefaultStaleGrace),
		notFoundTTL: orDuration(cfg.NotFoundTTL, DefaultNotFoundTTL),
		attempts:    cfg.Attempts,
		now:         time.Now,
		cache:       make(map[string]*cacheEntry),
		inflight:    make(map[string]*flight),
		udp:         &mdns.Client{Net: "udp"},
		tcp:         &mdns.Client{Net: "tcp"},
	}
	if !cfg.DisableHosts {
		path := cfg.HostsPath
		if path == "" {
			path = DefaultHostsPath
		}
		r.hosts = newHostsFile(path, orDuration(cfg.HostsRecheck, DefaultHostsRecheck))
	}
	if len(cfg.Nameservers) > 0 {
		r.servers = append([]string(nil), cfg.Nameservers...)
	} else {
		path := cfg.ResolvConfPath
		if path == "" {
			path = DefaultResolvConfPath
		}
		cc, err := mdns.ClientConfigFromFile(path)
		if err != nil {
			return nil, fmt.Errorf("read resolver configuration %s: %w", path, err)
		}
		r.clientConfig = cc
		for _, s := range cc.Servers {
			r.servers = append(r.servers, joinHostPort(s, cc.Port))
		}
		if r.attempts == 0 && cc.Attempts > 0 {
			r.attempts = cc.Attempts
		}
	}
	if r.attempts <= 0 {
		r.attempts = DefaultAttempts
	}
	return r, nil
}

// LookupAddrs returns the addresses of host. An IP literal is returned as
// is. Errors wrap ErrNotFound or ErrServerFailure.
func (r *Resolver) LookupAddrs(ctx context.Context, host string) ([]netip.Addr, error) {
	name, addrs, known, err := r.known(host)
	if known {
		return addrs, err
	}
	return r.refresh(ctx, name)
}

// LookupCached returns the addresses of host when they are known without
// asking a name server: an IP literal, a hosts file entry, or a cached
// answer still within its TTL. It never waits; ok is false when a query
// would be needed (or the name is cached as not found).
func (r *Resolver) LookupCached(host string) (addrs []netip.Addr, ok bool) {
	_, addrs, known, err := r.known(host)
	return addrs, known && err == nil
}

// known answers host without a query when it can: an IP literal, a hosts
// file entry, a fresh cached answer or a cached miss (err). Otherwise
// known is false and name is the normalised name to query.
func (r *Resolver) known(host string) (name string, addrs []netip.Addr, known bool, err error) {
	if a, perr := netip.ParseAddr(strings.Trim(host, "[]")); perr == nil {
		return "", []netip.Addr{a.WithZone("")}, true, nil
	}
	name = strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" {
		return "", nil, true, fmt.Errorf("lookup of an empty name: %w", ErrNotFound)
	}
	now := r.now()
	if r.hosts != nil {
		if addrs := r.hosts.lookup(name, now); len(addrs) > 0 {
			return name, addrs, true, nil
		}
	}
	r.mu.RLock()
	e := r.cache[name]
	r.mu.RUnlock()
	if e != nil && now.Before(e.expires) {
		if e.addrs == nil {
			return name, nil, true, fmt.Errorf("lookup %s: %w (cached)", name, ErrNotFound)
		}
		return name, e.addrs, true, nil
	}
	return name, nil, false, nil
}

// refresh queries name, sharing the query with concurrent callers.
func (r *Resolver) refresh(ctx context.Context, name string) ([]netip.Addr, error) {
	r.mu.Lock()
	f, running := r.inflight[name]
	if !running {
		f = &flight{done: make(chan struct{})}
		r.inflight[name] = f
	}
	r.mu.Unlock()

	if !running {
		// The query is shared, so it must not die with the first caller.
		qctx := context.WithoutCancel(ctx)
		go r.runFlight(qctx, name, f)
	}
	select {
	case <-f.done:
		return f.addrs, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("lookup %s: %w: %w", name, ctx.Err(), ErrServerFailure)
	}
}

func (r *Resolver) runFlight(ctx context.Context, name string, f *flight) {
	ans, err := r.queryName(ctx, name)
	now := r.now()

	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.inflight, name)
	switch {
	case err == nil:
		r.cache[name] = &cacheEntry{
			addrs:      ans.addrs,
			expires:    now.Add(ans.ttl),
			staleUntil: now.Add(ans.ttl + r.staleGrace),
		}
		f.addrs = ans.addrs
	case isNotFound(err):
		r.cache[name] = &cacheEntry{expires: now.Add(r.notFoundTTL)}
		f.err = err
	default:
		old := r.cache[name]
		if old != nil && old.addrs != nil && now.Before(old.staleUntil) {
			// Serve the stale answer; retry the nameservers shortly.
			retry := now.Add(failureRetry)
			if retry.After(old.staleUntil) {
				retry = old.staleUntil
			}
			r.cache[name] = &cacheEntry{addrs: old.addrs, expires: retry, staleUntil: old.staleUntil}
			f.addrs = old.addrs
		} else {
			f.err = err
		}
	}
	close(f.done)
}

func orDuration(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func joinHostPort(host, port string) string {
	if port == "" {
		port = "53"
	}
	if strings.IndexByte(host, ':') >= 0 && !strings.HasPrefix(host, "[") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}
