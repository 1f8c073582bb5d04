package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestQuickExample runs the README's example verbatim with curl.
func TestQuickExample(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is required for the quick-example test (apt-get install curl)")
	}
	up := echoUpstream(t)
	n := startNode(t)
	curl := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("curl", append([]string{"-s", "-i"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := curl("-X", "POST", n.adminURL+"/services", "--data", "name=example-service", "--data", "url="+up.URL)
	if !strings.HasPrefix(out, "HTTP/1.1 201") {
		t.Fatalf("create service:\n%s", out)
	}
	out = curl("-X", "POST", n.adminURL+"/services/example-service/routes", "--data", "paths[]=/test")
	if !strings.HasPrefix(out, "HTTP/1.1 201") {
		t.Fatalf("create route:\n%s", out)
	}
	var e echoed
	waitFor(t, 2*time.Second, "the route to go live", func() bool {
		res := n.get("/test/anything")
		if res.StatusCode != 200 {
			res.Body.Close()
			return false
		}
		e = readEcho(t, res)
		return true
	})
	if e.URI != "/anything" {
		t.Errorf("upstream saw %q, want /anything", e.URI)
	}
	out = curl(n.proxyURL + "/test/anything?x=1")
	if !strings.Contains(out, "HTTP/1.1 200") || !strings.Contains(out, `"uri":"/anything?x=1"`) {
		t.Errorf("curl through the proxy:\n%s", out)
	}
}

// TestUpstreamHeaders checks what the upstream receives and what the client
// gets back on a proxied request.
func TestUpstreamHeaders(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t, "STRAIT_ALLOW_DEBUG_HEADER=on")
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL + "/base"})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "r1", "paths": []string{"/api"}})
	var res *http.Response
	waitFor(t, 2*time.Second, "route", func() bool {
		res = n.get("/api/items?q=1", "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Host", "evil.test",
			"Connection", "X-Real-IP, X-Kong-Request-Id", "Kong-Debug", "1")
		if res.StatusCode == 404 {
			res.Body.Close()
			return false
		}
		return true
	})
	for _, h := range []string{"X-Kong-Upstream-Latency", "X-Kong-Proxy-Latency", "X-Kong-Request-Id", "Via", "Kong-Route-Id", "Kong-Service-Name"} {
		if res.Header.Get(h) == "" {
			t.Errorf("response header %s missing", h)
		}
	}
	if got := res.Header.Get("Via"); !strings.Contains(got, "kong/3.9.1") {
		t.Errorf("Via = %q", got)
	}
	reqID := res.Header.Get("X-Kong-Request-Id")
	e := readEcho(t, res)
	if e.URI != "/base/items?q=1" {
		t.Errorf("upstream URI %q, want /base/items?q=1", e.URI)
	}
	upHost := strings.TrimPrefix(up.URL, "http://")
	if e.Host != upHost {
		t.Errorf("upstream Host %q, want %q", e.Host, upHost)
	}
	h := http.Header(e.Headers)
	checks := map[string]string{
		"X-Forwarded-For":    "203.0.113.9, 127.0.0.1",
		"X-Forwarded-Host":   strings.Split(n.proxyAddr, ":")[0], // untrusted client: its value is ignored
		"X-Forwarded-Proto":  "http",
		"X-Forwarded-Prefix": "/api",
		"X-Forwarded-Path":   "/api/items",
		"X-Real-Ip":          "127.0.0.1",
		"X-Kong-Request-Id":  reqID,
	}
	for name, want := range checks {
		if got := h.Get(name); got != want {
			t.Errorf("upstream %s = %q, want %q", name, got, want)
		}
	}
}

