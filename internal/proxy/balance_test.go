package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/snapshot"
)

// identityUpstream answers every request with its name, the Host it saw
// and the Cookie header, and returns its target ("127.0.0.1:port").
func identityUpstream(t *testing.T, name string) string {
	t.Helper()
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Host-Seen", r.Host)
		_, _ = fmt.Fprint(w, name)
	})
	u, _ := url.Parse(srv.URL)
	return u.Host
}

// balancedGateway serves one route whose service host is the upstream
// "backend" (the service port is deliberately wrong).
func balancedGateway(t *testing.T, m *balancer.Manager, retries int, upstream map[string]any, targets ...map[string]any) *gateway {
	t.Helper()
	return balancedGatewayOn(t, defaultEngine, m, retries, upstream, targets...)
}

// balancedGatewayOn is balancedGateway with the given client-side engine.
func balancedGatewayOn(t *testing.T, eng engine, m *balancer.Manager, retries int, upstream map[string]any, targets ...map[string]any) *gateway {
	t.Helper()
	svc := &snapshot.Service{ID: "svc-1", Name: "balanced", Protocol: "http", Host: "backend", Port: 1,
		Retries: retries, ConnectTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, Enabled: true}
	holder := buildHolder(t, testRoute{paths: []string{"/"}, service: svc})
	holder.Load().Upstreams = m.Update([]map[string]any{upstream}, targets)
	return startGatewayOn(t, eng, defaultTestOptions(), holder)
}

func newTestManager(t *testing.T, r balancer.Resolver) *balancer.Manager {
	t.Helper()
	m := balancer.NewManager(balancer.Options{Resolver: r, ResolveWait: 2 * time.Second})
	t.Cleanup(m.Close)
	return m
}

func upstreamEntity(extra map[string]any) map[string]any {
	o := map[string]any{"id": "u-1", "name": "backend", "algorithm": "round-robin"}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func targetEntity(target string, weight int) map[string]any {
	return map[string]any{"id": "t-" + target, "upstream": map[string]any{"id": "u-1"},
		"target": target, "weight": float64(weight), "created_at": float64(1)}
}

func passiveTCP(failures int) map[string]any {
	return map[string]any{"passive": map[string]any{
		"unhealthy": map[string]any{"tcp_failures": float64(failures)},
	}}
}

// hits sends n requests and counts the bodies (upstream names) seen.
func hits(t *testing.T, g *gateway, n int, header http.Header) map[string]int {
	t.Helper()
	out := map[string]int{}
	for range n {
		resp := g.do(t, "GET", "/", header, nil)
		body := readBody(t, resp)
		if resp.StatusCode != 200 {
			out[strconv.Itoa(resp.StatusCode)]++
			continue
		}
		out[body]++
	}
	return out
}

func TestBalancedWeights(t *testing.T) {
	a, b := identityUpstream(t, "a"), identityUpstream(t, "b")
	tests := []struct {
		name           string
		weightA, weigh int
		wantA, wantB   int
	}{
		{"equal weights alternate", 100, 100, 10, 10},
		{"weight zero gets nothing", 100, 0, 20, 0},
		{"three to one", 300, 100, 15, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestManager(t, nil)
			g := balancedGateway(t, m, 0, upstreamEntity(nil), targetEntity(a, tt.weightA), targetEntity(b, tt.weigh))
			got := hits(t, g, 20, nil)
			if got["a"] != tt.wantA || got["b"] != tt.wantB {
				t.Fatalf("hits %v, want a=%d b=%d", got, tt.wantA, tt.wantB)
			}
		})
	}
}

