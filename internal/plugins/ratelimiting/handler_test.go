package ratelimiting

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// policies lists the configs of both policies for tests that hold for
// each.
func policies(t *testing.T, extra entity.Object) map[string]entity.Object {
	local := entity.Object{}
	for k, v := range extra {
		local[k] = v
	}
	return map[string]entity.Object{"local": local, "redis": redisConfig(t, extra)}
}

var clock = time.Date(2025, 3, 4, 5, 6, 30, 0, time.UTC)

func TestLimitAndHeaders(t *testing.T) {
	for policy, cfg := range policies(t, entity.Object{"minute": 3.0, "hour": 10.0, "limit_by": "ip"}) {
		t.Run(policy, func(t *testing.T) {
			route := newRoute()
			t.Cleanup(func() { flushKeys(t, "ratelimit:"+route+":*") })
			h := newTestHandler(t, route, cfg)
			for i := 1; i <= 3; i++ {
				ctx := request(h, route, clock, nil)
				if ctx.Exited() {
					t.Fatalf("request %d refused", i)
				}
				hd := &ctx.Resp.Headers
				wantRemaining := formatNumber(float64(3 - i))
				if hd.Get("X-RateLimit-Limit-Minute") != "3" || hd.Get("X-RateLimit-Remaining-Minute") != wantRemaining ||
					hd.Get("X-RateLimit-Limit-Hour") != "10" || hd.Get("X-RateLimit-Remaining-Hour") != formatNumber(float64(10-i)) ||
					hd.Get("RateLimit-Limit") != "3" || hd.Get("RateLimit-Remaining") != wantRemaining ||
					hd.Get("RateLimit-Reset") != "30" || hd.Get("Retry-After") != "" {
					t.Errorf("request %d headers %+v", i, hd)
				}
			}
			ctx := request(h, route, clock.Add(10*time.Second), nil)
			hd := &ctx.Resp.Headers
			if ctx.Resp.Code != 429 || ctx.ErrorMessage != "API rate limit exceeded" {
				t.Errorf("4th request: %d %q", ctx.Resp.Code, ctx.ErrorMessage)
			}
			if hd.Get("Retry-After") != "20" || hd.Get("RateLimit-Reset") != "20" || hd.Get("RateLimit-Remaining") != "0" ||
				hd.Get("X-RateLimit-Remaining-Minute") != "0" || hd.Get("X-RateLimit-Remaining-Hour") != "7" {
				t.Errorf("429 headers %+v", hd)
			}
			// Another client has its own counter; the next minute starts afresh.
			other := request(h, route, clock, func(c *plugintest.Context) { c.Req.Client = netip.MustParseAddr("10.0.0.9") })
			next := request(h, route, clock.Add(30*time.Second), nil)
			if other.Exited() || next.Exited() {
				t.Errorf("other client %d, next minute %d", other.Resp.Code, next.Resp.Code)
			}
			if got := next.Resp.Headers.Get("X-RateLimit-Remaining-Hour"); got != "6" {
				t.Errorf("hour remaining in the next minute = %s, want 6", got)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	route := newRoute()
	h := newTestHandler(t, route, entity.Object{"second": 1.0, "hide_client_headers": true, "error_code": 503.0,
		"error_message": "slow down", "limit_by": "ip"})
	request(h, route, clock, nil)
	ctx := request(h, route, clock, nil)
	if ctx.Resp.Code != 503 || ctx.ErrorMessage != "slow down" {
		t.Errorf("refusal %d %q", ctx.Resp.Code, ctx.ErrorMessage)
	}
	seen := 0
	ctx.Resp.Headers.Range(func(name, _ string) bool {
		if name != "Content-Type" {
			seen++
		}
		return true
	})
	if seen != 0 {
		t.Errorf("hidden headers sent: %+v", ctx.Resp.Headers)
	}
}

func TestIdentifiers(t *testing.T) {
	consumer := &plugin.Consumer{ID: "c-1"}
	cred := &plugin.Credential{ID: "cred-1", ConsumerID: "c-1"}
	tests := []struct {
		name  string
		cfg   entity.Object
		setup func(*plugintest.Context)
		want  string
	}{
		{"consumer", entity.Object{"limit_by": "consumer"}, func(c *plugintest.Context) { c.Authenticate(consumer, cred) }, "c-1"},
		{"consumer falls back to ip", entity.Object{"limit_by": "consumer"}, nil, "127.0.0.1"},
		{"credential", entity.Object{"limit_by": "credential"}, func(c *plugintest.Context) { c.Authenticate(consumer, cred) }, "cred-1"},
		{"credential falls back to ip", entity.Object{"limit_by": "credential"}, func(c *plugintest.Context) { c.Authenticate(consumer, nil) }, "127.0.0.1"},
		{"ip v6", entity.Object{"limit_by": "ip"}, func(c *plugintest.Context) { c.Req.Client = netip.MustParseAddr("2001:db8::1") }, "2001:db8::1"},
		{"service", entity.Object{"limit_by": "service"}, nil, "svc-R"},
		{"header", entity.Object{"limit_by": "header", "header_name": "x_user"}, func(c *plugintest.Context) { c.Req.Headers.Set("X-User", "bob") }, "bob"},
		{"header missing", entity.Object{"limit_by": "header", "header_name": "x-user"}, nil, "127.0.0.1"},
		{"path", entity.Object{"limit_by": "path", "path": "/x"}, nil, "/x"},
		{"other path", entity.Object{"limit_by": "path", "path": "/y"}, nil, "127.0.0.1"},
	}
	for _, tc := range tests {
		tc.cfg["minute"] = 1.0
		h := newTestHandler(t, "", tc.cfg)
		ctx := plugintest.NewContext("/x")
		ctx.RouteInfo = &plugin.RouteInfo{ID: "R"}
		ctx.ServiceInfo = &plugin.ServiceInfo{ID: "svc-R"}
		if tc.setup != nil {
			tc.setup(ctx)
		}
		got := string(h.appendIdentifier(nil, ctx))
		if got != tc.want {
			t.Errorf("%s: identifier %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestMostConstrainingWindow: with a window refusing, the windows that
// had already counted the request give it back.
func TestMostConstrainingWindow(t *testing.T) {
	for policy, cfg := range policies(t, entity.Object{"second": 2.0, "minute": 3.0, "limit_by": "ip"}) {
		t.Run(policy, func(t *testing.T) {
			route := newRoute()
			t.Cleanup(func() { flushKeys(t, "ratelimit:"+route+":*") })
			h := newTestHandler(t, route, cfg)
			request(h, route, clock, nil)
			ctx := request(h, route, clock.Add(1500*time.Millisecond), nil)
			// second: 1 left of 2; minute: 1 left of 3 → equal, the longer window wins.
			if ctx.Resp.Headers.Get("RateLimit-Limit") != "3" || ctx.Resp.Headers.Get("RateLimit-Reset") != "29" {
				t.Errorf("most constraining: %+v", ctx.Resp.Headers)
			}
			ctx = request(h, route, clock.Add(1600*time.Millisecond), nil) // both full now
			if ctx.Exited() || ctx.Resp.Headers.Get("RateLimit-Limit") != "3" {
				t.Errorf("third request: %d %+v", ctx.Resp.Code, ctx.Resp.Headers)
			}
			ctx = request(h, route, clock.Add(2*time.Second), nil)
			if ctx.Resp.Code != 429 || ctx.Resp.Headers.Get("X-RateLimit-Remaining-Second") != "2" {
				t.Errorf("minute refusal: %d %+v", ctx.Resp.Code, ctx.Resp.Headers)
			}
			// The refused request did not stay counted in the second window.
			if n := storedCount(t, h, route, clock.Add(2*time.Second), 0); n != 0 {
				t.Errorf("second window kept the refused request: %d", n)
			}
		})
	}
}

func TestSlidingWindow(t *testing.T) {
	for policy, cfg := range policies(t, entity.Object{"minute": 10.0, "limit_by": "ip", "window_type": "sliding"}) {
		t.Run(policy, func(t *testing.T) {
			route := newRoute()
			t.Cleanup(func() { flushKeys(t, "ratelimit:"+route+":*") })
			h := newTestHandler(t, route, cfg)
			start := time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC)
			for i := 0; i < 10; i++ {
				if ctx := request(h, route, start.Add(50*time.Second), nil); ctx.Exited() {
					t.Fatalf("request %d refused", i)
				}
			}
			// 15 s into the next minute, 75% of the previous 10 still count:
			// floor(7.5) = 7 used, so 3 more fit.
			at := start.Add(75 * time.Second)
			allowed := 0
			for i := 0; i < 6; i++ {
				if !request(h, route, at, nil).Exited() {
					allowed++
				}
			}
			if allowed != 3 {
				t.Errorf("sliding: %d allowed at +15s, want 3", allowed)
			}
			// A fixed window would have allowed all of them.
			r2 := newRoute()
			fixed := newTestHandler(t, r2, entity.Object{"minute": 10.0, "limit_by": "ip"})
			for i := 0; i < 10; i++ {
				request(fixed, r2, start.Add(50*time.Second), nil)
			}
			if request(fixed, r2, at, nil).Exited() {
				t.Error("fixed window refused at the start of a new minute")
			}
		})
	}
}

// TestConcurrentExact: 100 concurrent requests against minute=50 give
// exactly 50 passes.
func TestConcurrentExact(t *testing.T) {
	for policy, cfg := range policies(t, entity.Object{"minute": 50.0, "limit_by": "ip"}) {
		t.Run(policy, func(t *testing.T) {
			route := newRoute()
			t.Cleanup(func() { flushKeys(t, "ratelimit:"+route+":*") })
			h := newTestHandler(t, route, cfg)
			now := time.Now()
			var wg sync.WaitGroup
			var mu sync.Mutex
			counts := map[int]int{}
			for i := 0; i < 100; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := request(h, route, now, nil)
					mu.Lock()
					counts[ctx.Resp.Code]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if counts[200] != 50 || counts[429] != 50 {
				t.Errorf("statuses %v, want 50×200 and 50×429", counts)
			}
		})
	}
}

func TestRedisUnavailable(t *testing.T) {
	ln := freePort(t)
	tests := []struct {
		faultTolerant bool
		wantStatus    int
	}{{true, 200}, {false, 500}}
	for _, tc := range tests {
		h := newTestHandler(t, "", entity.Object{"minute": 1.0, "policy": "redis", "fault_tolerant": tc.faultTolerant,
			"redis": map[string]any{"host": "127.0.0.1", "port": float64(ln), "timeout": 200.0}})
		for i := 0; i < 3; i++ {
			ctx := request(h, newRoute(), clock, nil)
			if ctx.Resp.Code != tc.wantStatus || ctx.Resp.Headers.Get("X-RateLimit-Limit-Minute") != "" {
				t.Errorf("fault_tolerant=%v: status %d headers %+v", tc.faultTolerant, ctx.Resp.Code, ctx.Resp.Headers)
			}
		}
	}
}

func TestNewRejects(t *testing.T) {
	for _, cfg := range []Config{
		{LimitBy: "ip", Policy: "local"},
		{Minute: ptr(1.0), LimitBy: "ip", Policy: "cluster"},
		{Minute: ptr(1.0), LimitBy: "header", Policy: "local"},
		{Minute: ptr(1.0), LimitBy: "ip", Policy: "redis"},
	} {
		if _, err := NewHandler(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// storedCount reads the stored count of window i for a request from
// 127.0.0.1 on route at now.
func storedCount(t *testing.T, h *Handler, route string, now time.Time, i int) int64 {
	ctx := plugintest.NewContext("/x")
	ctx.RouteInfo = &plugin.RouteInfo{ID: route}
	ctx.ServiceInfo = &plugin.ServiceInfo{ID: "svc-" + route}
	o := &outcome{}
	h.prepare(ctx, o, now)
	switch s := h.store.(type) {
	case *localStore:
		if c := s.lookup(o.windows[i].key, now.UnixNano()); c != nil {
			return c.n.Load()
		}
		return 0
	case *redisStore:
		n, err := s.client.Get(context.Background(), string(o.windows[i].key)).Int64()
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatalf("unknown store %T", h.store)
	return 0
}

// freePort returns a loopback port where nothing listens.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
