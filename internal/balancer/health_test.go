package balancer

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPassiveHealth(t *testing.T) {
	tests := []struct {
		name    string
		checks  map[string]any
		outcome Outcome
		after   int // outcomes needed to mark unhealthy; 0 = never
	}{
		{"tcp failures", passiveChecks(3, 0, 0, 0), Outcome{Failure: TCPFailure}, 3},
		{"timeouts", passiveChecks(0, 2, 0, 0), Outcome{Failure: Timeout}, 2},
		{"http failures", passiveChecks(0, 0, 2, 0), Outcome{Status: 500}, 2},
		{"status outside the unhealthy list", passiveChecks(0, 0, 1, 0), Outcome{Status: 502}, 0},
		{"counter disabled", passiveChecks(0, 5, 0, 0), Outcome{Failure: TCPFailure}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, Options{})
			b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": tt.checks}),
				targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100))
			bad := netip.MustParseAddr("10.0.0.1")
			report := func() {
				for {
					a := mustPick(t, b, nil)
					if a.IP == bad {
						b.Done(a, tt.outcome)
						return
					}
					b.Done(a, Outcome{Status: 200})
				}
			}
			limit := tt.after
			if limit == 0 {
				limit = 10
			}
			for i := 1; i <= limit; i++ {
				report()
				unhealthy := b.Health().Targets[0].Health == Unhealthy
				if want := tt.after > 0 && i >= tt.after; unhealthy != want {
					t.Fatalf("after %d outcomes unhealthy=%v, want %v", i, unhealthy, want)
				}
			}
			if tt.after == 0 {
				return
			}
			for range 20 {
				if a := mustPick(t, b, nil); a.IP == bad {
					t.Fatal("an unhealthy address was picked")
				}
			}
		})
	}
}

func TestPassiveSuccessResetsFailures(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": passiveChecks(2, 0, 0, 0)}),
		targetObj("u1", "10.0.0.1:80", 100))
	for range 5 {
		a := mustPick(t, b, nil)
		b.Done(a, Outcome{Failure: TCPFailure})
		a = mustPick(t, b, nil)
		b.Done(a, Outcome{Status: 200})
	}
	if h := b.Health().Targets[0].Health; h != Healthy {
		t.Errorf("alternating failure/success gave %s", h)
	}
}

func TestAllUnhealthyGives503Error(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", LeastConnections, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 0)}),
		targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100))
	for range 2 {
		a := mustPick(t, b, nil)
		b.Done(a, Outcome{Failure: TCPFailure})
	}
	_, ok, err := b.Pick(nil)
	if ok || !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Pick = %v, %v; want ErrNoPeer", ok, err)
	}
	if err := b.SetTargetHealth("10.0.0.2:80", true); err != nil {
		t.Fatal(err)
	}
	if a := mustPick(t, b, nil); a.String() != "10.0.0.2:80" {
		t.Errorf("after manual recovery picked %s", a)
	}
}

func TestPassiveRecoveryWithSuccesses(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 2)}),
		targetObj("u1", "10.0.0.1:80", 100))
	a := mustPick(t, b, nil)
	b.Done(a, Outcome{Failure: TCPFailure})
	if b.Health().Targets[0].Health != Unhealthy {
		t.Fatal("not unhealthy")
	}
	b.Done(a, Outcome{Status: 200}) // a response that was already in flight
	if b.Health().Targets[0].Health != Unhealthy {
		t.Fatal("healthy after one success; successes is 2")
	}
	b.Done(a, Outcome{Status: 200})
	if b.Health().Targets[0].Health != Healthy {
		t.Fatal("not healthy after two successes")
	}
}

