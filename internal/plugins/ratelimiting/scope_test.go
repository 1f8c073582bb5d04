package ratelimiting

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// scopedHandler builds the handler of an instance with the given scope
// through the plugin's InstanceFactory, as Compile does.
func scopedHandler(t *testing.T, routeID, serviceID string, log *slog.Logger, config entity.Object) *Handler {
	t.Helper()
	inst := plugin.Instance{ID: uuid.NewString(), Name: Name, RouteID: routeID, ServiceID: serviceID, Enabled: true}
	h, err := Plugin{}.NewInstance(plugin.Build{Instance: inst,
		Config: plugin.FillDefaults(Plugin{}.ConfigSchema(), config), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

// requestOn runs one request of client (sent as X-Client) matched to
// route and service.
func requestOn(h *Handler, route, service, client string) *plugintest.Context {
	ctx := plugintest.NewContext("/x")
	ctx.Req.Headers.Set("X-Client", client)
	ctx.Clock = clock
	ctx.RouteInfo = &plugin.RouteInfo{ID: route}
	ctx.ServiceInfo = &plugin.ServiceInfo{ID: service}
	h.Access(ctx)
	h.HeaderFilter(ctx)
	return ctx
}

// TestInstanceScopeCounts: counters belong to the instance's scope, so an
// instance applied to several routes counts a client across all of them.
func TestInstanceScopeCounts(t *testing.T) {
	cfg0 := entity.Object{"minute": 3.0, "limit_by": "header", "header_name": "X-Client"}
	for policy, cfg := range policies(t, cfg0) {
		t.Run(policy, func(t *testing.T) {
			service, routeA, routeB := uuid.NewString(), uuid.NewString(), uuid.NewString()
			tests := []struct {
				name           string
				routeID, svcID string
			}{
				{"service scoped", "", service},
				{"global", "", ""},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					h := scopedHandler(t, tc.routeID, tc.svcID, slog.Default(), cfg)
					client := uuid.NewString() // the global scope is shared with other tests
					t.Cleanup(func() { flushKeys(t, h.keyPrefix+client+":*") })
					statuses := make([]int, 0, 4)
					for i, route := range []string{routeA, routeB, routeA, routeB} {
						ctx := requestOn(h, route, service, client)
						statuses = append(statuses, ctx.Resp.Code)
						if i < 3 && ctx.Exited() {
							t.Fatalf("request %d refused", i+1)
						}
					}
					if statuses[3] != 429 {
						t.Errorf("statuses %v, want the 4th across both routes refused", statuses)
					}
				})
			}
		})
	}
}

// TestCounterKeyLayout: Kong's layout
// ratelimit:<route_id>:<service_id>:<identifier>:<period_date>:<period>,
// with the empty UUID for an unset scope, whatever route matched.
func TestCounterKeyLayout(t *testing.T) {
	tests := []struct {
		name           string
		routeID, svcID string
		wantPrefix     string
	}{
		{"global", "", "", "ratelimit:" + emptyID + ":" + emptyID + ":"},
		{"service", "", "S", "ratelimit:" + emptyID + ":S:"},
		{"route", "R", "", "ratelimit:R:" + emptyID + ":"},
		{"route and service", "R", "S", "ratelimit:R:S:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := scopedHandler(t, tc.routeID, tc.svcID, nil, entity.Object{"minute": 5.0, "limit_by": "ip"})
			ctx := plugintest.NewContext("/x")
			ctx.RouteInfo = &plugin.RouteInfo{ID: "matched-route"}
			ctx.ServiceInfo = &plugin.ServiceInfo{ID: "matched-service"}
			o := &outcome{}
			h.prepare(ctx, o, clock)
			// clock is 2025-03-04T05:06:30Z; its minute starts at 05:06:00.
			want := tc.wantPrefix + "127.0.0.1:1741064760000:minute"
			if got := string(o.windows[0].key); got != want {
				t.Errorf("key %q, want %q", got, want)
			}
		})
	}
}

// TestFaultToleranceWarnsThroughInstanceLogger: the warning about an
// unreachable Redis goes to the logger the instance was built with.
func TestFaultToleranceWarnsThroughInstanceLogger(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	port := freePort(t)
	h := scopedHandler(t, "", "", log, entity.Object{"minute": 1.0, "policy": "redis", "fault_tolerant": true,
		"redis": map[string]any{"host": "127.0.0.1", "port": float64(port), "timeout": 100.0}})
	if ctx := requestOn(h, "r", "s", "c"); ctx.Exited() {
		t.Fatalf("fault tolerant request refused: %d", ctx.Resp.Code)
	}
	if !strings.Contains(buf.String(), "counters unavailable") {
		t.Errorf("node logger got %q", buf.String())
	}
}

func TestEntityChecksAdvertised(t *testing.T) {
	doc, ok := pluginsSchema().PluginJSON(Name)
	if !ok {
		t.Fatal("no schema document")
	}
	checks, _ := doc["entity_checks"].([]any)
	if len(checks) != 6 {
		t.Fatalf("entity_checks %v", doc["entity_checks"])
	}
	first, _ := checks[0].(map[string]any)["at_least_one_of"].([]any)
	if len(first) != 6 || first[0] != "config.second" {
		t.Errorf("at_least_one_of %v", checks[0])
	}
	cond, _ := checks[1].(map[string]any)["conditional"].(map[string]any)
	if cond["if_field"] != "config.policy" || cond["then_field"] != "config.redis.host" {
		t.Errorf("conditional %v", checks[1])
	}
}
