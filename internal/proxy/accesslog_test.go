package proxy

import (
	"net/http"
	"strings"
	"testing"
)

func TestAccessLogLine(t *testing.T) {
	up := newEchoUpstream(t)
	svc := newService(t, up.URL)
	g := startGateway(t, defaultTestOptions(), buildHolder(t, testRoute{id: "r-1", name: "users", paths: []string{"/"}, service: svc}))
	resp := g.do(t, "GET", "/users?apikey=s3cr3t&flag&x=1", http.Header{
		"Authorization": {"Bearer top-secret"}, "Proxy-Authorization": {"Basic c2VjcmV0"},
	}, nil)
	readBody(t, resp)
	readBody(t, g.do(t, "GET", "/second", nil, nil))
	if err := g.proxy.Flush(); err != nil {
		t.Fatal(err)
	}
	raw := g.accessLog.String()
	for _, secret := range []string{"s3cr3t", "top-secret", "c2VjcmV0"} {
		if strings.Contains(raw, secret) {
			t.Errorf("access log leaks %q: %s", secret, raw)
		}
	}
	lines := g.accessLog.lines(t)
	if len(lines) != 2 {
		t.Fatalf("lines = %d, want 2", len(lines))
	}
	l := lines[0]
	checks := map[string]any{
		"uri": "/users?apikey=REDACTED&flag&x=REDACTED", "method": "GET", "status": float64(200),
		"client_ip": "127.0.0.1", "request_id": resp.Header.Get("X-Kong-Request-Id"), "error": "",
	}
	for k, want := range checks {
		if l[k] != want {
			t.Errorf("%s = %v, want %v", k, l[k], want)
		}
	}
	route := l["route"].(map[string]any)
	service := l["service"].(map[string]any)
	upstream := l["upstream"].(map[string]any)
	if route["id"] != "r-1" || route["name"] != "users" || service["id"] != "svc-1" || service["name"] != "echo" {
		t.Errorf("route/service: %v %v", route, service)
	}
	if upstream["ip"] != "127.0.0.1" || upstream["port"] != float64(svc.Port) || upstream["scheme"] != "http" ||
		upstream["host"] != "127.0.0.1" {
		t.Errorf("upstream: %v", upstream)
	}
	lat := l["latencies"].(map[string]any)
	for _, k := range []string{"proxy", "upstream", "total"} {
		if _, ok := lat[k].(float64); !ok {
			t.Errorf("latency %s missing: %v", k, lat)
		}
	}
	if l["bytes_sent"].(float64) <= 0 || len(l["tries"].([]any)) != 1 {
		t.Errorf("bytes/tries: %v %v", l["bytes_sent"], l["tries"])
	}
}

func TestAccessLogCloseFlushes(t *testing.T) {
	buf := &logBuffer{}
	p := New(Options{Version: "1", AccessLog: buf}, buildHolder(t))
	rec := newRecorder()
	req, _ := http.NewRequest("GET", "http://x/none", nil)
	req.RequestURI = "/none"
	p.ServeHTTP(rec, req)
	if buf.String() != "" {
		t.Fatal("line written before a flush; the buffered path is not exercised")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"status":404`) {
		t.Fatalf("line lost on close: %q", buf.String())
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := map[string]string{
		`plain`:          `"plain"`,
		"q\"b\\\n\t\x01": `"q\"b\\\n\t\u0001"`,
		"é\xff":          `"é\ufffd"`,
	}
	for in, want := range tests {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}
