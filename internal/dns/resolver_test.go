package dns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// testServer is a local nameserver with a programmable zone.
type testServer struct {
	addr string

	mu      sync.Mutex
	records map[string][]mdns.RR // key: fqdn + "/" + type
	rcode   map[string]int       // per fqdn override
	delay   time.Duration
	queries map[string]int
}

func startTestServer(t *testing.T) *testServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ts := &testServer{
		addr:    pc.LocalAddr().String(),
		records: map[string][]mdns.RR{},
		rcode:   map[string]int{},
		queries: map[string]int{},
	}
	srv := &mdns.Server{PacketConn: pc, Handler: ts}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ts
}

func (ts *testServer) add(t *testing.T, rr string) {
	t.Helper()
	r, err := mdns.NewRR(rr)
	if err != nil {
		t.Fatalf("bad record %q: %v", rr, err)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	key := r.Header().Name + "/" + mdns.TypeToString[r.Header().Rrtype]
	ts.records[key] = append(ts.records[key], r)
}

func (ts *testServer) setRcode(name string, rcode int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.rcode[mdns.Fqdn(name)] = rcode
}

func (ts *testServer) setDelay(d time.Duration) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.delay = d
}

func (ts *testServer) count(name string, qtype uint16) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.queries[mdns.Fqdn(name)+"/"+mdns.TypeToString[qtype]]
}

func (ts *testServer) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	q := req.Question[0]
	key := q.Name + "/" + mdns.TypeToString[q.Qtype]
	ts.mu.Lock()
	ts.queries[key]++
	delay := ts.delay
	rcode, override := ts.rcode[q.Name]
	answers := ts.records[key]
	exists := false
	for k := range ts.records {
		if len(k) > len(q.Name) && k[:len(q.Name)+1] == q.Name+"/" {
			exists = true
		}
	}
	ts.mu.Unlock()
	time.Sleep(delay)

	resp := new(mdns.Msg)
	resp.SetReply(req)
	switch {
	case override:
		resp.Rcode = rcode
	case !exists:
		resp.Rcode = mdns.RcodeNameError
	default:
		resp.Answer = answers
	}
	_ = w.WriteMsg(resp)
}

// fakeClock is a settable, race-safe clock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func newTestResolver(t *testing.T, ts *testServer, cfg Config) (*Resolver, *fakeClock) {
	t.Helper()
	cfg.Nameservers = []string{ts.addr}
	if cfg.HostsPath == "" {
		cfg.DisableHosts = true
	}
	cfg.Timeout = 500 * time.Millisecond
	cfg.Attempts = 1
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	clock := &fakeClock{}
	clock.ns.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	r.now = clock.now
	return r, clock
}

func TestLookupAnswersAndErrors(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "v4.test. 30 IN A 10.0.0.1")
	ts.add(t, "v4.test. 30 IN A 10.0.0.2")
	ts.add(t, "v6.test. 30 IN AAAA 2001:db8::1")
	ts.add(t, "empty.test. 30 IN TXT \"no addresses\"")
	ts.add(t, "broken.test. 30 IN A 10.9.9.9")
	ts.setRcode("broken.test", mdns.RcodeServerFailure)
	r, _ := newTestResolver(t, ts, Config{})

	tests := []struct {
		name    string
		host    string
		want    []string
		wantErr error
	}{
		{"A records", "v4.test", []string{"10.0.0.1", "10.0.0.2"}, nil},
		{"case and trailing dot", "V4.Test.", []string{"10.0.0.1", "10.0.0.2"}, nil},
		{"AAAA fallback", "v6.test", []string{"2001:db8::1"}, nil},
		{"IPv4 literal", "192.0.2.7", []string{"192.0.2.7"}, nil},
		{"IPv6 literal in brackets", "[2001:db8::9]", []string{"2001:db8::9"}, nil},
		{"NXDOMAIN", "missing.test", nil, ErrNotFound},
		{"no address records", "empty.test", nil, ErrNotFound},
		{"SERVFAIL", "broken.test", nil, ErrServerFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.LookupAddrs(context.Background(), tc.host)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertAddrs(t, got, tc.want)
		})
	}
}

func TestCacheHonoursTTL(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "ttl.test. 10 IN A 10.0.0.1")
	r, clock := newTestResolver(t, ts, Config{MinTTL: time.Second})
	ctx := context.Background()

	for i := 0; i < 3; i++ {
		if _, err := r.LookupAddrs(ctx, "ttl.test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.count("ttl.test", mdns.TypeA); n != 1 {
		t.Fatalf("queries within TTL = %d, want 1", n)
	}
	clock.advance(9 * time.Second)
	if _, err := r.LookupAddrs(ctx, "ttl.test"); err != nil {
		t.Fatal(err)
	}
	if n := ts.count("ttl.test", mdns.TypeA); n != 1 {
		t.Fatalf("queries before expiry = %d, want 1", n)
	}
	clock.advance(2 * time.Second)
	if _, err := r.LookupAddrs(ctx, "ttl.test"); err != nil {
		t.Fatal(err)
	}
	if n := ts.count("ttl.test", mdns.TypeA); n != 2 {
		t.Fatalf("queries after expiry = %d, want 2", n)
	}
}

func TestMinTTLFloor(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "zero.test. 0 IN A 10.0.0.1")
	r, clock := newTestResolver(t, ts, Config{MinTTL: 5 * time.Second})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := r.LookupAddrs(ctx, "zero.test"); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Second)
	}
	if n := ts.count("zero.test", mdns.TypeA); n != 1 {
		t.Fatalf("queries = %d, want 1 (TTL 0 raised to the floor)", n)
	}
}