func TestThreshold(t *testing.T) {
	tests := []struct {
		threshold  float64
		unhealthy  int // of four equal targets
		wantPicked bool
	}{
		{0, 3, true},
		{0, 4, false},
		{50, 1, true},
		{50, 2, false}, // 50% is not strictly above 50
		{74, 1, true},
		{75, 1, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.threshold))+"/"+strconv.Itoa(tt.unhealthy), func(t *testing.T) {
			m := newManager(t, Options{})
			var targets []map[string]any
			for i := 1; i <= 4; i++ {
				targets = append(targets, targetObj("u1", "10.0.0."+strconv.Itoa(i)+":80", 100))
			}
			b := single(t, m, upstreamObj("u1", "up", RoundRobin,
				map[string]any{"healthchecks": map[string]any{"threshold": tt.threshold}}), targets...)
			for i := 1; i <= tt.unhealthy; i++ {
				if err := b.SetAddressHealth("10.0.0."+strconv.Itoa(i)+":80", "10.0.0."+strconv.Itoa(i)+":80", false); err != nil {
					t.Fatal(err)
				}
			}
			_, ok, err := b.Pick(nil)
			if ok != tt.wantPicked {
				t.Errorf("Pick ok=%v err=%v, want ok=%v", ok, err, tt.wantPicked)
			}
			if !ok && err != ErrNoPeer {
				t.Errorf("err = %v", err)
			}
			wantHealth := Unhealthy
			if tt.wantPicked {
				wantHealth = Healthy
			}
			if h := b.Health().BalancerHealth; h != wantHealth {
				t.Errorf("balancer health %s, want %s", h, wantHealth)
			}
		})
	}
}

func TestSetHealthErrors(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, nil), targetObj("u1", "10.0.0.1:8000", 100))
	if err := b.SetTargetHealth("nope:80", false); !errors.Is(err, ErrTargetNotFound) {
		t.Errorf("unknown target: %v", err)
	}
	if err := b.SetAddressHealth("10.0.0.1:8000", "10.0.0.9", false); err == nil {
		t.Error("unknown address accepted")
	}
	if err := b.SetAddressHealth("10.0.0.1:8000", "bogus", false); err == nil {
		t.Error("invalid address accepted")
	}
	// The address port defaults to 8000, and targets are found by id too.
	if err := b.SetAddressHealth("t-10.0.0.1:8000", "10.0.0.1", false); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Pick(nil); ok {
		t.Error("address still picked after being marked unhealthy")
	}
}

// statusServer answers with a status that can be changed and counts
// requests.
type statusServer struct {
	*httptest.Server
	status   atomic.Int32
	requests atomic.Int32
	lastPath atomic.Value
	lastHdr  atomic.Value
}

func newStatusServer(t *testing.T, tls bool) *statusServer {
	s := &statusServer{}
	s.status.Store(200)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.lastPath.Store(r.URL.Path)
		s.lastHdr.Store(r.Header.Get("X-Probe"))
		w.WriteHeader(int(s.status.Load()))
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *statusServer) target() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.URL, "http://"), "https://")
}

func activeChecks(kind string, verify bool) map[string]any {
	return map[string]any{"active": map[string]any{
		"type": kind, "timeout": 1.0, "concurrency": 2.0, "http_path": "/status",
		"https_verify_certificate": verify,
		"headers":                  map[string]any{"X-Probe": []any{"yes"}},
		"healthy":                  map[string]any{"interval": 0.01, "successes": 2.0},
		"unhealthy":                map[string]any{"interval": 0.01, "http_failures": 2.0, "tcp_failures": 1.0, "timeouts": 1.0},
	}}
}

func TestActiveHTTPProbes(t *testing.T) {
	for _, kind := range []string{"http", "https"} {
		t.Run(kind, func(t *testing.T) {
			srv := newStatusServer(t, kind == "https")
			m := newManager(t, Options{})
			b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": activeChecks(kind, false)}),
				targetObj("u1", srv.target(), 100))
			health := func() HealthStatus { return b.Health().Targets[0].Health }
			eventually(t, "first probe", func() bool { return srv.requests.Load() > 0 })
			if p := srv.lastPath.Load(); p != "/status" || srv.lastHdr.Load() != "yes" {
				t.Errorf("probe path %v header %v", p, srv.lastHdr.Load())
			}
			if health() != Healthy {
				t.Fatalf("health %s with a 200 server", health())
			}
			srv.status.Store(500)
			eventually(t, "unhealthy", func() bool { return health() == Unhealthy })
			if _, ok, _ := b.Pick(nil); ok {
				t.Error("picked an address active checks marked unhealthy")
			}
			srv.status.Store(200)
			eventually(t, "healthy again", func() bool { return health() == Healthy })
			mustPick(t, b, nil)
		})
	}
}

