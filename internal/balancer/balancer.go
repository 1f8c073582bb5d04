package balancer

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
)

// Balancer balances the requests of one upstream over the addresses of
// its targets. It lives as long as its upstream: configuration changes
// and DNS answers replace its compiled state atomically while the health
// of unchanged addresses carries over.
type Balancer struct {
	st  atomic.Pointer[state]
	mgr *Manager

	// ctx ends when the upstream is deleted or the Manager closes.
	ctx    context.Context
	cancel context.CancelFunc

	mu           sync.Mutex // guards everything below and state rebuilds
	cfg          *config
	cfgKey       string
	healthKey    string
	targets      []targetSpec
	targetsKey   string
	names        map[string]*nameResult
	endpoints    map[endpointKey]*endpoint
	probesCancel context.CancelFunc
}

// newBalancer returns an empty balancer bound to the manager's lifetime.
func newBalancer(m *Manager, parent context.Context) *Balancer {
	ctx, cancel := context.WithCancel(parent)
	b := &Balancer{mgr: m, ctx: ctx, cancel: cancel,
		names: map[string]*nameResult{}, endpoints: map[endpointKey]*endpoint{}}
	b.st.Store(&state{cfg: &config{}, emptyErr: ErrNoPeer})
	return b
}

// ID returns the upstream's id.
func (b *Balancer) ID() string { return b.st.Load().cfg.id }

// Name returns the upstream's name.
func (b *Balancer) Name() string { return b.st.Load().cfg.name }

// Algorithm returns the upstream's algorithm.
func (b *Balancer) Algorithm() string { return b.st.Load().cfg.algorithm }

// HostHeader returns the upstream's host_header, "" when unset.
func (b *Balancer) HostHeader() string { return b.st.Load().cfg.hostHeader }

// HashCookie returns the cookie consistent hashing keys on and its path
// when hash_on is "cookie"; name is "" otherwise. When the request lacks
// the cookie the caller generates a value (a UUID), passes it through
// HashInput.Cookie and sets "Set-Cookie: name=value; Path=path" on the
// response.
func (b *Balancer) HashCookie() (name, path string) {
	c := b.st.Load().cfg
	if c.algorithm != ConsistentHashing || c.hashOn.kind != "cookie" {
		return "", ""
	}
	return c.hashOn.name, c.cookiePath
}

// Pick chooses an address for one attempt. in supplies the hash key for
// consistent hashing and may be nil for the other algorithms. exclude
// lists addresses that already failed this request: they are avoided
// when another healthy address exists, otherwise they may be returned
// again. Every successful Pick must be followed by exactly one Done.
//
// When no address can be picked, ok is false and err is ErrNoPeer (no
// targets, all weight 0, all unhealthy, balancer below its threshold) or
// a *DNSError when no address exists because hostname targets failed to
// resolve.
func (b *Balancer) Pick(in HashInput, exclude ...Address) (addr Address, ok bool, err error) {
	s := b.st.Load()
	if len(s.entries) == 0 {
		return Address{}, false, s.emptyErr
	}
	if s.cfg.health.threshold > 0 && !s.healthy() {
		return Address{}, false, ErrNoPeer
	}
	i := s.pick(in, exclude)
	if i < 0 && len(exclude) > 0 {
		i = s.pick(in, nil)
	}
	if i < 0 {
		return Address{}, false, ErrNoPeer
	}
	addr = s.entries[i].addr
	if s.tracksConnections() {
		addr.ep.active.Add(1)
		addr.tracked = true
	}
	return addr, true, nil
}

// Done reports the outcome of an attempt against addr (as returned by
// Pick): it releases the connection counted by Pick, feeds the passive
// health checks and the latency statistics.
func (b *Balancer) Done(addr Address, o Outcome) {
	s := b.st.Load()
	ep := addr.ep
	if ep == nil {
		ep = s.find(&addr)
		if ep == nil {
			return
		}
	}
	if addr.tracked {
		ep.active.Add(-1)
	}
	if o.Latency > 0 && s.algo == algoLatency {
		ep.recordLatency(o.Latency)
	}
	p := &s.cfg.health.passive
	if !p.counts() {
		return
	}
	var ev event
	switch {
	case o.Failure == TCPFailure:
		ev = evTCPFailure
	case o.Failure == Timeout:
		ev = evTimeout
	case p.unhealthyStatuses.has(o.Status):
		ev = evHTTPFailure
	case p.healthyStatuses.has(o.Status):
		ev = evSuccess
	}
	if ep.observe(ev, p) {
		b.mgr.logHealthChange(s.cfg.name, addr, ep.healthy.Load(), "passive")
	}
}

