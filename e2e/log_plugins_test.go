package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// logRoute creates service svc (url) with route r on path.
func (n *node) logRoute(svc, url, route, path string) {
	n.t.Helper()
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": svc, "url": url})
	n.mustAdmin(201, "POST", "/services/"+svc+"/routes", map[string]any{"name": route, "paths": []string{path}})
}

// addPlugin enables a plugin on a route and waits until the proxy serves
// the route with it (a request through the route answers 200).
func (n *node) addPlugin(route, name string, config map[string]any) {
	n.t.Helper()
	n.mustAdmin(201, "POST", "/routes/"+route+"/plugins", map[string]any{"name": name, "config": config})
}

func TestFileLogNamesHostAndAddress(t *testing.T) {
	up := echoUpstream(t)
	port := up.Listener.Addr().(*net.TCPAddr).Port
	n := startNode(t)
	logPath := filepath.Join(t.TempDir(), "file.log")
	n.logRoute("fl", "http://localhost:"+strconv.Itoa(port), "fl-route", "/fl")
	n.addPlugin("fl-route", "file-log", map[string]any{"path": logPath})
	n.waitStatus(200, "/fl")
	res := n.get("/fl/x?a=1", "Authorization", "Bearer top-secret", "Proxy-Authorization", "Basic c2VjcmV0")
	res.Body.Close()

	var entry map[string]any
	waitFor(t, 5*time.Second, "a file-log line for /fl/x", func() bool {
		raw, _ := os.ReadFile(logPath)
		for _, line := range strings.Split(string(raw), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && strings.HasPrefix(str(m["request"].(map[string]any)["uri"]), "/fl/x") {
				entry = m
				return true
			}
		}
		return false
	})
	raw, _ := os.ReadFile(logPath)
	if strings.Contains(string(raw), "top-secret") || strings.Contains(string(raw), "c2VjcmV0") {
		t.Errorf("credentials logged:\n%s", raw)
	}
	upstream, _ := entry["upstream"].(map[string]any)
	if upstream["hostname"] != "localhost" || upstream["ip"] != "127.0.0.1" || upstream["port"] != float64(port) {
		t.Errorf("upstream = %v", upstream)
	}
	tries, _ := entry["tries"].([]any)
	if len(tries) == 0 {
		t.Fatalf("no tries in %v", entry)
	}
	last := tries[len(tries)-1].(map[string]any)
	if last["hostname"] != "localhost" || last["ip"] != "127.0.0.1" || last["port"] != float64(port) || last["cause"] != nil {
		t.Errorf("last try = %v", last)
	}
	for _, tr := range tries[:len(tries)-1] { // an ::1 attempt may come first
		if m := tr.(map[string]any); m["state"] != "failed" || m["cause"] == nil {
			t.Errorf("earlier try without a cause: %v", m)
		}
	}
	headers := entry["request"].(map[string]any)["headers"].(map[string]any)
	if headers["authorization"] != "REDACTED" || headers["proxy-authorization"] != "REDACTED" {
		t.Errorf("request headers = %v", headers)
	}
	if entry["upstream_status"] != "200" || entry["response"].(map[string]any)["status"] != float64(200) {
		t.Errorf("status fields: %v / %v", entry["upstream_status"], entry["response"])
	}
}

func TestFileLogRejectsLua(t *testing.T) {
	n := startNode(t)
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "file-log",
		"config": map[string]any{"path": "/tmp/x.log", "custom_fields_by_lua": map[string]any{"a": "return 1"}}})
	if status != 400 || !strings.Contains(str(body["message"]), "custom_fields_by_lua is not supported") {
		t.Errorf("status %d body %v", status, body)
	}
}

// collectorServer records the JSON bodies posted to it.
type collectorServer struct {
	mu     sync.Mutex
	bodies []string
	srv    *httptest.Server
}

