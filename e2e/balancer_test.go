package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// identityServer answers every request with its name; it returns the
// server and its target ("127.0.0.1:port").
func identityServer(t *testing.T, name string) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Host-Seen", r.Host)
		io.WriteString(w, name)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return srv, u.Host
}

// balancedRoute creates an upstream with targets (target → weight), a
// service whose host is the upstream (its port is never used) and a
// route /<name>, then waits until the route serves.
func balancedRoute(t *testing.T, n *node, name string, upstream map[string]any, targets map[string]int) {
	t.Helper()
	upstream["name"] = name
	n.mustAdmin(201, "POST", "/upstreams", upstream)
	for target, weight := range targets {
		n.mustAdmin(201, "POST", "/upstreams/"+name+"/targets", map[string]any{"target": target, "weight": weight})
	}
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": name, "host": name, "port": 1})
	n.mustAdmin(201, "POST", "/services/"+name+"/routes", map[string]any{"paths": []string{"/" + name}})
	waitFor(t, 5*time.Second, "route /"+name, func() bool {
		res := n.get("/" + name)
		res.Body.Close()
		return res.StatusCode != 404
	})
}

// spread sends count requests and tallies the answering servers (their
// names) and the statuses of failures ("status 503: <body>").
func spread(t *testing.T, n *node, path string, count int, header ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for range count {
		res := n.get(path, header...)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			out[fmt.Sprintf("status %d: %s", res.StatusCode, body)]++
			continue
		}
		out[string(body)]++
	}
	return out
}

// targetHealth reads GET /upstreams/{u}/health as target → health.
func targetHealth(n *node, upstream string) map[string]string {
	body := n.mustAdmin(200, "GET", "/upstreams/"+upstream+"/health", nil)
	out := map[string]string{}
	for _, v := range body["data"].([]any) {
		o := v.(map[string]any)
		out[o["target"].(string)] = o["health"].(string)
	}
	return out
}

func passiveTCPFailures(n int) map[string]any {
	return map[string]any{"passive": map[string]any{"unhealthy": map[string]any{"tcp_failures": n}}}
}

