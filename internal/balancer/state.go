package balancer

import (
	"net/netip"
	"sync/atomic"
)

// targetSpec is one target of an upstream, as configured.
type targetSpec struct {
	id     string
	target string // normalised host:port
	host   string // without brackets
	port   int
	weight int
	ip     netip.Addr // valid for IP targets
}

// nameResult is the latest resolution of a hostname.
type nameResult struct {
	addrs    []netip.Addr
	err      error
	resolved bool // false until the first answer (or failure) arrived
}

// endpointKey identifies an address of a target across rebuilds.
type endpointKey struct {
	target string
	ip     netip.Addr
	port   int
}

// entry is one pickable address (its target's weight is > 0).
type entry struct {
	addr   Address
	weight int
}

// targetView is a target with the addresses it resolved to, for reports
// and manual health changes.
type targetView struct {
	spec   targetSpec
	addrs  []Address
	dnsErr error
}

type algorithm uint8

const (
	algoRoundRobin algorithm = iota
	algoHashing
	algoLeastConnections
	algoLatency
)

// state is one immutable compilation of an upstream: its configuration,
// addresses and algorithm tables. Only the cursor changes after build.
type state struct {
	cfg      *config
	algo     algorithm
	entries  []entry
	targets  []targetView
	emptyErr error // returned when entries is empty
	cursor   atomic.Uint64
	wheel    []int32 // round-robin
	points   []point // consistent-hashing
}

// buildState compiles cfg and targets with the current name results,
// reusing endpoints from prev and returning the endpoints in use.
func buildState(cfg *config, targets []targetSpec, names map[string]*nameResult,
	prev map[endpointKey]*endpoint) (*state, map[endpointKey]*endpoint) {
	s := &state{cfg: cfg, algo: algorithmOf(cfg.algorithm)}
	used := make(map[endpointKey]*endpoint, len(prev))
	var dnsErr error
	for _, t := range targets {
		view := targetView{spec: t}
		var ips []netip.Addr
		if t.ip.IsValid() {
			ips = []netip.Addr{t.ip}
		} else if r := names[lowerHost(t.host)]; r != nil && r.resolved {
			ips = r.addrs
			if r.err != nil {
				view.dnsErr = r.err
			}
		} else {
			view.dnsErr = ErrNotResolved
		}
		if len(ips) == 0 && view.dnsErr != nil && t.weight > 0 && dnsErr == nil {
			dnsErr = &DNSError{Target: t.target, Err: view.dnsErr}
		}
		for _, ip := range ips {
			key := endpointKey{target: t.target, ip: ip, port: t.port}
			ep := prev[key]
			if ep == nil {
				ep = newEndpoint()
			}
			used[key] = ep
			a := Address{IP: ip, Port: t.port, Target: t.target, Hostname: t.host, ep: ep}
			view.addrs = append(view.addrs, a)
			if t.weight > 0 {
				s.entries = append(s.entries, entry{addr: a, weight: t.weight})
			}
		}
		s.targets = append(s.targets, view)
	}
	s.emptyErr = ErrNoPeer
	if len(s.entries) == 0 && dnsErr != nil {
		s.emptyErr = dnsErr
	}
	switch s.algo {
	case algoRoundRobin:
		s.wheel = buildWheel(s.entries)
	case algoHashing:
		s.points = buildContinuum(s.entries, cfg.slots)
	}
	return s, used
}

func algorithmOf(name string) algorithm {
	switch name {
	case ConsistentHashing:
		return algoHashing
	case LeastConnections:
		return algoLeastConnections
	case Latency:
		return algoLatency
	}
	return algoRoundRobin
}

// eligible reports whether entry i is healthy and not excluded.
func (s *state) eligible(i int, exclude []Address) bool {
	e := &s.entries[i]
	if !e.addr.ep.healthy.Load() {
		return false
	}
	for k := range exclude {
		if e.addr.same(&exclude[k]) {
			return false
		}
	}
	return true
}

// weights returns the total weight of the pickable addresses and the part
// of it that is healthy.
func (s *state) weights() (total, available int) {
	for i := range s.entries {
		e := &s.entries[i]
		total += e.weight
		if e.addr.ep.healthy.Load() {
			available += e.weight
		}
	}
	return total, available
}

// healthy applies the threshold rule: the balancer is healthy when the
// healthy share of the total weight, in percent, is strictly above the
// threshold; a total weight of 0 is unhealthy.
func (s *state) healthy() bool {
	total, available := s.weights()
	if total == 0 {
		return false
	}
	return float64(available)*100/float64(total) > s.cfg.health.threshold
}

// pick returns the index of the entry to use, or -1.
func (s *state) pick(in HashInput, exclude []Address) int {
	switch s.algo {
	case algoHashing:
		return s.pickHashing(in, exclude)
	case algoLeastConnections:
		return s.pickLeastConnections(exclude)
	case algoLatency:
		return s.pickLatency(exclude)
	}
	return s.pickRoundRobin(exclude)
}

// tracksConnections reports whether the algorithm needs active counts.
func (s *state) tracksConnections() bool {
	return s.algo == algoLeastConnections || s.algo == algoLatency
}