func newCollectorServer(t *testing.T) *collectorServer {
	c := &collectorServer{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, string(b))
		c.mu.Unlock()
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func TestHTTPLogBatches(t *testing.T) {
	up := echoUpstream(t)
	col := newCollectorServer(t)
	n := startNode(t)
	n.logRoute("hl", up.URL, "hl-route", "/hl")
	n.addPlugin("hl-route", "http-log", map[string]any{"http_endpoint": col.srv.URL + "/logs",
		"queue": map[string]any{"max_batch_size": 5, "max_coalescing_delay": 0.2}})
	n.waitStatus(200, "/hl")
	for range 10 {
		if status, _, _ := n.proxyStatus("/hl/batch"); status != 200 {
			t.Fatalf("status %d", status)
		}
	}
	waitFor(t, 5*time.Second, "10 batched entries for /hl/batch", func() bool {
		col.mu.Lock()
		defer col.mu.Unlock()
		count := 0
		for _, b := range col.bodies {
			var list []map[string]any
			if json.Unmarshal([]byte(b), &list) != nil {
				continue
			}
			for _, e := range list {
				if e["request"].(map[string]any)["uri"] == "/hl/batch" {
					count++
				}
			}
		}
		return count == 10
	})
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.bodies) > 5 {
		t.Errorf("%d requests for ~12 entries in batches of 5", len(col.bodies))
	}
}

func TestHTTPLogDeadEndpointDoesNotSlowProxying(t *testing.T) {
	up := echoUpstream(t)
	dead := freeAddr(t) // nothing listens there
	status := freeAddr(t)
	n := startNode(t, "STRAIT_STATUS_LISTEN="+status)
	n.logRoute("dead", up.URL, "dead-route", "/dead")
	n.logRoute("live", up.URL, "live-route", "/live")
	n.addPlugin("dead-route", "http-log", map[string]any{"http_endpoint": "http://" + dead + "/logs", "timeout": 100,
		"queue": map[string]any{"max_entries": 20, "max_retry_time": 0.3, "initial_retry_delay": 0.05}})
	n.waitStatus(200, "/dead")

	// measure returns the mean and 95th percentile latency of 300
	// requests; worst cases are left out, as scheduling noise on a loaded
	// test machine dominates them.
	measure := func(path string) (time.Duration, time.Duration) {
		lat := make([]time.Duration, 0, 300)
		var total time.Duration
		for range 300 {
			start := time.Now()
			st, _, _ := n.proxyStatus(path)
			d := time.Since(start)
			if st != 200 {
				t.Fatalf("%s answered %d", path, st)
			}
			total += d
			lat = append(lat, d)
		}
		slices.Sort(lat)
		return total / 300, lat[len(lat)*95/100]
	}
	baseAvg, baseP95 := measure("/live")
	deadAvg, deadP95 := measure("/dead")
	t.Logf("mean/p95 latency: without log %v/%v, with http-log to a dead endpoint %v/%v", baseAvg, baseP95, deadAvg, deadP95)
	if deadAvg > 2*baseAvg+2*time.Millisecond || deadP95 > 3*baseP95+5*time.Millisecond {
		t.Errorf("dead log endpoint slowed proxying: mean %v (baseline %v), p95 %v (baseline %v)", deadAvg, baseAvg, deadP95, baseP95)
	}
	metric := regexp.MustCompile(`strait_log_entries_total\{outcome="(dropped|failed)",plugin="http-log"\} (\d+)`)
	waitFor(t, 5*time.Second, "dropped and failed http-log entries on /metrics", func() bool {
		res, err := http.Get("http://" + status + "/metrics")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		seen := map[string]bool{}
		for _, m := range metric.FindAllStringSubmatch(string(body), -1) {
			if m[2] != "0" {
				seen[m[1]] = true
			}
		}
		return seen["dropped"] && seen["failed"]
	})
}

func TestTCPAndUDPLog(t *testing.T) {
	up := echoUpstream(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tcpLines := make(chan string, 10)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				sc := bufio.NewScanner(conn)
				for sc.Scan() {
					tcpLines <- sc.Text()
				}
			}()
		}
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()

	n := startNode(t)
	n.logRoute("tl", up.URL, "tl-route", "/tl")
	n.addPlugin("tl-route", "tcp-log", map[string]any{"host": "127.0.0.1", "port": ln.Addr().(*net.TCPAddr).Port})
	n.addPlugin("tl-route", "udp-log", map[string]any{"host": "127.0.0.1", "port": pc.LocalAddr().(*net.UDPAddr).Port})
	n.waitStatus(200, "/tl")
	n.proxyStatus("/tl/stream")

	deadline := time.After(5 * time.Second)
	for found := false; !found; {
		select {
		case line := <-tcpLines:
			found = strings.Contains(line, `"uri":"/tl/stream"`)
		case <-deadline:
			t.Fatal("no tcp-log line for /tl/stream")
		}
	}
	buf := make([]byte, 65536)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		nb, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no udp-log datagram for /tl/stream: %v", err)
		}
		if strings.Contains(string(buf[:nb]), `"uri":"/tl/stream"`) {
			break
		}
	}
}