func TestLoadBalancing(t *testing.T) {
	n := startNode(t)

	t.Run("round-robin respects weights", func(t *testing.T) {
		_, a := identityServer(t, "a")
		_, b := identityServer(t, "b")
		_, c := identityServer(t, "c")
		balancedRoute(t, n, "weighted", map[string]any{}, map[string]int{a: 300, b: 100, c: 0})
		got := spread(t, n, "/weighted", 40)
		if got["a"] != 30 || got["b"] != 10 || len(got) != 2 {
			t.Fatalf("40 requests spread as %v, want a=30 b=10 and nothing on the weight-0 target", got)
		}
		res := n.get("/weighted")
		res.Body.Close()
		if host := res.Header.Get("X-Host-Seen"); host != a && host != b {
			t.Fatalf("upstream saw Host %q, want the target's host:port", host)
		}
	})

	t.Run("passive health takes a dead target out", func(t *testing.T) {
		_, live := identityServer(t, "live")
		deadSrv, dead := identityServer(t, "dead")
		balancedRoute(t, n, "passive", map[string]any{"healthchecks": passiveTCPFailures(1)},
			map[string]int{live: 100, dead: 100})
		if got := spread(t, n, "/passive", 10); got["live"] != 5 || got["dead"] != 5 {
			t.Fatalf("before the failure: %v", got)
		}
		deadSrv.Close()
		// The attempt against the dead target fails and is retried on
		// the live one: clients see no error at all.
		if got := spread(t, n, "/passive", 20); got["live"] != 20 {
			t.Fatalf("after the failure: %v", got)
		}
		health := targetHealth(n, "passive")
		if health[dead] != "UNHEALTHY" || health[live] != "HEALTHY" {
			t.Fatalf("health %v", health)
		}
		if !strings.Contains(n.output.String(), `"upstream_name":"passive"`) ||
			!strings.Contains(n.output.String(), `"upstream_addr":"`+dead+`"`) {
			t.Fatalf("error log does not name the upstream and the failed address:\n%s", n.output.String())
		}
		waitFor(t, 3*time.Second, "an access log line naming the upstream", func() bool {
			raw, _ := os.ReadFile(filepath.Join(n.prefix, "logs", "access.log"))
			for _, line := range logLines(t, string(raw)) {
				up, _ := line["upstream"].(map[string]any)
				if line["uri"] == "/passive" && up["name"] == "passive" && up["host"] == "127.0.0.1" {
					return true
				}
			}
			return false
		})
	})

	t.Run("all targets down", func(t *testing.T) {
		srv1, t1 := identityServer(t, "one")
		srv2, t2 := identityServer(t, "two")
		balancedRoute(t, n, "down", map[string]any{"healthchecks": passiveTCPFailures(1)},
			map[string]int{t1: 100, t2: 100})
		srv1.Close()
		srv2.Close()
		// The first request finds both targets refusing (502 once the
		// retries ran out of healthy addresses); then none is left.
		res := n.get("/down", "Accept", "application/json")
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 502 || !strings.Contains(string(body), "An invalid response was received from the upstream server") {
			t.Fatalf("first request: status %d body %s", res.StatusCode, body)
		}
		res = n.get("/down", "Accept", "application/json")
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 503 || !strings.Contains(string(body), `"message":"failure to get a peer from the ring-balancer"`) {
			t.Fatalf("status %d body %s", res.StatusCode, body)
		}
		bh := n.mustAdmin(200, "GET", "/upstreams/down/health?balancer_health=1", nil)
		data := bh["data"].(map[string]any)
		if data["health"] != "UNHEALTHY" || data["balancer_health"] != "UNHEALTHY" {
			t.Fatalf("balancer health %v", bh)
		}
	})

	t.Run("health endpoint shape", func(t *testing.T) {
		_, a := identityServer(t, "a")
		balancedRoute(t, n, "shape", map[string]any{}, map[string]int{a: 100})
		body := n.mustAdmin(200, "GET", "/upstreams/shape/health", nil)
		if body["node_id"] == "" || body["next"] != nil {
			t.Fatalf("envelope %v", body)
		}
		target := body["data"].([]any)[0].(map[string]any)
		data := target["data"].(map[string]any)
		addr := data["addresses"].([]any)[0].(map[string]any)
		host, port, _ := strings.Cut(a, ":")
		if target["target"] != a || target["health"] != "HEALTHCHECKS_OFF" || data["host"] != host ||
			data["port"] != mustFloat(t, port) || data["dns"] != "A" || data["nodeWeight"] != 100.0 ||
			addr["ip"] != host || addr["health"] != "HEALTHCHECKS_OFF" {
			t.Fatalf("health of target %v", target)
		}
		weight := data["weight"].(map[string]any)
		if weight["total"] != 100.0 || weight["available"] != 100.0 || weight["unavailable"] != 0.0 {
			t.Fatalf("weight %v", weight)
		}
		bh := n.mustAdmin(200, "GET", "/upstreams/shape/health?balancer_health=1", nil)
		bd := bh["data"].(map[string]any)
		if bd["health"] != "HEALTHCHECKS_OFF" || bd["balancer_health"] != "HEALTHY" || bd["id"] == "" {
			t.Fatalf("balancer health %v", bh)
		}
		n.mustAdmin(404, "GET", "/upstreams/missing/health", nil)
	})

	t.Run("manual overrides", func(t *testing.T) {
		_, e := identityServer(t, "e")
		_, f := identityServer(t, "f")
		balancedRoute(t, n, "manual", map[string]any{"healthchecks": passiveTCPFailures(1)}, map[string]int{e: 100, f: 100})
		n.mustAdmin(204, "PUT", "/upstreams/manual/targets/"+f+"/unhealthy", nil)
		if got := spread(t, n, "/manual", 10); got["e"] != 10 {
			t.Fatalf("with f unhealthy: %v", got)
		}
		if h := targetHealth(n, "manual"); h[f] != "UNHEALTHY" {
			t.Fatalf("health %v", h)
		}
		// go-kong sends POST.
		n.mustAdmin(204, "POST", "/upstreams/manual/targets/"+f+"/healthy", nil)
		if got := spread(t, n, "/manual", 10); got["e"] != 5 || got["f"] != 5 {
			t.Fatalf("with f healthy again: %v", got)
		}
		n.mustAdmin(204, "PUT", "/upstreams/manual/targets/"+e+"/"+e+"/unhealthy", nil)
		if got := spread(t, n, "/manual", 6); got["f"] != 6 {
			t.Fatalf("with e's address unhealthy: %v", got)
		}
		n.mustAdmin(404, "PUT", "/upstreams/manual/targets/127.0.0.1:1/unhealthy", nil)
		n.mustAdmin(404, "PUT", "/upstreams/missing/targets/"+e+"/unhealthy", nil)
		if body := n.mustAdmin(400, "PUT", "/upstreams/manual/targets/"+e+"/bogus/healthy", nil); body["message"] != "invalid address 'bogus'" {
			t.Fatalf("bad address: %v", body)
		}
	})

	t.Run("consistent hashing on a header", func(t *testing.T) {
		_, g := identityServer(t, "g")
		_, h := identityServer(t, "h")
		_, i := identityServer(t, "i")
		balancedRoute(t, n, "hashed", map[string]any{"hash_on": "header", "hash_on_header": "X-User"},
			map[string]int{g: 100, h: 100, i: 100})
		owners := map[string]bool{}
		for user := range 15 {
			got := spread(t, n, "/hashed", 5, "X-User", "user-"+strconv.Itoa(user))
			if len(got) != 1 {
				t.Fatalf("user %d spread over %v", user, got)
			}
			for owner := range got {
				owners[owner] = true
			}
		}
		if len(owners) < 2 {
			t.Fatalf("15 users all hashed to %v", owners)
		}
	})

	t.Run("prometheus reports target health", func(t *testing.T) {
		n.mustAdmin(201, "POST", "/plugins", map[string]any{"name": "prometheus",
			"config": map[string]any{"upstream_health_metrics": true}})
		var metrics string
		waitFor(t, 5*time.Second, "kong_upstream_target_health on /metrics", func() bool {
			res, err := http.Get(n.adminURL + "/metrics")
			if err != nil {
				return false
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			metrics = string(raw)
			return strings.Contains(metrics, "kong_upstream_target_health{")
		})
		found := false
		for _, line := range strings.Split(metrics, "\n") {
			if strings.HasPrefix(line, "kong_upstream_target_health{") && strings.Contains(line, `upstream="manual"`) &&
				strings.Contains(line, `state="healthy"`) && strings.HasSuffix(line, " 1") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no healthy series for upstream manual:\n%s", metrics)
		}
	})
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