// TestKongErrors checks the gateway's own error responses.
func TestKongErrors(t *testing.T) {
	n := startNode(t)
	res := n.get("/nothing-here", "Accept", "application/json")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var msg map[string]string
	if err := json.Unmarshal(body, &msg); err != nil || msg["message"] != "no Route matched with those values" || len(msg["request_id"]) != 32 {
		t.Errorf("404 body %q", body)
	}
	if res.Header.Get("X-Kong-Response-Latency") == "" || res.Header.Get("Server") != "kong/3.9.1" {
		t.Errorf("404 headers %v", res.Header)
	}
	res = n.get("/nothing-here", "Accept", "text/plain")
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(string(body), "no Route matched with those values\nrequest_id: ") {
		t.Errorf("text/plain 404 body %q", body)
	}
	// A route without a service.
	n.mustAdmin(201, "POST", "/routes", map[string]any{"paths": []string{"/orphan"}})
	waitFor(t, 2*time.Second, "orphan route", func() bool {
		res := n.get("/orphan", "Accept", "application/json")
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode == 503 && strings.Contains(string(b), "no Service found with those values")
	})
}

// TestLiveChangesDropNothing keeps requests flowing to one route while
// other routes are created and deleted: none may fail, and each new route
// must be reachable shortly after its write returns.
func TestLiveChangesDropNothing(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"paths": []string{"/steady"}})
	waitFor(t, 2*time.Second, "steady route", func() bool {
		res := n.get("/steady")
		res.Body.Close()
		return res.StatusCode == 200
	})

	var failures, total atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Get(n.proxyURL + "/steady")
				total.Add(1)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failures.Add(1)
				}
			}
		}()
	}
	var worst time.Duration
	for i := 0; i < 30; i++ {
		path := fmt.Sprintf("/churn-%d", i)
		route := n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"paths": []string{path}})
		took := waitFor(t, 2*time.Second, path, func() bool {
			res := n.get(path)
			res.Body.Close()
			return res.StatusCode == 200
		})
		worst = max(worst, took)
		n.mustAdmin(204, "DELETE", "/routes/"+route["id"].(string), nil)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d requests during 30 route create/delete cycles, %d failed; slowest time-to-live after the write returned: %v",
		total.Load(), failures.Load(), worst)
	if failures.Load() != 0 {
		t.Errorf("%d of %d requests failed while the configuration changed", failures.Load(), total.Load())
	}
}

// TestCrashLosesNothingAcknowledged kills the node with SIGKILL while a
// client is writing and checks every acknowledged write after a restart.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	n := startNode(t)
	var acked []string
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		client := &http.Client{Timeout: 5 * time.Second}
		for i := 0; ; i++ {
			name := fmt.Sprintf("svc-%04d", i)
			res, err := client.Post(n.adminURL+"/services", "application/json",
				strings.NewReader(fmt.Sprintf(`{"name":%q,"url":"http://127.0.0.1:9"}`, name)))
			if err != nil {
				return // the node is gone
			}
			res.Body.Close()
			if res.StatusCode == 201 {
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
			}
		}
	}()
	waitFor(t, 10*time.Second, "some acknowledged writes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 40
	})
	n.kill()
	<-done
	n.launch()
	mu.Lock()
	defer mu.Unlock()
	for _, name := range acked {
		if status, _ := n.admin("GET", "/services/"+name, nil); status != 200 {
			t.Errorf("acknowledged service %s is missing after kill -9 (status %d)", name, status)
		}
	}
	t.Logf("%d acknowledged writes checked after kill -9", len(acked))
}

// TestGracefulStop sends SIGTERM while a slow request is in flight: the
// request completes and the process exits 0.
func TestGracefulStop(t *testing.T) {
	slow := echoSlowUpstream(t, 700*time.Millisecond)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "slow", "url": slow})
	n.mustAdmin(201, "POST", "/services/slow/routes", map[string]any{"paths": []string{"/slow"}})
	waitFor(t, 2*time.Second, "slow route", func() bool {
		res := n.get("/slow")
		res.Body.Close()
		return res.StatusCode == 200
	})
	result := make(chan int, 1)
	go func() {
		res, err := http.Get(n.proxyURL + "/slow")
		if err != nil {
			result <- -1
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		result <- res.StatusCode
	}()
	time.Sleep(200 * time.Millisecond)
	n.stop() // reports a non-zero exit as a failure
	if got := <-result; got != 200 {
		t.Errorf("in-flight request finished with %d during shutdown, want 200", got)
	}
}

func echoSlowUpstream(t *testing.T, delay time.Duration) string {
	t.Helper()
	srv := echoUpstream(t)
	inner := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		inner.ServeHTTP(w, r)
	})
	return srv.URL
}