func TestSyslogToLocalSocket(t *testing.T) {
	up := echoUpstream(t)
	dir, err := os.MkdirTemp("", "sl") // short path: unix socket names are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "log")
	pc, err := net.ListenPacket("unixgram", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n := startNode(t, "STRAIT_SYSLOG_SOCKET="+sock)
	n.logRoute("sl", up.URL, "sl-route", "/sl")
	n.addPlugin("sl-route", "syslog", map[string]any{"facility": "local0", "client_errors_severity": "warning"})
	n.waitStatus(200, "/sl")
	n.proxyStatus("/sl/syslog")
	buf := make([]byte, 65536)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		nb, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no syslog message for /sl/syslog: %v", err)
		}
		msg := string(buf[:nb])
		if strings.Contains(msg, `"uri":"/sl/syslog"`) {
			if !strings.HasPrefix(msg, "<134>") || !strings.Contains(msg, " kong[") {
				t.Errorf("message %q, want priority 134 (local0.info) and ident kong", msg)
			}
			break
		}
	}
}

func TestPrometheusOnStatusListener(t *testing.T) {
	up := echoUpstream(t)
	status := freeAddr(t)
	n := startNode(t, "STRAIT_STATUS_LISTEN="+status)
	res, err := http.Get("http://" + status + "/status/ready")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != `{"message":"ready"}` {
		t.Errorf("/status/ready: %d %s", res.StatusCode, body)
	}
	n.logRoute("pm", up.URL, "pm-route", "/pm")
	n.mustAdmin(201, "POST", "/plugins", map[string]any{"name": "prometheus",
		"config": map[string]any{"status_code_metrics": true, "latency_metrics": true}})
	want := regexp.MustCompile(`kong_http_requests_total\{code="200",consumer="",route="pm-route",service="pm",source="service",workspace="default"\} (\d+)`)
	scrape := func(base string) (string, int) {
		t.Helper()
		res, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := want.FindStringSubmatch(string(body))
		if m == nil {
			return string(body), -1
		}
		c, _ := strconv.Atoi(m[1])
		return string(body), c
	}
	// The route can answer before the plugin is compiled in, and metrics
	// are recorded in the log phase, off the request path: wait for the
	// counter to exist, then check that three more requests add three.
	before := -1
	waitFor(t, 5*time.Second, "the prometheus plugin to count requests", func() bool {
		n.proxyStatus("/pm/x")
		_, before = scrape("http://" + status)
		return before > 0
	})
	waitFor(t, 2*time.Second, "the counter to settle", func() bool {
		_, c := scrape("http://" + status)
		settled := c == before
		before = c
		return settled
	})
	for range 3 {
		n.proxyStatus("/pm/x")
	}
	for _, base := range []string{"http://" + status, n.adminURL} {
		var body string
		waitFor(t, 2*time.Second, base+" to count three more requests", func() bool {
			var c int
			body, c = scrape(base)
			return c >= before+3
		})
		for _, s := range []string{`kong_request_latency_ms_bucket{route="pm-route",service="pm",workspace="default",le="60000"}`,
			"kong_node_info{", "kong_datastore_reachable 1", `kong_nginx_connections_total{`} {
			if !strings.Contains(string(body), s) {
				t.Errorf("%s/metrics lacks %s", base, s)
			}
		}
	}
	res, err = http.Get("http://" + status + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	server, _ := st["server"].(map[string]any)
	if res.StatusCode != 200 || server == nil || server["total_requests"].(float64) < 3 {
		t.Errorf("/status on the status listener: %d %v", res.StatusCode, st)
	}
}