func TestBalancedHostHeader(t *testing.T) {
	a := identityUpstream(t, "a")
	_, port, _ := strings.Cut(a, ":")
	tests := []struct {
		name     string
		upstream map[string]any
		header   http.Header
		preserve bool
		want     string
	}{
		{"target hostname and port", upstreamEntity(nil), nil, false, "127.0.0.1:" + port},
		{"upstream host_header", upstreamEntity(map[string]any{"host_header": "api.test"}), nil, false, "api.test:" + port},
		{"client host with preserve_host", upstreamEntity(nil), http.Header{"Host": {"client.test"}}, true, "client.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestManager(t, nil)
			svc := &snapshot.Service{ID: "svc-1", Protocol: "http", Host: "backend", Port: 1,
				ConnectTimeout: time.Second, WriteTimeout: time.Second, ReadTimeout: time.Second, Enabled: true}
			holder := buildHolder(t, testRoute{paths: []string{"/"}, service: svc, preserveHost: tt.preserve})
			holder.Load().Upstreams = m.Update([]map[string]any{tt.upstream}, []map[string]any{targetEntity(a, 100)})
			g := startGateway(t, defaultTestOptions(), holder)
			resp := g.do(t, "GET", "/", tt.header, nil)
			if got := resp.Header.Get("X-Host-Seen"); got != tt.want {
				t.Fatalf("upstream saw Host %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBalancedPassiveHealthAndRetry(t *testing.T) {
	live := identityUpstream(t, "live")
	dead := "127.0.0.1:" + strconv.Itoa(closedPort(t))
	m := newTestManager(t, nil)
	g := balancedGateway(t, m, 2, upstreamEntity(map[string]any{"healthchecks": passiveTCP(1)}),
		targetEntity(live, 100), targetEntity(dead, 100))
	got := hits(t, g, 10, nil)
	if got["live"] != 10 {
		t.Fatalf("hits %v: every request should reach the live target", got)
	}
	h := m.Get("backend").Health()
	for _, th := range h.Targets {
		want := balancer.Healthy
		if th.Target == dead {
			want = balancer.Unhealthy
		}
		if th.Health != want {
			t.Fatalf("target %s health %s, want %s", th.Target, th.Health, want)
		}
	}
	// The retried attempt is logged with the upstream and the address.
	var failed map[string]any
	for _, l := range g.errorLog.lines(t) {
		if l["msg"] == "upstream request failed" {
			failed = l
		}
	}
	if failed == nil || failed["upstream_name"] != "backend" || failed["upstream_addr"] != dead ||
		failed["upstream_host"] != "127.0.0.1" || failed["class"] != string(FailConnectRefused) {
		t.Fatalf("error log entry %v", failed)
	}
	_ = g.proxy.Flush()
	lines := g.accessLog.lines(t)
	up, _ := lines[0]["upstream"].(map[string]any)
	if up["name"] != "backend" || up["host"] != "127.0.0.1" {
		t.Fatalf("access log upstream %v", up)
	}
}

func TestBalancedFailures(t *testing.T) {
	dead1 := "127.0.0.1:" + strconv.Itoa(closedPort(t))
	dead2 := "127.0.0.1:" + strconv.Itoa(closedPort(t))
	tests := []struct {
		name       string
		upstream   map[string]any
		targets    []map[string]any
		retries    int
		wantStatus []int
		wantBody   string
	}{
		{"no targets", upstreamEntity(nil), nil, 5, []int{503, 503}, msgNoPeer},
		{"only weight zero", upstreamEntity(nil), []map[string]any{targetEntity(dead1, 0)}, 5, []int{503}, msgNoPeer},
		{"all refused without health checks", upstreamEntity(nil),
			[]map[string]any{targetEntity(dead1, 100), targetEntity(dead2, 100)}, 3, []int{502, 502}, msgInvalidResponse},
		{"all refused with passive checks, then no peer", upstreamEntity(map[string]any{"healthchecks": passiveTCP(1)}),
			[]map[string]any{targetEntity(dead1, 100), targetEntity(dead2, 100)}, 3, []int{502, 503}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestManager(t, nil)
			g := balancedGateway(t, m, tt.retries, tt.upstream, tt.targets...)
			for i, want := range tt.wantStatus {
				resp := g.do(t, "GET", "/", nil, nil)
				body := readBody(t, resp)
				if resp.StatusCode != want {
					t.Fatalf("request %d: status %d (%s), want %d", i, resp.StatusCode, body, want)
				}
				if tt.wantBody != "" && !strings.Contains(body, tt.wantBody) {
					t.Fatalf("request %d: body %q, want %q", i, body, tt.wantBody)
				}
				if want == 503 && !strings.Contains(body, msgNoPeer) {
					t.Fatalf("request %d: body %q", i, body)
				}
			}
		})
	}
}

// fakeResolver answers one fixed error for every name.
type fakeResolver struct{ err error }

func (f fakeResolver) LookupAddrs(context.Context, string) ([]netip.Addr, error) { return nil, f.err }

func TestBalancedDNSFailures(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"name not found", fmt.Errorf("lookup: %w", dns.ErrNotFound), 503, msgNameResolution},
		{"server failure", errors.New("dns server error: 2 server failure"), 500, "dns server error: 2 server failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestManager(t, fakeResolver{tt.err})
			g := balancedGateway(t, m, 0, upstreamEntity(nil), targetEntity("nowhere.test:80", 100))
			resp := g.do(t, "GET", "/", nil, nil)
			body := readBody(t, resp)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Fatalf("status %d body %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestBalancedConsistentHashing(t *testing.T) {
	a, b, c := identityUpstream(t, "a"), identityUpstream(t, "b"), identityUpstream(t, "c")
	targets := []map[string]any{targetEntity(a, 100), targetEntity(b, 100), targetEntity(c, 100)}
	tests := []struct {
		name     string
		upstream map[string]any
		header   func(key int) http.Header
		path     func(key int) string
	}{
		{"header", upstreamEntity(map[string]any{"algorithm": "consistent-hashing", "hash_on": "header", "hash_on_header": "X-Key"}),
			func(k int) http.Header { return http.Header{"X-Key": {strconv.Itoa(k)}} }, func(int) string { return "/" }},
		{"cookie", upstreamEntity(map[string]any{"algorithm": "consistent-hashing", "hash_on": "cookie", "hash_on_cookie": "sticky"}),
			func(k int) http.Header { return http.Header{"Cookie": {"other=1; sticky=" + strconv.Itoa(k)}} }, func(int) string { return "/" }},
		{"query arg", upstreamEntity(map[string]any{"algorithm": "consistent-hashing", "hash_on": "query_arg", "hash_on_query_arg": "user"}),
			func(int) http.Header { return nil }, func(k int) string { return "/?x=1&user=" + strconv.Itoa(k) }},
		{"path", upstreamEntity(map[string]any{"algorithm": "consistent-hashing", "hash_on": "path"}),
			func(int) http.Header { return nil }, func(k int) string { return "/p" + strconv.Itoa(k) }},
		{"ip falls back to one target", upstreamEntity(map[string]any{"algorithm": "consistent-hashing", "hash_on": "ip"}),
			func(int) http.Header { return nil }, func(int) string { return "/" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestManager(t, nil)
			g := balancedGateway(t, m, 0, tt.upstream, targets...)
			seen := map[string]bool{}
			for key := range 12 {
				first := ""
				for range 4 {
					resp := g.do(t, "GET", tt.path(key), tt.header(key), nil)
					body := readBody(t, resp)
					if first == "" {
						first = body
					} else if body != first {
						t.Fatalf("key %d went to %s then %s", key, first, body)
					}
				}
				seen[first] = true
			}
			if tt.name != "ip falls back to one target" && len(seen) < 2 {
				t.Fatalf("12 keys all went to %v", seen)
			}
		})
	}
}

func TestBalancedHashCookieIsSet(t *testing.T) {
	a, b := identityUpstream(t, "a"), identityUpstream(t, "b")
	for _, eng := range []struct {
		name string
		eng  engine
	}{{"h1 event loops", engineLoop}, {"h1 goroutines", engineH1}, {"net/http", engineNetHTTP}} {
		t.Run(eng.name, func(t *testing.T) {
			m := newTestManager(t, nil)
			g := balancedGatewayOn(t, eng.eng, m, 0, upstreamEntity(map[string]any{"algorithm": "consistent-hashing",
				"hash_on": "cookie", "hash_on_cookie": "sticky", "hash_on_cookie_path": "/app"}),
				targetEntity(a, 100), targetEntity(b, 100))
			checkHashCookie(t, g)
		})
	}
}

// checkHashCookie expects a generated cookie on a request without one,
// and that sending it back keeps the request on the same target.
func checkHashCookie(t *testing.T, g *gateway) {
	t.Helper()
	resp := g.do(t, "GET", "/", nil, nil)
	first := readBody(t, resp)
	set := resp.Header.Get("Set-Cookie")
	value, ok := strings.CutPrefix(set, "sticky=")
	if !ok || !strings.HasSuffix(value, "; Path=/app") || len(value) != len("; Path=/app")+36 {
		t.Fatalf("Set-Cookie %q", set)
	}
	cookie := "sticky=" + strings.TrimSuffix(value, "; Path=/app")
	for range 5 {
		resp := g.do(t, "GET", "/", http.Header{"Cookie": {cookie}}, nil)
		if body := readBody(t, resp); body != first {
			t.Fatalf("cookie %s went to %s, first to %s", cookie, body, first)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Fatal("Set-Cookie sent although the request carried the cookie")
		}
	}
}

// BenchmarkProxyBalanced: one route whose service host is an upstream
// with two round-robin targets.
func BenchmarkProxyBalanced(b *testing.B) {
	u1, _ := url.Parse(h1Upstream(b))
	u2, _ := url.Parse(h1Upstream(b))
	m := balancer.NewManager(balancer.Options{})
	b.Cleanup(m.Close)
	svc := &snapshot.Service{ID: "svc-1", Protocol: "http", Host: "backend", Port: 1,
		ConnectTimeout: time.Second, WriteTimeout: time.Second, ReadTimeout: time.Second, Enabled: true}
	holder := buildHolder(b, testRoute{paths: []string{"/bench"}, service: svc})
	holder.Load().Upstreams = m.Update([]map[string]any{upstreamEntity(nil)},
		[]map[string]any{targetEntity(u1.Host, 100), targetEntity(u2.Host, 100)})
	runProxyBench(b, holder, benchRequest)
}
