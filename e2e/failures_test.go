package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// dnsServer answers A queries for the names in records and NXDOMAIN for
// everything else, on a random loopback UDP port.
func dnsServer(t *testing.T, records map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, q *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(q)
		name := strings.TrimSuffix(q.Question[0].Name, ".")
		ip, ok := records[name]
		switch {
		case !ok:
			m.Rcode = mdns.RcodeNameError
		case q.Question[0].Qtype == mdns.TypeA:
			m.Answer = append(m.Answer, &mdns.A{
				Hdr: mdns.RR_Header{Name: q.Question[0].Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 5},
				A:   net.ParseIP(ip),
			})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// logLines returns the JSON objects of a log, one per line.
func logLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestUpstreamFailuresExplainThemselves makes each kind of upstream
// failure happen through the real binary and checks Kong's status and
// message, and that the error log and access log name the cause, the
// upstream host name and the address it resolved to.
func TestUpstreamFailuresExplainThemselves(t *testing.T) {
	up := echoUpstream(t)
	_, upPort, _ := net.SplitHostPort(strings.TrimPrefix(up.URL, "http://"))
	closed := freeAddr(t) // nothing listens here
	_, closedPort, _ := net.SplitHostPort(closed)
	slow := echoSlowUpstream(t, 2*time.Second)

	resolver := dnsServer(t, map[string]string{"api.strait.test": "127.0.0.1", "down.strait.test": "127.0.0.1"})
	hosts := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"), 0o644)
	n := startNode(t, "STRAIT_DNS_RESOLVER="+resolver, "STRAIT_DNS_HOSTSFILE="+hosts)

	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "named", "url": "http://api.strait.test:" + upPort})
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "refused", "url": "http://down.strait.test:" + closedPort, "retries": 2})
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "nxdomain", "url": "http://missing.strait.test"})
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "timeout", "url": slow, "read_timeout": 300})
	for _, name := range []string{"named", "refused", "nxdomain", "timeout"} {
		n.mustAdmin(201, "POST", "/services/"+name+"/routes", map[string]any{"name": name + "-route", "paths": []string{"/" + name}})
	}
	waitFor(t, 2*time.Second, "routes", func() bool {
		res := n.get("/named/x")
		res.Body.Close()
		return res.StatusCode == 200
	})

	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
		wantClass  string
		wantHost   string
		wantIP     string
	}{
		{"/refused", 502, "An invalid response was received from the upstream server", "connect-refused", "down.strait.test", "127.0.0.1"},
		{"/nxdomain", 503, "name resolution failed", "dns-not-found", "missing.strait.test", ""},
		{"/timeout", 504, "The upstream server is timing out", "read-timeout", "127.0.0.1", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := n.get(tt.path) // Go sends no Accept: Kong answers text/plain
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus || !strings.HasPrefix(string(body), tt.wantBody+"\nrequest_id: ") {
				t.Fatalf("status %d body %q, want %d %q", res.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			reqID := res.Header.Get("X-Kong-Request-Id")
			var logged map[string]any
			waitFor(t, 2*time.Second, "the error log line", func() bool {
				for _, line := range logLines(t, n.output.String()) {
					if line["request_id"] == reqID && line["class"] == tt.wantClass {
						logged = line
						return true
					}
				}
				return false
			})
			host := tt.wantHost
			if logged["upstream_host"] != host || logged["service_name"] != tt.path[1:] || logged["route_name"] != tt.path[1:]+"-route" {
				t.Errorf("error log line %v does not name host %q, service and route", logged, host)
			}
			if tt.wantIP != "" && !strings.HasPrefix(str(logged["upstream_addr"]), tt.wantIP+":") {
				t.Errorf("error log line %v does not name the resolved address", logged)
			}
		})
	}

	// retries=2 on the refused service: three tries, each in the access log.
	res := n.get("/named/ok")
	readEcho(t, res)
	var named, refused map[string]any
	accessLog := filepath.Join(n.prefix, "logs", "access.log")
	waitFor(t, 3*time.Second, "access log lines", func() bool {
		raw, _ := os.ReadFile(accessLog)
		named, refused = nil, nil
		for _, line := range logLines(t, string(raw)) {
			uri := str(line["uri"])
			switch {
			case strings.HasPrefix(uri, "/named/ok"):
				named = line
			case uri == "/refused":
				refused = line
			}
		}
		return named != nil && refused != nil
	})
	upstream, _ := named["upstream"].(map[string]any)
	if upstream["host"] != "api.strait.test" || upstream["ip"] != "127.0.0.1" || str(upstream["port"]) == "" {
		t.Errorf("access log upstream = %v, want host api.strait.test and ip 127.0.0.1", upstream)
	}
	if tries, _ := refused["tries"].([]any); len(tries) != 3 {
		t.Errorf("refused request logged %d tries, want 3 (1 + retries=2): %v", len(tries), refused["tries"])
	}
	if refused["error"] != "connect-refused" || refused["status"] != float64(502) {
		t.Errorf("refused access log line = %v", refused)
	}
}

// TestRequestLimits checks that oversized request heads are refused with
// the right status instead of being buffered.
func TestRequestLimits(t *testing.T) {
	n := startNode(t, "STRAIT_MAX_URI_SIZE=1024", "STRAIT_MAX_HEADERS=20")
	res := n.get("/" + strings.Repeat("a", 2000))
	res.Body.Close()
	if res.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("long URI: status %d, want 414", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", n.proxyURL+"/", nil)
	for i := 0; i < 30; i++ {
		req.Header.Set("X-Extra-"+strings.Repeat("h", i+1), "v")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("30 headers: status %d, want 431", res.StatusCode)
	}
	// A request line the server cannot parse gets 400.
	conn, err := net.Dial("tcp", n.proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n")
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.1 400") {
		t.Errorf("malformed request line answered %q", line)
	}
}

// str renders a decoded JSON string or number as text ("" otherwise).
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}