// find returns the endpoint of an address built by the caller.
func (s *state) find(a *Address) *endpoint {
	for i := range s.targets {
		for k := range s.targets[i].addrs {
			if c := &s.targets[i].addrs[k]; c.same(a) {
				return c.ep
			}
		}
	}
	return nil
}

// ErrTargetNotFound reports a target the balancer does not have.
var ErrTargetNotFound = errors.New("target not found")

// SetTargetHealth marks every address of target (its id or its
// normalised host:port) healthy or unhealthy, clearing the counters.
func (b *Balancer) SetTargetHealth(target string, healthy bool) error {
	s := b.st.Load()
	v := s.target(target)
	if v == nil {
		return fmt.Errorf("upstream %s: %w: %s", s.cfg.name, ErrTargetNotFound, target)
	}
	for _, a := range v.addrs {
		a.ep.set(healthy)
	}
	return nil
}

// SetAddressHealth marks one resolved address ("ip" or "ip:port", port
// 8000 by default) of target healthy or unhealthy.
func (b *Balancer) SetAddressHealth(target, address string, healthy bool) error {
	s := b.st.Load()
	v := s.target(target)
	if v == nil {
		return fmt.Errorf("upstream %s: %w: %s", s.cfg.name, ErrTargetNotFound, target)
	}
	ip, port, err := parseAddress(address)
	if err != nil {
		return err
	}
	for _, a := range v.addrs {
		if a.IP == ip && a.Port == port {
			a.ep.set(healthy)
			return nil
		}
	}
	return fmt.Errorf("address %s not found in target %s", address, v.spec.target)
}

// target finds a target by id or normalised host:port.
func (s *state) target(idOrTarget string) *targetView {
	for i := range s.targets {
		if t := &s.targets[i]; t.spec.id == idOrTarget || t.spec.target == idOrTarget {
			return t
		}
	}
	return nil
}

// configure applies an upstream entity and its targets. It returns the
// hostnames that have never been resolved. The state is rebuilt only
// when something changed.
func (b *Balancer) configure(cfg *config, cfgKey, healthKey string, targets []targetSpec, targetsKey string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cfgKey == b.cfgKey && targetsKey == b.targetsKey {
		return nil
	}
	b.cfg, b.cfgKey, b.targets, b.targetsKey = cfg, cfgKey, targets, targetsKey
	var pending []string
	wanted := make(map[string]bool)
	for _, t := range targets {
		if t.ip.IsValid() {
			continue
		}
		name := lowerHost(t.host)
		wanted[name] = true
		if b.names[name] == nil {
			b.names[name] = &nameResult{}
			pending = append(pending, name)
		}
	}
	for name := range b.names {
		if !wanted[name] {
			delete(b.names, name)
		}
	}
	b.rebuildLocked()
	if healthKey != b.healthKey {
		b.healthKey = healthKey
		b.restartProbesLocked()
	}
	return pending
}

// rebuildLocked compiles and publishes a new state; b.mu is held.
func (b *Balancer) rebuildLocked() {
	s, used := buildState(b.cfg, b.targets, b.names, b.endpoints)
	b.endpoints = used
	b.st.Store(s)
}

// setName records a resolution result and rebuilds when the answer
// changed. It reports whether it did.
func (b *Balancer) setName(name string, addrs []netip.Addr, err error) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.names[name]
	if r == nil {
		return false // the target went away meanwhile
	}
	if r.resolved && slices.Equal(r.addrs, addrs) && sameErr(r.err, err) {
		return false
	}
	r.addrs, r.err, r.resolved = slices.Clone(addrs), err, true
	b.rebuildLocked()
	return true
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// nameList returns the hostnames to resolve.
func (b *Balancer) nameList() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.names))
	for n := range b.names {
		out = append(out, n)
	}
	return out
}

// close stops the balancer's background work.
func (b *Balancer) close() {
	b.cancel()
	b.mu.Lock()
	if b.probesCancel != nil {
		b.probesCancel()
		b.probesCancel = nil
	}
	b.mu.Unlock()
}
