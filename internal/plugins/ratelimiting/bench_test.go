package ratelimiting

import (
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// benchAccess measures the access phase of one request that is let
// through (the limit is never reached).
func benchAccess(b *testing.B, cfg entity.Object) {
	route := newRoute()
	b.Cleanup(func() { flushKeys(b, "ratelimit:"+route+":*") })
	h := newTestHandler(b, route, cfg)
	ctx := plugintest.NewContext("/x")
	ctx.RouteInfo = &plugin.RouteInfo{ID: route}
	ctx.ServiceInfo = &plugin.ServiceInfo{ID: "svc"}
	ctx.Clock = time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.Access(ctx)
		if ctx.Exited() {
			b.Fatal("refused")
		}
		// Give the outcome back as the header filter would.
		outcomes.Put(ctx.Get(ctxKey).(*outcome))
	}
}

func BenchmarkAccessLocal(b *testing.B) {
	benchAccess(b, entity.Object{"minute": 1e12, "hour": 1e12, "limit_by": "ip"})
}

func BenchmarkAccessLocalSliding(b *testing.B) {
	benchAccess(b, entity.Object{"minute": 1e12, "hour": 1e12, "limit_by": "ip", "window_type": "sliding"})
}

func BenchmarkAccessRedis(b *testing.B) {
	benchAccess(b, redisConfig(b, entity.Object{"minute": 1e12, "hour": 1e12, "limit_by": "ip"}))
}

func BenchmarkAccessLocalParallel(b *testing.B) {
	route := newRoute()
	h := newTestHandler(b, route, entity.Object{"minute": 1e12, "limit_by": "ip"})
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := plugintest.NewContext("/x")
		ctx.RouteInfo = &plugin.RouteInfo{ID: route}
		ctx.Clock = now
		for pb.Next() {
			h.Access(ctx)
			outcomes.Put(ctx.Get(ctxKey).(*outcome))
		}
	})
}

// BenchmarkRequestLocal measures the access and header filter phases of
// one request let through, limited by consumer in one window, as in the
// gateway's benchmark configuration.
func BenchmarkRequestLocal(b *testing.B) {
	route := newRoute()
	h := newTestHandler(b, route, entity.Object{"second": 1e9, "limit_by": "consumer"})
	ctx := plugintest.NewContext("/x")
	ctx.RouteInfo = &plugin.RouteInfo{ID: route}
	ctx.Authenticate(&plugin.Consumer{ID: "c1"}, &plugin.Credential{ID: "k1", ConsumerID: "c1"})
	ctx.Clock = time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.Access(ctx)
		if ctx.Exited() {
			b.Fatal("refused")
		}
		h.HeaderFilter(ctx)
	}
}
