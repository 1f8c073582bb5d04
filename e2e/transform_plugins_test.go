package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// send makes a proxy request with a method, headers (name, value pairs)
// and an optional body, and returns the response with its body read.
func (n *node) send(method, path, body string, header ...string) (*http.Response, []byte) {
	n.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, n.proxyURL+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, raw
}

// withRoute creates a service on the echo upstream and routes for paths,
// each named after its path without the slash.
func withRoutes(t *testing.T, n *node, paths ...string) {
	t.Helper()
	up := echoUpstream(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	for _, p := range paths {
		n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": strings.TrimPrefix(p, "/"), "paths": []string{p}})
	}
}

func TestCORSPlugin(t *testing.T) {
	n := startNode(t)
	withRoutes(t, n, "/listed", "/open")
	def := n.mustAdmin(201, "POST", "/routes/open/plugins", map[string]any{"name": "cors"})
	wantDefaults := map[string]any{
		"origins": nil, "headers": nil, "exposed_headers": nil, "max_age": nil, "credentials": false,
		"methods":         []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"},
		"private_network": false, "preflight_continue": false, "allow_origin_absent": true,
	}
	if !reflect.DeepEqual(def["config"], wantDefaults) {
		t.Errorf("defaulted config = %v", def["config"])
	}
	n.mustAdmin(201, "POST", "/routes/listed/plugins", map[string]any{"name": "cors", "config": map[string]any{
		"origins": []string{"https://a.test", `.*\.b\.test`}, "credentials": true,
		"exposed_headers": []string{"X-Echo"}, "max_age": 600,
	}})
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "cors", "config": map[string]any{"origins": []string{"("}}})
	if fields, _ := body["fields"].(map[string]any); status != 400 || !strings.Contains(jsonText(fields), "'(' is not a valid regex") {
		t.Errorf("bad regex: %d %v", status, body)
	}

	waitFor(t, 3*time.Second, "cors on /listed", func() bool {
		res, _ := n.send("GET", "/listed", "", "Origin", "https://a.test")
		return res.Header.Get("Access-Control-Allow-Origin") == "https://a.test"
	})

	res, raw := n.send("OPTIONS", "/listed/x", "", "Origin", "https://a.test:443",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "X-Foo")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://a.test",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Headers":     "X-Foo",
		"Access-Control-Allow-Methods":     "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
		"Access-Control-Max-Age":           "600",
		"Vary":                             "Origin",
		"Content-Length":                   "0",
	}
	if res.StatusCode != 200 || len(raw) != 0 {
		t.Errorf("preflight: %d %q", res.StatusCode, raw)
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}

	res, raw = n.send("GET", "/listed/x", "", "Origin", "http://api.b.test")
	if res.StatusCode != 200 || !strings.Contains(string(raw), `"uri":"/x"`) {
		t.Errorf("simple request: %d %s", res.StatusCode, raw)
	}
	for k, v := range map[string]string{"Access-Control-Allow-Origin": "http://api.b.test",
		"Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "X-Echo"} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("simple %s = %q, want %q", k, got, v)
		}
	}
	if !contains(res.Header.Values("Vary"), "Origin") {
		t.Errorf("simple request Vary = %v", res.Header.Values("Vary"))
	}
	res, _ = n.send("GET", "/listed/x", "", "Origin", "https://evil.test")
	if _, ok := res.Header["Access-Control-Allow-Origin"]; ok || res.StatusCode != 200 {
		t.Errorf("refused origin: %d %v", res.StatusCode, res.Header)
	}

	waitFor(t, 3*time.Second, "cors on /open", func() bool {
		res, _ := n.send("GET", "/open", "", "Origin", "https://z.test")
		return res.Header.Get("Access-Control-Allow-Origin") == "*"
	})
	res, raw = n.send("OPTIONS", "/open", "", "Origin", "https://z.test", "Access-Control-Request-Method", "GET")
	if res.StatusCode != 200 || len(raw) != 0 || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		res.Header.Get("Vary") != "" || res.Header.Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("default preflight: %d %q %v", res.StatusCode, raw, res.Header)
	}
}

func TestCorrelationIDPlugin(t *testing.T) {
	n := startNode(t)
	withRoutes(t, n, "/corr")
	n.mustAdmin(201, "POST", "/routes/corr/plugins", map[string]any{"name": "correlation-id",
		"config": map[string]any{"header_name": "X-Corr", "echo_downstream": true}})
	idRe := regexp.MustCompile(`^[0-9a-f-]{36}#[0-9]+$`)
	var first string
	waitFor(t, 3*time.Second, "correlation-id", func() bool {
		res, raw := n.send("GET", "/corr", "")
		var e echoed
		_ = json.Unmarshal(raw, &e)
		up := http.Header(e.Headers).Get("X-Corr")
		if up == "" {
			return false
		}
		if !idRe.MatchString(up) || res.Header.Get("X-Corr") != up {
			t.Fatalf("upstream %q downstream %q", up, res.Header.Get("X-Corr"))
		}
		first = up
		return true
	})
	res, raw := n.send("GET", "/corr", "")
	var e echoed
	_ = json.Unmarshal(raw, &e)
	second := http.Header(e.Headers).Get("X-Corr")
	if second == first || !idRe.MatchString(second) || strings.Split(second, "#")[0] != strings.Split(first, "#")[0] ||
		res.Header.Get("X-Corr") != second {
		t.Errorf("second id %q after %q (downstream %q)", second, first, res.Header.Get("X-Corr"))
	}
	res, raw = n.send("GET", "/corr", "", "X-Corr", "client-id")
	_ = json.Unmarshal(raw, &e)
	if got := http.Header(e.Headers).Values("X-Corr"); len(got) != 1 || got[0] != "client-id" || res.Header.Get("X-Corr") != "client-id" {
		t.Errorf("client id: upstream %q downstream %q", got, res.Header.Get("X-Corr"))
	}
}

