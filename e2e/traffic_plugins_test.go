package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// testRedis returns the address of the Redis the tests share; it fails
// the test when that Redis does not answer.
func testRedis(t *testing.T) (string, string) {
	t.Helper()
	addr := os.Getenv("STRAIT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(cctx).Err(); err != nil {
		t.Fatalf("Redis at %s (STRAIT_TEST_REDIS) does not answer: %v", addr, err)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flushRedisKeys(addr) })
	return host, port
}

// flushRedisKeys deletes the rate-limiting counters of the routes this
// test file created (their ids start with redisRoutePrefix), and only
// those.
func flushRedisKeys(addr string) {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	bg := context.Background()
	for _, id := range createdRouteIDs.take() {
		iter := c.Scan(bg, 0, "ratelimit:"+id+":*", 1000).Iterator()
		for iter.Next(bg) {
			c.Del(bg, iter.Val())
		}
	}
}

// createdRouteIDs remembers the route ids whose Redis keys must go.
var createdRouteIDs routeIDs

type routeIDs struct {
	mu  sync.Mutex
	ids []string
}

func (r *routeIDs) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, id)
}

func (r *routeIDs) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := r.ids
	r.ids = nil
	return ids
}

// rateRoute creates a service and a route on n with the given ids (so
// that several nodes share them) and attaches a rate-limiting instance
// with config; it returns the route path.
func rateRoute(n *node, upstream, serviceID, routeID, path string, config map[string]any) {
	n.t.Helper()
	createdRouteIDs.add(routeID)
	n.mustAdmin(201, "POST", "/services", map[string]any{"id": serviceID, "url": upstream})
	n.mustAdmin(201, "POST", "/routes", map[string]any{"id": routeID, "paths": []string{path}, "service": map[string]any{"id": serviceID}})
	n.mustAdmin(201, "POST", "/routes/"+routeID+"/plugins", map[string]any{"name": "rate-limiting", "config": config})
}

// waitPluginsLive adds a probe route with its own rate-limiting instance
// and waits until it answers with rate-limit headers: the configuration
// holding every earlier change is then live.
func waitPluginsLive(n *node, upstream string) {
	n.t.Helper()
	probe := "/probe-" + uuid.NewString()[:8]
	rateRoute(n, upstream, uuid.NewString(), uuid.NewString(), probe, map[string]any{"second": 1000, "limit_by": "ip"})
	waitFor(n.t, 5*time.Second, "rate-limiting to be live", func() bool {
		_, _, h := n.proxyStatus(probe)
		return h.Get("X-RateLimit-Limit-Second") == "1000"
	})
}

// avoidMinuteEdge waits when a burst could straddle two minute windows.
func avoidMinuteEdge() {
	if s := time.Now().UTC().Second(); s >= 54 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
}

// burst sends count concurrent GETs, spread round-robin over nodes, and
// counts the statuses.
func burst(t *testing.T, nodes []*node, path string, count int) (map[int]int, []*http.Response) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	statuses := map[int]int{}
	var refused []*http.Response
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func(n *node) {
			defer wg.Done()
			res, err := http.Get(n.proxyURL + path)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			statuses[res.StatusCode]++
			if res.StatusCode == 429 {
				res.Body = io.NopCloser(strings.NewReader(string(body)))
				refused = append(refused, res)
			}
		}(nodes[i%len(nodes)])
	}
	wg.Wait()
	return statuses, refused
}

func TestRateLimitingLocalExact(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	rateRoute(n, up.URL, uuid.NewString(), uuid.NewString(), "/rl", map[string]any{"minute": 50, "hour": 500, "limit_by": "ip"})
	waitPluginsLive(n, up.URL)
	avoidMinuteEdge()
	statuses, refused := burst(t, []*node{n}, "/rl", 100)
	if statuses[200] != 50 || statuses[429] != 50 || len(statuses) != 2 {
		t.Fatalf("statuses %v, want exactly 50×200 and 50×429", statuses)
	}
	res := refused[0]
	body, _ := io.ReadAll(res.Body)
	if msg := errorMessage(t, body); msg != "API rate limit exceeded" {
		t.Errorf("429 message %q", msg)
	}
	h := res.Header
	if h.Get("Retry-After") == "" || h.Get("Retry-After") != h.Get("RateLimit-Reset") ||
		h.Get("X-RateLimit-Limit-Minute") != "50" || h.Get("X-RateLimit-Remaining-Minute") != "0" ||
		h.Get("X-RateLimit-Limit-Hour") != "500" || h.Get("X-RateLimit-Remaining-Hour") != "450" ||
		h.Get("RateLimit-Limit") != "50" || h.Get("RateLimit-Remaining") != "0" {
		t.Errorf("429 headers %v", h)
	}

	// A fresh route shows the counting headers on proxied responses.
	// The route can answer before its plugin is compiled in: wait until
	// the plugin counts, then check the next request counts one more.
	rateRoute(n, up.URL, uuid.NewString(), uuid.NewString(), "/rl2", map[string]any{"minute": 5, "limit_by": "ip", "hide_client_headers": false})
	avoidMinuteEdge()
	var first http.Header
	waitFor(t, 3*time.Second, "the rate-limiting plugin on /rl2", func() bool {
		status, _, h := n.proxyStatus("/rl2")
		first = h
		return status == 200 && h.Get("X-RateLimit-Limit-Minute") == "5"
	})
	want := strconv.Itoa(atoi(t, first.Get("X-RateLimit-Remaining-Minute")) - 1)
	status, _, h2 := n.proxyStatus("/rl2")
	if status != 200 || h2.Get("X-RateLimit-Limit-Minute") != "5" || h2.Get("X-RateLimit-Remaining-Minute") != want ||
		h2.Get("RateLimit-Remaining") != want || h2.Get("Retry-After") != "" {
		t.Errorf("proxied headers %d %v, want remaining %s", status, h2, want)
	}
}

