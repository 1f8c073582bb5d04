package balancer

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// upstreamObj builds an upstream entity; extra fields override.
func upstreamObj(id, name, algorithm string, extra map[string]any) map[string]any {
	o := map[string]any{"id": id, "name": name, "algorithm": algorithm, "slots": float64(10000)}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// targetObj builds a target entity of upstream id.
func targetObj(upstreamID, target string, weight int) map[string]any {
	return map[string]any{"id": "t-" + target, "upstream": map[string]any{"id": upstreamID},
		"target": target, "weight": float64(weight), "created_at": float64(1)}
}

// passiveChecks returns a healthchecks record with passive counters.
func passiveChecks(tcp, timeouts, http, successes int) map[string]any {
	return map[string]any{"passive": map[string]any{
		"healthy":   map[string]any{"successes": float64(successes)},
		"unhealthy": map[string]any{"tcp_failures": float64(tcp), "timeouts": float64(timeouts), "http_failures": float64(http)},
	}}
}

func newManager(t testing.TB, opts Options) *Manager {
	t.Helper()
	m := NewManager(opts)
	t.Cleanup(m.Close)
	return m
}

// single compiles one upstream and returns its balancer.
func single(t testing.TB, m *Manager, up map[string]any, targets ...map[string]any) *Balancer {
	t.Helper()
	bs := m.Update([]map[string]any{up}, targets)
	b := bs[up["name"].(string)]
	if b == nil {
		t.Fatalf("no balancer for %v", up["name"])
	}
	return b
}

// hashIn is a HashInput backed by fields.
type hashIn struct {
	consumer, ip, path string
	headers, cookies   map[string]string
	args, captures     map[string]string
}

func (h *hashIn) Consumer() string              { return h.consumer }
func (h *hashIn) ClientIP() string              { return h.ip }
func (h *hashIn) Header(name string) string     { return h.headers[name] }
func (h *hashIn) Cookie(name string) string     { return h.cookies[name] }
func (h *hashIn) Path() string                  { return h.path }
func (h *hashIn) QueryArg(name string) string   { return h.args[name] }
func (h *hashIn) URICapture(name string) string { return h.captures[name] }

// fakeResolver answers from a table and counts lookups.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
	errs    map[string]error
	lookups int
}

func (f *fakeResolver) set(name string, addrs []netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answers == nil {
		f.answers, f.errs = map[string][]netip.Addr{}, map[string]error{}
	}
	f.answers[name], f.errs[name] = addrs, err
}

func (f *fakeResolver) LookupAddrs(_ context.Context, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if err := f.errs[host]; err != nil {
		return nil, err
	}
	if a, ok := f.answers[host]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host", host)
}

func addrs(list ...string) []netip.Addr {
	out := make([]netip.Addr, len(list))
	for i, s := range list {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// mustPick picks and fails the test on error.
func mustPick(t testing.TB, b *Balancer, in HashInput, exclude ...Address) Address {
	t.Helper()
	a, ok, err := b.Pick(in, exclude...)
	if !ok || err != nil {
		t.Fatalf("Pick: ok=%v err=%v", ok, err)
	}
	return a
}
