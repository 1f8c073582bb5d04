package balancer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"time"
)

// Resolver resolves hostname targets; *dns.Resolver satisfies it.
type Resolver interface {
	LookupAddrs(ctx context.Context, host string) ([]netip.Addr, error)
}

// Defaults for zero Options fields.
const (
	DefaultRefreshInterval = 5 * time.Second
	DefaultResolveWait     = 2 * time.Second
	DefaultLookupTimeout   = 5 * time.Second
)

// Options configures a Manager.
type Options struct {
	// Resolver resolves hostname targets; nil leaves them unresolved
	// (they report DNS_ERROR).
	Resolver Resolver
	// Logger receives health transitions and DNS failures; nil discards.
	Logger *slog.Logger
	// RefreshInterval is how often hostname targets are re-resolved in
	// the background (the resolver's cache honours record TTLs).
	RefreshInterval time.Duration
	// ResolveWait bounds how long Update waits for the first resolution
	// of new hostnames; slower names are resolved in the background.
	ResolveWait time.Duration
	// LookupTimeout bounds one background lookup.
	LookupTimeout time.Duration
}

// Manager owns the balancers of all upstreams across configuration
// rebuilds, and their background work: DNS refresh and active probes.
type Manager struct {
	opts   Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	byID   map[string]*Balancer
	byName map[string]*Balancer
	wg     sync.WaitGroup
}

// NewManager returns a Manager; Close stops its background work.
func NewManager(opts Options) *Manager {
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.ResolveWait <= 0 {
		opts.ResolveWait = DefaultResolveWait
	}
	if opts.LookupTimeout <= 0 {
		opts.LookupTimeout = DefaultLookupTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{opts: opts, log: log, ctx: ctx, cancel: cancel,
		byID: map[string]*Balancer{}, byName: map[string]*Balancer{}}
}

// Close stops every probe and refresh loop and waits for them.
func (m *Manager) Close() {
	m.cancel()
	m.mu.Lock()
	for _, b := range m.byID {
		b.close()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// Update applies the complete set of upstream and target entities and
// returns the balancers keyed by upstream name. Upstreams keep their
// Balancer (and the health of unchanged addresses); deleted upstreams
// stop their probes and DNS refresh. For a target string listed more than
// once in an upstream the latest row (created_at) wins; weight 0 disables
// a target. Update waits at most Options.ResolveWait for hostnames it has
// not resolved before.
func (m *Manager) Update(upstreams, targets []map[string]any) map[string]*Balancer {
	grouped := groupTargets(targets)
	m.mu.Lock()
	out := make(map[string]*Balancer, len(upstreams))
	seen := make(map[string]bool, len(upstreams))
	type pendingName struct {
		b    *Balancer
		name string
	}
	var pending []pendingName
	for _, o := range upstreams {
		cfg := parseConfig(o)
		if cfg.id == "" || cfg.name == "" {
			continue
		}
		seen[cfg.id] = true
		b := m.byID[cfg.id]
		if b == nil {
			b = newBalancer(m, m.ctx)
			m.byID[cfg.id] = b
			m.startRefresh(b)
		}
		specs := grouped[cfg.id]
		cfgKey, healthKey := fingerprint(o), fingerprint(o["healthchecks"])
		for _, name := range b.configure(cfg, cfgKey, healthKey, specs, targetsKey(specs)) {
			pending = append(pending, pendingName{b, name})
		}
		out[cfg.name] = b
	}
	for id, b := range m.byID {
		if !seen[id] {
			b.close()
			delete(m.byID, id)
		}
	}
	m.byName = out
	m.mu.Unlock()

	if len(pending) > 0 {
		var wg sync.WaitGroup
		for _, p := range pending {
			wg.Add(1)
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				defer wg.Done()
				m.resolve(p.b, p.name)
			}()
		}
		waitTimeout(&wg, m.opts.ResolveWait)
	}
	return out
}

// Get returns the balancer of an upstream by id or name, nil if none.
func (m *Manager) Get(upstream string) *Balancer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b := m.byID[upstream]; b != nil {
		return b
	}
	return m.byName[upstream]
}

// Report returns the health of every upstream, sorted by name (for the
// kong_upstream_target_health metric).
func (m *Manager) Report() []UpstreamHealth {
	m.mu.Lock()
	list := make([]*Balancer, 0, len(m.byID))
	for _, b := range m.byID {
		list = append(list, b)
	}
	m.mu.Unlock()
	out := make([]UpstreamHealth, 0, len(list))
	for _, b := range list {
		out = append(out, b.Health())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// resolve looks name up once and records the answer in b.
func (m *Manager) resolve(b *Balancer, name string) {
	if m.opts.Resolver == nil {
		b.setName(name, nil, ErrNoResolver)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, m.opts.LookupTimeout)
	defer cancel()
	addrs, err := m.opts.Resolver.LookupAddrs(ctx, name)
	if b.ctx.Err() != nil {
		return
	}
	if err != nil {
		err = fmt.Errorf("resolving %s: %w", name, err)
		addrs = nil
	}
	if b.setName(name, addrs, err) && err != nil {
		m.log.Warn("upstream target name resolution failed", "upstream", b.Name(), "name", name, "error", err)
	}
}

// startRefresh re-resolves b's hostnames every RefreshInterval until b
// is closed.
func (m *Manager) startRefresh(b *Balancer) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(m.opts.RefreshInterval)
		defer t.Stop()
		for {
			select {
			case <-b.ctx.Done():
				return
			case <-t.C:
				for _, name := range b.nameList() {
					m.resolve(b, name)
				}
			}
		}
	}()
}

// logHealthChange records a health transition of an address.
func (m *Manager) logHealthChange(upstream string, a Address, healthy bool, source string) {
	state := "unhealthy"
	if healthy {
		state = "healthy"
	}
	m.log.Info("upstream address health changed", "upstream", upstream, "target", a.Target,
		"address", a.String(), "health", state, "source", source)
}

// groupTargets turns target entities into specs per upstream id, keeping
// the latest row per target string, in target order.
func groupTargets(targets []map[string]any) map[string][]targetSpec {
	type row struct {
		spec    targetSpec
		created float64
	}
	latest := map[string]map[string]row{}
	for _, o := range targets {
		ref, _ := o["upstream"].(map[string]any)
		up := str(ref["id"])
		t := str(o["target"])
		if up == "" || t == "" {
			continue
		}
		host, port := splitTarget(t)
		spec := targetSpec{id: str(o["id"]), target: t, host: host, port: port, weight: intOr(o["weight"], 100)}
		if ip, err := netip.ParseAddr(host); err == nil {
			spec.ip = ip.WithZone("")
		}
		created := numOr(o["created_at"], 0)
		if latest[up] == nil {
			latest[up] = map[string]row{}
		}
		if prev, ok := latest[up][t]; !ok || created >= prev.created {
			latest[up][t] = row{spec, created}
		}
	}
	out := make(map[string][]targetSpec, len(latest))
	for up, rows := range latest {
		specs := make([]targetSpec, 0, len(rows))
		for _, r := range rows {
			specs = append(specs, r.spec)
		}
		sort.Slice(specs, func(i, j int) bool { return specs[i].target < specs[j].target })
		out[up] = specs
	}
	return out
}

// targetsKey identifies a target list for change detection.
func targetsKey(specs []targetSpec) string {
	b := make([]byte, 0, 64*len(specs))
	for _, s := range specs {
		b = fmt.Appendf(b, "%s|%s|%d;", s.id, s.target, s.weight)
	}
	return string(b)
}

// fingerprint is the canonical JSON of v (map keys sorted).
func fingerprint(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