func TestRateLimitingRedisExact(t *testing.T) {
	host, port := testRedis(t)
	up := echoUpstream(t)
	redisCfg := map[string]any{"host": host, "port": atoi(t, port)}

	t.Run("one node", func(t *testing.T) {
		n := startNode(t)
		rateRoute(n, up.URL, uuid.NewString(), uuid.NewString(), "/rr",
			map[string]any{"minute": 50, "limit_by": "ip", "policy": "redis", "redis": redisCfg})
		waitPluginsLive(n, up.URL)
		avoidMinuteEdge()
		statuses, refused := burst(t, []*node{n}, "/rr", 100)
		if statuses[200] != 50 || statuses[429] != 50 {
			t.Fatalf("statuses %v, want exactly 50×200 and 50×429", statuses)
		}
		if h := refused[0].Header; h.Get("Retry-After") == "" || h.Get("X-RateLimit-Remaining-Minute") != "0" {
			t.Errorf("429 headers %v", h)
		}
	})

	t.Run("two nodes share the counters", func(t *testing.T) {
		a, b := startNode(t), startNode(t)
		serviceID, routeID := uuid.NewString(), uuid.NewString()
		// The flat alias spelling configures one node, the record the other.
		rateRoute(a, up.URL, serviceID, routeID, "/shared",
			map[string]any{"minute": 40, "limit_by": "ip", "policy": "redis", "redis_host": host, "redis_port": atoi(t, port)})
		rateRoute(b, up.URL, serviceID, routeID, "/shared",
			map[string]any{"minute": 40, "limit_by": "ip", "policy": "redis", "redis": redisCfg})
		waitPluginsLive(a, up.URL)
		waitPluginsLive(b, up.URL)
		avoidMinuteEdge()
		statuses, _ := burst(t, []*node{a, b}, "/shared", 60)
		if statuses[200] != 40 || statuses[429] != 20 {
			t.Fatalf("statuses across two nodes %v, want exactly 40×200 and 20×429", statuses)
		}
	})
}

func TestRateLimitingRedisDown(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	_, deadPort, _ := net.SplitHostPort(freeAddr(t)) // nothing listens there
	for _, tc := range []struct {
		path          string
		faultTolerant bool
		want          int
	}{{"/tolerant", true, 200}, {"/strict", false, 500}} {
		rateRoute(n, up.URL, uuid.NewString(), uuid.NewString(), tc.path, map[string]any{
			"minute": 1, "limit_by": "ip", "policy": "redis", "fault_tolerant": tc.faultTolerant,
			"redis": map[string]any{"host": "127.0.0.1", "port": atoi(t, deadPort), "timeout": 300}})
	}
	n.waitStatus(500, "/strict")
	for i := 0; i < 3; i++ {
		status, _, h := n.proxyStatus("/tolerant")
		if status != 200 || h.Get("X-RateLimit-Limit-Minute") != "" {
			t.Errorf("fault tolerant request %d: %d %v", i, status, h)
		}
	}
	status, body, _ := n.proxyStatus("/strict")
	if status != 500 || errorMessage(t, body) != "An unexpected error occurred" {
		t.Errorf("strict: %d %s", status, body)
	}
	if c := strings.Count(n.output.String(), "counters unavailable"); c != 1 {
		t.Errorf("%d fault-tolerance warnings logged, want 1", c)
	}
}

func TestRateLimitingAdmin(t *testing.T) {
	n := startNode(t)
	p := n.mustAdmin(201, "POST", "/plugins", map[string]any{"name": "rate-limiting",
		"config": map[string]any{"minute": 5, "policy": "redis", "redis_host": "redis.example", "redis_timeout": 100}})
	cfg := p["config"].(map[string]any)
	r := cfg["redis"].(map[string]any)
	if r["host"] != "redis.example" || cfg["redis_host"] != "redis.example" || r["timeout"] != 100.0 || cfg["redis_timeout"] != 100.0 {
		t.Errorf("aliases: %v", cfg)
	}
	p = n.mustAdmin(200, "PATCH", "/plugins/"+p["id"].(string), map[string]any{"config": map[string]any{"redis": map[string]any{"host": "other"}}})
	if cfg = p["config"].(map[string]any); cfg["redis_host"] != "other" {
		t.Errorf("echo after PATCH: %v", cfg)
	}
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "rate-limiting", "route": nil,
		"config": map[string]any{"minute": 20, "hour": 10}})
	if status != 400 || !strings.Contains(body["message"].(string), "The limit for hour(10.0) cannot be lower than the limit for minute(20.0)") {
		t.Errorf("order check: %d %v", status, body)
	}
	status, body = n.admin("POST", "/schemas/plugins/validate", map[string]any{"name": "rate-limiting",
		"config": map[string]any{"minute": 1, "policy": "cluster"}})
	if status != 400 || !strings.Contains(body["message"].(string), "policy 'cluster'") {
		t.Errorf("cluster policy: %d %v", status, body)
	}
}