func TestRequestTransformerPlugin(t *testing.T) {
	n := startNode(t)
	withRoutes(t, n, "/rt")
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "request-transformer",
		"config": map[string]any{"add": map[string]any{"headers": []string{"x-a:1\r\nX-Injected: yes"}}}})
	if status != 400 || !strings.Contains(jsonText(body), "has a value with CR or LF characters") {
		t.Errorf("CR LF header value: %d %v", status, body)
	}
	n.mustAdmin(201, "POST", "/routes/rt/plugins", map[string]any{"name": "request-transformer", "config": map[string]any{
		"remove":  map[string]any{"headers": []string{"x-drop"}, "querystring": []string{"drop"}, "body": []string{"secret"}},
		"rename":  map[string]any{"headers": []string{"x-old:x-new"}, "body": []string{"old:new"}},
		"replace": map[string]any{"uri": "/replaced", "body": []string{"keep:replaced"}},
		"add":     map[string]any{"headers": []string{"x-added:yes"}, "querystring": []string{"q:1 2"}, "body": []string{"added:b"}},
		"append":  map[string]any{"headers": []string{"x-multi:two"}},
	}})
	var e echoed
	waitFor(t, 3*time.Second, "request-transformer", func() bool {
		res, raw := n.send("POST", "/rt/original?drop=1&keep=k", `{"secret":1,"keep":2,"old":"o"}`,
			"Content-Type", "application/json", "X-Drop", "1", "X-Old", "o", "X-Multi", "one")
		if res.StatusCode != 200 {
			t.Fatalf("status %d %s", res.StatusCode, raw)
		}
		e = echoed{}
		_ = json.Unmarshal(raw, &e)
		return e.URI != "/original?drop=1&keep=k"
	})
	if e.URI != "/replaced?keep=k&q=1%202" {
		t.Errorf("upstream URI %q", e.URI)
	}
	h := http.Header(e.Headers)
	for name, want := range map[string][]string{"X-Drop": nil, "X-Old": nil, "X-New": {"o"}, "X-Added": {"yes"},
		"X-Multi": {"one", "two"}} {
		if got := h.Values(name); !reflect.DeepEqual(got, want) {
			t.Errorf("upstream %s = %q, want %q", name, got, want)
		}
	}
	var b map[string]any
	if err := json.Unmarshal([]byte(e.Body), &b); err != nil ||
		!reflect.DeepEqual(b, map[string]any{"keep": "replaced", "new": "o", "added": "b"}) {
		t.Errorf("upstream body %q", e.Body)
	}
	if got := h.Get("Content-Length"); got != "" && got != itoa(len(e.Body)) {
		t.Errorf("Content-Length %s for a body of %d bytes", got, len(e.Body))
	}

	res, raw := n.send("POST", "/rt/x", "a=1&secret=s", "Content-Type", "application/x-www-form-urlencoded")
	_ = json.Unmarshal(raw, &e)
	if res.StatusCode != 200 || e.Body != "a=1&added=b" {
		t.Errorf("form body upstream %q", e.Body)
	}
}

func TestResponseTransformerPlugin(t *testing.T) {
	n := startNode(t)
	withRoutes(t, n, "/body", "/headers")
	n.mustAdmin(201, "POST", "/routes/body/plugins", map[string]any{"name": "response-transformer", "config": map[string]any{
		"remove":  map[string]any{"json": []string{"headers", "body"}},
		"rename":  map[string]any{"json": []string{"method:verb"}},
		"replace": map[string]any{"json": []string{"host:hidden"}},
		"add":     map[string]any{"json": []string{"count:3", "uri:not-added"}, "json_types": []string{"number"}, "headers": []string{"x-added:yes"}},
		"append":  map[string]any{"json": []string{"uri:/second"}},
	}})
	n.mustAdmin(201, "POST", "/routes/headers/plugins", map[string]any{"name": "response-transformer", "config": map[string]any{
		"add":    map[string]any{"headers": []string{"x-added:yes"}},
		"rename": map[string]any{"headers": []string{"date:x-upstream-date"}},
	}})
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "response-transformer",
		"config": map[string]any{"append": map[string]any{"headers": []string{"x-a:1\nSet-Cookie: evil=1"}}}})
	if status != 400 || !strings.Contains(jsonText(body), "has a value with CR or LF characters") {
		t.Errorf("LF header value: %d %v", status, body)
	}

	var res *http.Response
	var raw []byte
	waitFor(t, 3*time.Second, "response-transformer", func() bool {
		res, raw = n.send("GET", "/body/x", "")
		return res.Header.Get("X-Added") == "yes"
	})
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("body %q: %v", raw, err)
	}
	want := map[string]any{"verb": "GET", "uri": []any{"/x", "/second"}, "host": "hidden", "count": float64(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s, want %v", raw, want)
	}
	if res.ContentLength >= 0 && res.ContentLength != int64(len(raw)) {
		t.Errorf("Content-Length %d for %d bytes", res.ContentLength, len(raw))
	}

	waitFor(t, 3*time.Second, "header-only response-transformer", func() bool {
		res, raw = n.send("GET", "/headers/x", "")
		return res.Header.Get("X-Added") == "yes"
	})
	if _, err := http.ParseTime(res.Header.Get("X-Upstream-Date")); err != nil || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("renamed header: %v", res.Header)
	}
	if res.ContentLength != int64(len(raw)) || !strings.Contains(string(raw), `"uri":"/x"`) {
		t.Errorf("header-only instance changed the body or its length: %d %q", res.ContentLength, raw)
	}
}

func jsonText(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	raw, _ := json.Marshal(n)
	return string(raw)
}
