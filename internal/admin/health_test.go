package admin

import (
	"context"
	"log/slog"
	"testing"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/snapshot"
)

// newHealthAPI serves the Admin API with balancers kept in sync with its
// store, as a node does.
func newHealthAPI(t *testing.T) *API {
	t.Helper()
	m := balancer.NewManager(balancer.Options{})
	t.Cleanup(m.Close)
	api := newTestAPI(t, func(o *Options) { o.Balancers = m })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := snapshot.NewWatcher(api.st, api.reg, &snapshot.Holder{}, slog.New(slog.DiscardHandler)).WithBalancers(m)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return api
}

// healthByTarget maps target strings to their reported health.
func healthByTarget(t *testing.T, api *API, upstream string) map[string]string {
	t.Helper()
	body := mustCall(t, api, "GET", "/upstreams/"+upstream+"/health", "", "", 200)
	out := map[string]string{}
	for _, v := range body["data"].([]any) {
		o := v.(map[string]any)
		out[o["target"].(string)] = o["health"].(string)
	}
	return out
}

func TestUpstreamHealthEndpoints(t *testing.T) {
	api := newHealthAPI(t)
	mustCall(t, api, "POST", "/upstreams", ctJSON,
		`{"name":"up","healthchecks":{"passive":{"unhealthy":{"tcp_failures":1}}}}`, 201)
	mustCall(t, api, "POST", "/upstreams/up/targets", ctJSON, `{"target":"127.0.0.1:9001"}`, 201)
	mustCall(t, api, "POST", "/upstreams/up/targets", ctJSON, `{"target":"127.0.0.1:9002","weight":0}`, 201)
	mustCall(t, api, "POST", "/upstreams", ctJSON, `{"name":"empty"}`, 201)

	body := mustCall(t, api, "GET", "/upstreams/up/health", "", "", 200)
	if body["node_id"] != "0b9c4b0e-7a55-4bb7-9e55-0f2b8a4c1e11" || body["next"] != nil {
		t.Fatalf("health envelope %v", body)
	}
	data := body["data"].([]any)
	newest := data[0].(map[string]any)
	if len(data) != 2 || newest["target"] != "127.0.0.1:9002" || newest["health"] != "HEALTHCHECKS_OFF" {
		t.Fatalf("health data %v", data)
	}
	first := data[1].(map[string]any)
	details, _ := first["data"].(map[string]any)
	addrs, _ := details["addresses"].([]any)
	if first["health"] != "HEALTHY" || details["host"] != "127.0.0.1" || details["port"] != 9001.0 ||
		len(addrs) != 1 || addrs[0].(map[string]any)["health"] != "HEALTHY" || str(first, "upstream", "id") == "" {
		t.Fatalf("target health %v", first)
	}

	bh := mustCall(t, api, "GET", "/upstreams/up/health?balancer_health=1", "", "", 200)
	bd := bh["data"].(map[string]any)
	if bd["health"] != "HEALTHY" || bd["balancer_health"] != "HEALTHY" || bd["id"] == "" ||
		bd["details"].(map[string]any)["healthy"] != true || bh["next"] != nil {
		t.Fatalf("balancer health %v", bh)
	}

	tests := []struct {
		name, method, path string
		status             int
		message            string
		want               string // health of 127.0.0.1:9001 afterwards
	}{
		{"target unhealthy", "PUT", "/upstreams/up/targets/127.0.0.1:9001/unhealthy", 204, "", "UNHEALTHY"},
		{"target healthy by POST", "POST", "/upstreams/up/targets/127.0.0.1:9001/healthy", 204, "", "HEALTHY"},
		{"address unhealthy", "PUT", "/upstreams/up/targets/127.0.0.1:9001/127.0.0.1:9001/unhealthy", 204, "", "UNHEALTHY"},
		{"address healthy", "PUT", "/upstreams/up/targets/127.0.0.1:9001/127.0.0.1:9001/healthy", 204, "", "HEALTHY"},
		{"missing upstream", "PUT", "/upstreams/nope/targets/127.0.0.1:9001/unhealthy", 404, "Not found", "HEALTHY"},
		{"missing target", "PUT", "/upstreams/up/targets/127.0.0.1:9999/unhealthy", 404, "Not found", "HEALTHY"},
		{"target of another upstream", "PUT", "/upstreams/empty/targets/127.0.0.1:9001/unhealthy", 404, "Not found", "HEALTHY"},
		{"invalid address", "PUT", "/upstreams/up/targets/127.0.0.1:9001/nope/unhealthy", 400, "invalid address 'nope'", "HEALTHY"},
		{"address of another target", "PUT", "/upstreams/up/targets/127.0.0.1:9001/10.0.0.1:80/unhealthy", 400,
			"address 10.0.0.1:80 not found in target 127.0.0.1:9001", "HEALTHY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, api, tt.method, tt.path, "", "")
			if r.status != tt.status || (tt.message != "" && r.json()["message"] != tt.message) {
				t.Fatalf("status %d body %s, want %d %q", r.status, r.raw, tt.status, tt.message)
			}
			if got := healthByTarget(t, api, "up")["127.0.0.1:9001"]; got != tt.want {
				t.Fatalf("health %s, want %s", got, tt.want)
			}
		})
	}

	mustCall(t, api, "PUT", "/upstreams/up/targets/127.0.0.1:9001/unhealthy", "", "", 204)
	bd = mustCall(t, api, "GET", "/upstreams/up/health?balancer_health", "", "", 200)["data"].(map[string]any)
	if bd["health"] != "UNHEALTHY" || bd["balancer_health"] != "UNHEALTHY" {
		t.Fatalf("balancer health after override %v", bd)
	}
	mustCall(t, api, "GET", "/upstreams/nope/health", "", "", 404)
}

func TestUpstreamHealthWithoutBalancers(t *testing.T) {
	api := newTestAPI(t)
	mustCall(t, api, "POST", "/upstreams", ctJSON, `{"name":"up"}`, 201)
	mustCall(t, api, "POST", "/upstreams/up/targets", ctJSON, `{"target":"127.0.0.1:9001"}`, 201)
	if got := healthByTarget(t, api, "up"); got["127.0.0.1:9001"] != "HEALTHCHECKS_OFF" {
		t.Fatalf("health %v", got)
	}
	r := call(t, api, "PUT", "/upstreams/up/targets/127.0.0.1:9001/healthy", "", "")
	if r.status != 400 || r.json()["message"] != "Upstream up has no balancer" {
		t.Fatalf("override without balancers: %d %s", r.status, r.raw)
	}
}