func TestIPRestriction(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t, "STRAIT_TRUSTED_IPS=127.0.0.1")
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "ips", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/ips/routes", map[string]any{"name": "v4", "paths": []string{"/v4"}})
	n.mustAdmin(201, "POST", "/services/ips/routes", map[string]any{"name": "v6", "paths": []string{"/v6"}})
	n.mustAdmin(201, "POST", "/routes/v4/plugins", map[string]any{"name": "ip-restriction",
		"config": map[string]any{"allow": []string{"10.0.0.0/8", "192.168.1.7"}, "deny": []string{"10.1.0.0/16"}}})
	p := n.mustAdmin(201, "POST", "/routes/v6/plugins", map[string]any{"name": "ip-restriction",
		"config": map[string]any{"deny": []string{"2001:db8::/32"}, "status": 401, "message": "nope"}})
	if !equalProtocols(p["protocols"]) {
		t.Errorf("protocols %v", p["protocols"])
	}
	n.waitStatus(403, "/v4", "X-Real-IP", "10.1.1.1")
	n.waitStatus(401, "/v6", "X-Real-IP", "2001:db8::1")
	tests := []struct {
		path, ip string
		status   int
		message  string
	}{
		{"/v4", "10.2.3.4", 200, ""},
		{"/v4", "192.168.1.7", 200, ""},
		{"/v4", "10.1.1.1", 403, "IP address not allowed: 10.1.1.1"},
		{"/v4", "192.168.1.8", 403, "IP address not allowed: 192.168.1.8"},
		{"/v4", "", 403, "IP address not allowed: 127.0.0.1"},
		{"/v6", "2001:db8::1", 401, "nope"},
		{"/v6", "2001:db9::1", 200, ""},
	}
	for _, tc := range tests {
		var status int
		var body []byte
		if tc.ip == "" {
			status, body, _ = n.proxyStatus(tc.path)
		} else {
			status, body, _ = n.proxyStatus(tc.path, "X-Real-IP", tc.ip)
		}
		if status != tc.status || tc.message != "" && errorMessage(t, body) != tc.message {
			t.Errorf("%s from %s: %d %s", tc.path, tc.ip, status, body)
		}
	}
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "ip-restriction", "config": map[string]any{}})
	if status != 400 || !strings.Contains(body["message"].(string), "at least one of these fields must be non-empty: 'config.allow', 'config.deny'") {
		t.Errorf("empty config: %d %v", status, body)
	}
}

func equalProtocols(v any) bool {
	list, _ := v.([]any)
	want := []string{"http", "https", "tcp", "tls", "grpc", "grpcs"}
	if len(list) != len(want) {
		return false
	}
	for i := range want {
		if list[i] != want[i] {
			return false
		}
	}
	return true
}

func TestRequestSizeLimiting(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "size", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/size/routes", map[string]any{"paths": []string{"/size"}})
	p := n.mustAdmin(201, "POST", "/services/size/plugins", map[string]any{"name": "request-size-limiting",
		"config": map[string]any{"allowed_payload_size": 10, "size_unit": "bytes"}})
	if cfg := p["config"].(map[string]any); cfg["require_content_length"] != false {
		t.Errorf("config %v", cfg)
	}
	post := func(body string, chunked bool) (int, []byte) {
		var rd io.Reader = strings.NewReader(body)
		if chunked {
			rd = io.MultiReader(strings.NewReader(body)) // unknown length → chunked
		}
		req, _ := http.NewRequest("POST", n.proxyURL+"/size", rd)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, raw
	}
	waitFor(t, 3*time.Second, "request-size-limiting live", func() bool {
		s, _ := post("01234567890", false)
		return s == 413
	})
	tests := []struct {
		body    string
		chunked bool
		status  int
	}{
		{"0123456789", false, 200},
		{"0123456789a", false, 413},
		{"0123456789", true, 200},
		{"0123456789abcdef", true, 413},
	}
	for _, tc := range tests {
		status, body := post(tc.body, tc.chunked)
		if status != tc.status {
			t.Errorf("%d bytes (chunked %v): %d %s", len(tc.body), tc.chunked, status, body)
		}
		if status == 413 && errorMessage(t, body) != "Request size limit exceeded" {
			t.Errorf("413 body %s", body)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a port: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
