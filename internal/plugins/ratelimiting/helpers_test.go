package ratelimiting

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// testRedisAddr is the Redis the tests use; it must answer.
func testRedisAddr(t testing.TB) (host string, port int) {
	t.Helper()
	addr := os.Getenv("STRAIT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s (STRAIT_TEST_REDIS) does not answer: %v", addr, err)
	}
	h, p, _ := splitHostPort(addr)
	return h, p
}

// flushKeys deletes the keys matching pattern, and only those.
func flushKeys(t testing.TB, pattern string) {
	t.Helper()
	host, port := testRedisAddr(t)
	c := redis.NewClient(&redis.Options{Addr: joinHostPort(host, port), Protocol: 2, DisableIdentity: true})
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}

// newTestHandler builds the handler of an instance scoped to route (and
// to the service "svc-<route>"; "" leaves both unset) from a config
// object completed with the schema's defaults, as the gateway does.
func newTestHandler(t testing.TB, route string, config entity.Object) *Handler {
	t.Helper()
	inst := plugin.Instance{ID: uuid.NewString(), Name: Name, RouteID: route}
	if route != "" {
		inst.ServiceID = "svc-" + route
	}
	h, err := Plugin{}.NewInstance(plugin.Build{Instance: inst, Config: plugin.FillDefaults(Plugin{}.ConfigSchema(), config),
		Logger: slog.Default()})
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

// redisConfig returns a config using the test Redis.
func redisConfig(t testing.TB, extra entity.Object) entity.Object {
	host, port := testRedisAddr(t)
	cfg := entity.Object{"policy": "redis", "redis": map[string]any{"host": host, "port": float64(port)}}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

// request runs Access and HeaderFilter for one request on route and
// returns the context.
func request(h *Handler, route string, clock time.Time, setup func(*plugintest.Context)) *plugintest.Context {
	ctx := plugintest.NewContext("/x")
	ctx.Clock = clock
	ctx.RouteInfo = &plugin.RouteInfo{ID: route}
	ctx.ServiceInfo = &plugin.ServiceInfo{ID: "svc-" + route}
	if setup != nil {
		setup(ctx)
	}
	h.Access(ctx)
	h.HeaderFilter(ctx)
	return ctx
}

func newRoute() string { return uuid.NewString() }

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

func joinHostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
