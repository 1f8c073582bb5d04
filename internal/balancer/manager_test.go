package balancer

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

var errNXDomain = errors.New("nxdomain")

func TestDNSTargets(t *testing.T) {
	res := &fakeResolver{}
	res.set("api.test", addrs("10.1.0.1", "10.1.0.2"), nil)
	m := newManager(t, Options{Resolver: res, RefreshInterval: 10 * time.Millisecond})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, nil), targetObj("u1", "api.test:8080", 100))

	seen := map[netip.Addr]int{}
	for range 100 {
		a := mustPick(t, b, nil)
		if a.Target != "api.test:8080" || a.Hostname != "api.test" || a.Port != 8080 {
			t.Fatalf("picked %+v", a)
		}
		seen[a.IP]++
		b.Done(a, Outcome{Status: 200})
	}
	if seen[netip.MustParseAddr("10.1.0.1")] != 50 || seen[netip.MustParseAddr("10.1.0.2")] != 50 {
		t.Errorf("every resolved address carries the target weight: %v", seen)
	}
	if w := b.Health().Weight.Total; w != 200 {
		t.Errorf("total weight %d, want 200 (two addresses of weight 100)", w)
	}

	// A new answer replaces the addresses in the background.
	res.set("api.test", addrs("10.1.0.3"), nil)
	eventually(t, "re-resolution", func() bool {
		a, ok, _ := b.Pick(nil)
		if ok {
			b.Done(a, Outcome{})
		}
		return ok && a.IP == netip.MustParseAddr("10.1.0.3")
	})

	// The name disappears: the balancer reports the DNS error.
	res.set("api.test", nil, errNXDomain)
	eventually(t, "dns error", func() bool {
		_, ok, err := b.Pick(nil)
		var de *DNSError
		return !ok && errors.As(err, &de) && errors.Is(err, errNXDomain) && de.Target == "api.test:8080"
	})
	if h := b.Health().Targets[0].Health; h != DNSErrorStatus {
		t.Errorf("target health %s, want DNS_ERROR", h)
	}
}

func TestDNSErrorOnlyWhenNoAddressAtAll(t *testing.T) {
	res := &fakeResolver{}
	res.set("bad.test", nil, errNXDomain)
	m := newManager(t, Options{Resolver: res})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 0)}),
		targetObj("u1", "bad.test:80", 100), targetObj("u1", "10.0.0.1:80", 100))
	a := mustPick(t, b, nil)
	if a.String() != "10.0.0.1:80" {
		t.Fatalf("picked %s", a)
	}
	b.Done(a, Outcome{Failure: TCPFailure})
	if _, _, err := b.Pick(nil); err != ErrNoPeer {
		t.Errorf("with a resolved but unhealthy address the error is %v, want ErrNoPeer", err)
	}

	none := single(t, newManager(t, Options{}), upstreamObj("u2", "noresolver", RoundRobin, nil), targetObj("u2", "x.test:80", 100))
	if _, _, err := none.Pick(nil); !errors.Is(err, ErrNoResolver) {
		t.Errorf("without a resolver: %v", err)
	}
}

func TestManagerCarriesStateAcrossRecompiles(t *testing.T) {
	m := newManager(t, Options{})
	up := upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 0)})
	targets := []map[string]any{targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100)}
	b := single(t, m, up, targets...)
	if err := b.SetTargetHealth("10.0.0.1:80", false); err != nil {
		t.Fatal(err)
	}

	// Renamed, retagged and one more target: same balancer, same health.
	up2 := upstreamObj("u1", "renamed", RoundRobin, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 0), "tags": []any{"x"}})
	bs := m.Update([]map[string]any{up2}, append(targets, targetObj("u1", "10.0.0.3:80", 100)))
	if bs["renamed"] != b || bs["up"] != nil {
		t.Fatalf("balancers after rename: %v", bs)
	}
	if m.Get("u1") != b || m.Get("renamed") != b || m.Get("up") != nil {
		t.Error("Get by id or current name")
	}
	h := b.Health()
	if len(h.Targets) != 3 || h.Targets[0].Health != Unhealthy || h.Targets[1].Health != Healthy {
		t.Errorf("health after recompile: %+v", h.Targets)
	}

	// A removed target loses its state; re-added, it starts healthy.
	m.Update([]map[string]any{up2}, targets[1:])
	m.Update([]map[string]any{up2}, targets)
	if h := b.Health(); h.Targets[0].Health != Healthy {
		t.Errorf("re-added target health %s", h.Targets[0].Health)
	}

	// Deleting the upstream drops it.
	if bs := m.Update(nil, nil); len(bs) != 0 || m.Get("u1") != nil {
		t.Errorf("deleted upstream still present: %v", bs)
	}
}