func TestActiveHTTPSVerifiesCertificate(t *testing.T) {
	srv := newStatusServer(t, true)
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": activeChecks("https", true)}),
		targetObj("u1", srv.target(), 100))
	// The test server's certificate is self-signed: the handshake fails,
	// which counts as a TCP failure.
	eventually(t, "unhealthy on certificate failure", func() bool { return b.Health().Targets[0].Health == Unhealthy })
	if srv.requests.Load() != 0 {
		t.Error("a request went through an unverified connection")
	}
}

func TestActiveTCPProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": activeChecks("tcp", false)}),
		targetObj("u1", addr, 100))
	if err := b.SetTargetHealth(addr, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "healthy while listening", func() bool { return b.Health().Targets[0].Health == Healthy })
	ln.Close()
	eventually(t, "unhealthy once closed", func() bool { return b.Health().Targets[0].Health == Unhealthy })
}

func TestHealthReportShape(t *testing.T) {
	res := &fakeResolver{}
	res.set("api.test", addrs("10.1.0.1", "10.1.0.2"), nil)
	res.set("gone.test", nil, errors.New("name not found"))
	m := newManager(t, Options{Resolver: res})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": passiveChecks(1, 0, 0, 0)}),
		targetObj("u1", "api.test:80", 50), targetObj("u1", "10.0.0.1:8000", 0),
		targetObj("u1", "gone.test:80", 100), targetObj("u1", "[::1]:81", 10))
	if err := b.SetAddressHealth("api.test:80", "10.1.0.2:80", false); err != nil {
		t.Fatal(err)
	}
	h := b.Health()
	if h.ID != "u1" || h.Name != "up" || h.Health != Healthy || h.BalancerHealth != Healthy {
		t.Errorf("upstream health %+v", h)
	}
	if h.Weight != (WeightReport{Total: 110, Available: 60, Unavailable: 50}) {
		t.Errorf("upstream weight %+v", h.Weight)
	}
	got := map[string]string{}
	for _, th := range h.Targets {
		raw, err := json.Marshal(th)
		if err != nil {
			t.Fatal(err)
		}
		got[th.Target] = string(raw)
	}
	want := map[string]string{
		"api.test:80": `{"health":"HEALTHY","data":{"host":"api.test","port":80,"dns":"A","nodeWeight":50,` +
			`"weight":{"total":100,"available":50,"unavailable":50},"addresses":[` +
			`{"ip":"10.1.0.1","port":80,"weight":50,"health":"HEALTHY"},{"ip":"10.1.0.2","port":80,"weight":50,"health":"UNHEALTHY"}]}}`,
		"10.0.0.1:8000": `{"health":"HEALTHCHECKS_OFF","data":{"host":"10.0.0.1","port":8000,"dns":"A","nodeWeight":0,` +
			`"weight":{"total":0,"available":0,"unavailable":0},"addresses":[{"ip":"10.0.0.1","port":8000,"weight":0,"health":"HEALTHCHECKS_OFF"}]}}`,
		"gone.test:80": `{"health":"DNS_ERROR","data":{"host":"gone.test","port":80,"dns":"resolving gone.test: name not found","nodeWeight":100,` +
			`"weight":{"total":0,"available":0,"unavailable":0},"addresses":[]}}`,
		"[::1]:81": `{"health":"HEALTHY","data":{"host":"::1","port":81,"dns":"AAAA","nodeWeight":10,` +
			`"weight":{"total":10,"available":10,"unavailable":0},"addresses":[{"ip":"::1","port":81,"weight":10,"health":"HEALTHY"}]}}`,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("target %s:\n got %s\nwant %s", k, got[k], w)
		}
	}
	details, _ := json.Marshal(h.Details())
	if !strings.HasPrefix(string(details), `{"healthy":true,"hosts":[`) || !strings.Contains(string(details), `"weight":{"total":110,"available":60,"unavailable":50}`) {
		t.Errorf("details %s", details)
	}
	if HealthchecksOff.MetricState() != "healthchecks_off" || DNSErrorStatus.MetricState() != "dns_error" {
		t.Error("metric states")
	}

	off := single(t, newManager(t, Options{}), upstreamObj("u2", "off", RoundRobin, nil), targetObj("u2", "10.0.0.1:80", 100))
	if h := off.Health(); h.Health != HealthchecksOff || h.Targets[0].Health != HealthchecksOff ||
		h.Targets[0].Data.Addresses[0].Health != HealthchecksOff || h.BalancerHealth != Healthy {
		t.Errorf("no checks configured: %+v", h)
	}
}