func TestNotFoundIsCached(t *testing.T) {
	ts := startTestServer(t)
	r, clock := newTestResolver(t, ts, Config{NotFoundTTL: 3 * time.Second})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := r.LookupAddrs(ctx, "nx.test"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := ts.count("nx.test", mdns.TypeA); n != 1 {
		t.Fatalf("queries = %d, want 1", n)
	}
	clock.advance(4 * time.Second)
	ts.add(t, "nx.test. 30 IN A 10.1.1.1")
	got, err := r.LookupAddrs(ctx, "nx.test")
	if err != nil {
		t.Fatalf("after negative TTL: %v", err)
	}
	assertAddrs(t, got, []string{"10.1.1.1"})
}

func TestStaleAnswerDuringGrace(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "stale.test. 2 IN A 10.0.0.5")
	r, clock := newTestResolver(t, ts, Config{MinTTL: time.Second, StaleGrace: 10 * time.Second})
	ctx := context.Background()
	if _, err := r.LookupAddrs(ctx, "stale.test"); err != nil {
		t.Fatal(err)
	}
	ts.setRcode("stale.test", mdns.RcodeServerFailure)

	clock.advance(3 * time.Second) // expired, inside grace
	got, err := r.LookupAddrs(ctx, "stale.test")
	if err != nil {
		t.Fatalf("inside grace: %v", err)
	}
	assertAddrs(t, got, []string{"10.0.0.5"})
	queries := ts.count("stale.test", mdns.TypeA)
	if _, err := r.LookupAddrs(ctx, "stale.test"); err != nil {
		t.Fatal(err)
	}
	if n := ts.count("stale.test", mdns.TypeA); n != queries {
		t.Fatalf("failed refresh retried immediately (%d -> %d queries)", queries, n)
	}

	clock.advance(10 * time.Second) // past grace
	if _, err := r.LookupAddrs(ctx, "stale.test"); !errors.Is(err, ErrServerFailure) {
		t.Fatalf("past grace: err = %v, want server failure", err)
	}
}

func TestConcurrentLookupsShareOneQuery(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "slow.test. 30 IN A 10.0.0.9")
	ts.setDelay(100 * time.Millisecond)
	r, _ := newTestResolver(t, ts, Config{})

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.LookupAddrs(context.Background(), "slow.test")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.count("slow.test", mdns.TypeA); n != 1 {
		t.Fatalf("queries = %d, want 1", n)
	}
}

func TestCallerCancellationDoesNotPoisonSharedQuery(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "slow.test. 30 IN A 10.0.0.9")
	ts.setDelay(100 * time.Millisecond)
	r, _ := newTestResolver(t, ts, Config{})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := r.LookupAddrs(ctx, "slow.test"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	got, err := r.LookupAddrs(context.Background(), "slow.test")
	if err != nil {
		t.Fatal(err)
	}
	assertAddrs(t, got, []string{"10.0.0.9"})
}

func TestHostsFileFirstAndReloaded(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "both.test. 30 IN A 10.0.0.1")
	path := filepath.Join(t.TempDir(), "hosts")
	writeFile(t, path, "# comment\n192.0.2.1 both.test Alias.Test # trailing\n::1 six.test\n")
	r, clock := newTestResolver(t, ts, Config{HostsPath: path, HostsRecheck: 10 * time.Second})
	ctx := context.Background()

	got, err := r.LookupAddrs(ctx, "both.test")
	if err != nil {
		t.Fatal(err)
	}
	assertAddrs(t, got, []string{"192.0.2.1"})
	if n := ts.count("both.test", mdns.TypeA); n != 0 {
		t.Fatalf("hosts entry still queried the nameserver %d times", n)
	}
	got, _ = r.LookupAddrs(ctx, "alias.test")
	assertAddrs(t, got, []string{"192.0.2.1"})
	got, _ = r.LookupAddrs(ctx, "six.test")
	assertAddrs(t, got, []string{"::1"})

	writeFile(t, path, "192.0.2.2 both.test\n")
	future := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	got, _ = r.LookupAddrs(ctx, "both.test")
	assertAddrs(t, got, []string{"192.0.2.1"}) // not rechecked yet
	clock.advance(11 * time.Second)
	got, _ = r.LookupAddrs(ctx, "both.test")
	assertAddrs(t, got, []string{"192.0.2.2"})
}

func TestResolvConfNameserversAndSearch(t *testing.T) {
	ts := startTestServer(t)
	ts.add(t, "api.corp.test. 30 IN A 10.2.0.1")
	host, port, _ := net.SplitHostPort(ts.addr)
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	writeFile(t, conf, "nameserver "+host+"\nsearch corp.test\noptions ndots:1 timeout:1 attempts:1\n")
	r, err := New(Config{ResolvConfPath: conf, DisableHosts: true})
	if err != nil {
		t.Fatal(err)
	}
	r.servers = []string{net.JoinHostPort(host, port)} // resolv.conf cannot name a port
	got, err := r.LookupAddrs(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	assertAddrs(t, got, []string{"10.2.0.1"})
}

func TestMissingResolvConf(t *testing.T) {
	_, err := New(Config{ResolvConfPath: filepath.Join(t.TempDir(), "absent")})
	if err == nil {
		t.Fatal("expected an error for a missing resolv.conf")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func assertAddrs(t *testing.T, got []netip.Addr, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("addrs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("addrs = %v, want %v", got, want)
		}
	}
}