func TestManagerStopsProbesOfDeletedUpstreams(t *testing.T) {
	srv := newStatusServer(t, false)
	m := newManager(t, Options{})
	up := upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": activeChecks("http", false)})
	single(t, m, up, targetObj("u1", srv.target(), 100))
	eventually(t, "probes", func() bool { return srv.requests.Load() >= 3 })

	// An unchanged recompile keeps probing without restarting.
	single(t, m, up, targetObj("u1", srv.target(), 100))
	before := srv.requests.Load()
	eventually(t, "probes after recompile", func() bool { return srv.requests.Load() > before+2 })

	m.Update(nil, nil)
	time.Sleep(30 * time.Millisecond) // let a probe already in flight finish
	stopped := srv.requests.Load()
	time.Sleep(100 * time.Millisecond)
	if n := srv.requests.Load(); n != stopped {
		t.Errorf("%d probes after the upstream was deleted", n-stopped)
	}
}

func TestManagerTurnsProbesOffWhenConfigChanges(t *testing.T) {
	srv := newStatusServer(t, false)
	m := newManager(t, Options{})
	single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": activeChecks("http", false)}),
		targetObj("u1", srv.target(), 100))
	eventually(t, "probes", func() bool { return srv.requests.Load() > 0 })
	single(t, m, upstreamObj("u1", "up", RoundRobin, nil), targetObj("u1", srv.target(), 100))
	time.Sleep(30 * time.Millisecond)
	stopped := srv.requests.Load()
	time.Sleep(100 * time.Millisecond)
	if n := srv.requests.Load(); n != stopped {
		t.Errorf("%d probes after active checks were turned off", n-stopped)
	}
}

func TestLatestTargetRowWins(t *testing.T) {
	m := newManager(t, Options{})
	older := targetObj("u1", "10.0.0.1:80", 100)
	newer := targetObj("u1", "10.0.0.1:80", 0)
	newer["created_at"] = float64(2)
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, nil), newer, older)
	if _, ok, _ := b.Pick(nil); ok {
		t.Error("the newer weight-0 row must disable the target")
	}
	if n := len(b.Health().Targets); n != 1 {
		t.Errorf("%d targets reported, want 1", n)
	}
}

func TestReportListsUpstreams(t *testing.T) {
	m := newManager(t, Options{})
	m.Update([]map[string]any{upstreamObj("u2", "b", RoundRobin, nil), upstreamObj("u1", "a", RoundRobin, nil)},
		[]map[string]any{targetObj("u1", "10.0.0.1:80", 100)})
	r := m.Report()
	if len(r) != 2 || r[0].Name != "a" || r[1].Name != "b" || len(r[0].Targets) != 1 {
		t.Errorf("report %+v", r)
	}
}

func TestPickDoesNotAllocate(t *testing.T) {
	for _, algo := range []string{RoundRobin, ConsistentHashing, LeastConnections, Latency} {
		t.Run(algo, func(t *testing.T) {
			b := benchBalancer(t, algo, 8)
			in := &hashIn{ip: "192.0.2.1"}
			first := mustPick(t, b, in)
			b.Done(first, Outcome{Status: 200, Latency: time.Millisecond})
			allocs := testing.AllocsPerRun(200, func() {
				a, _, _ := b.Pick(in, first)
				b.Done(a, Outcome{Status: 200, Latency: time.Millisecond})
			})
			if allocs != 0 {
				t.Errorf("%v allocations per Pick+Done", allocs)
			}
		})
	}
}
