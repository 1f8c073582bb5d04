package e2e

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
)

// proxyStatus sends a proxy GET and returns its status, body and headers.
func (n *node) proxyStatus(path string, header ...string) (int, []byte, http.Header) {
	n.t.Helper()
	res := n.get(path, header...)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body, res.Header
}

// waitStatus polls path until it answers want.
func (n *node) waitStatus(want int, path string, header ...string) {
	n.t.Helper()
	waitFor(n.t, 3*time.Second, "proxy status "+http.StatusText(want)+" on "+path, func() bool {
		status, _, _ := n.proxyStatus(path, header...)
		return status == want
	})
}

func errorMessage(t *testing.T, body []byte) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body is not JSON: %q", body)
	}
	if len(m["request_id"]) != 32 {
		t.Errorf("error body without request_id: %q", body)
	}
	return m["message"]
}

// TestKeyAuthSeed is the basic key-auth scenario: a consumer with a key,
// key-auth on a service, and the three outcomes.
func TestKeyAuthSeed(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "r1", "paths": []string{"/api"}})
	consumer := n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "alice", "custom_id": "a-1"})
	cred := n.mustAdmin(201, "POST", "/consumers/alice/key-auth", map[string]any{"key": "secret-alice"})
	if cred["key"] != "secret-alice" || cred["ttl"] != nil || cred["updated_at"] != nil {
		t.Errorf("credential = %v", cred)
	}
	if ref, _ := cred["consumer"].(map[string]any); ref["id"] != consumer["id"] {
		t.Errorf("credential consumer = %v", cred["consumer"])
	}
	plugin := n.mustAdmin(201, "POST", "/services/svc/plugins", map[string]any{"name": "key-auth"})
	wantConfig := map[string]any{
		"key_names": []any{"apikey"}, "hide_credentials": false, "anonymous": nil, "key_in_header": true,
		"key_in_query": true, "key_in_body": false, "run_on_preflight": true, "realm": nil,
	}
	if !reflect.DeepEqual(plugin["config"], wantConfig) {
		t.Errorf("defaulted config = %v, want %v", plugin["config"], wantConfig)
	}
	if !reflect.DeepEqual(plugin["protocols"], []any{"grpc", "grpcs", "http", "https"}) || plugin["enabled"] != true {
		t.Errorf("plugin = %v", plugin)
	}

	n.waitStatus(401, "/api/x")
	status, body, h := n.proxyStatus("/api/x")
	if status != 401 || errorMessage(t, body) != "No API key found in request" || h.Get("WWW-Authenticate") != "Key" {
		t.Errorf("no key: %d %q %v", status, body, h)
	}
	if h.Get("X-Kong-Request-Id") == "" || h.Get("Server") != "kong/3.9.1" || h.Get("X-Kong-Response-Latency") == "" {
		t.Errorf("exit response lacks the gateway headers: %v", h)
	}
	status, body, _ = n.proxyStatus("/api/x", "apikey", "wrong")
	if status != 401 || errorMessage(t, body) != "Unauthorized" {
		t.Errorf("wrong key: %d %q", status, body)
	}

	e := readEcho(t, n.get("/api/x", "apikey", "secret-alice",
		"X-Consumer-Username", "mallory", "X-Anonymous-Consumer", "true", "X-Credential-Identifier", "forged"))
	up1 := http.Header(e.Headers)
	want := map[string]string{
		"X-Consumer-Id": consumer["id"].(string), "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": cred["id"].(string), "Apikey": "secret-alice",
	}
	for k, v := range want {
		if got := up1.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("upstream %s = %v, want %q", k, got, v)
		}
	}
	if _, ok := up1["X-Anonymous-Consumer"]; ok {
		t.Errorf("client-sent X-Anonymous-Consumer reached the upstream")
	}
	e = readEcho(t, n.get("/api/x?apikey=secret-alice&a=1"))
	if e.URI != "/x?apikey=secret-alice&a=1" {
		t.Errorf("key in query: upstream URI %q", e.URI)
	}
	status, body, _ = n.proxyStatus("/api/x?apikey=secret-alice&apikey=other")
	if status != 401 || errorMessage(t, body) != "Duplicate API key found" {
		t.Errorf("duplicate key: %d %q", status, body)
	}
}

// TestPluginAdmin covers the Admin API side of plugins and credentials.
func TestPluginAdmin(t *testing.T) {
	n := startNode(t)
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "no-such-plugin"})
	fields, _ := body["fields"].(map[string]any)
	if status != 400 || fields["name"] != "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property" {
		t.Errorf("unknown plugin: %d %v", status, body)
	}
	status, body = n.admin("POST", "/plugins", map[string]any{"name": "key-auth", "config": map[string]any{"bogus": 1}})
	if status != 400 {
		t.Errorf("unknown config field accepted: %d %v", status, body)
	}
	n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "bob"})
	status, body = n.admin("POST", "/plugins", map[string]any{"name": "key-auth", "consumer": map[string]any{"username": "bob"}})
	if status != 400 {
		t.Errorf("consumer-scoped key-auth accepted: %d %v", status, body)
	}

	schema := n.mustAdmin(200, "GET", "/schemas/plugins/key-auth", nil)
	raw, _ := json.Marshal(schema)
	for _, s := range []string{`"key_names"`, `"run_on_preflight"`, `"apikey"`} {
		if !regexp.MustCompile(regexp.QuoteMeta(s)).Match(raw) {
			t.Errorf("key-auth schema lacks %s: %s", s, raw)
		}
	}
	n.mustAdmin(200, "GET", "/schemas/keyauth_credentials", nil)
	root := n.mustAdmin(200, "GET", "/", nil)
	avail := root["plugins"].(map[string]any)["available_on_server"].(map[string]any)
	if ka, _ := avail["key-auth"].(map[string]any); ka["priority"] != float64(1250) {
		t.Errorf("available_on_server = %v", avail)
	}
	if ba, _ := avail["basic-auth"].(map[string]any); ba["priority"] != float64(1100) {
		t.Errorf("available_on_server = %v", avail)
	}

	generated := n.mustAdmin(201, "POST", "/consumers/bob/key-auth", map[string]any{"ttl": 3600})
	if k, _ := generated["key"].(string); !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(k) {
		t.Errorf("generated key %q", generated["key"])
	}
	if generated["ttl"] != float64(3600) {
		t.Errorf("ttl = %v", generated["ttl"])
	}
	list := n.mustAdmin(200, "GET", "/key-auths", nil)
	if data, _ := list["data"].([]any); len(data) != 1 {
		t.Errorf("/key-auths = %v", list)
	}
	n.mustAdmin(200, "GET", "/key-auths/"+generated["key"].(string), nil)

	bob := n.mustAdmin(200, "GET", "/consumers/bob", nil)
	basic := n.mustAdmin(201, "POST", "/consumers/bob/basic-auth", map[string]any{"username": "bob-b", "password": "s3cret"})
	sum := sha1.Sum([]byte("s3cret" + bob["id"].(string)))
	if basic["password"] != hex.EncodeToString(sum[:]) {
		t.Errorf("stored password %v, want sha1 hex", basic["password"])
	}
	patched := n.mustAdmin(200, "PATCH", "/basic-auths/bob-b", map[string]any{"tags": []string{"t"}})
	if patched["password"] != basic["password"] {
		t.Errorf("PATCH without password re-hashed it: %v", patched["password"])
	}

	n.mustAdmin(204, "DELETE", "/consumers/bob", nil)
	n.mustAdmin(404, "GET", "/key-auths/"+generated["key"].(string), nil)
	n.mustAdmin(404, "GET", "/basic-auths/bob-b", nil)
}

// TestPluginPrecedence checks that a route instance beats the global one
// and that a disabled route instance does not hide it.
func TestPluginPrecedence(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "a", "paths": []string{"/a"}})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "b", "paths": []string{"/b"}})
	n.mustAdmin(201, "POST", "/plugins", map[string]any{"name": "key-auth", "config": map[string]any{"realm": "global"}})
	routeLevel := n.mustAdmin(201, "POST", "/routes/a/plugins", map[string]any{"name": "key-auth", "enabled": false,
		"config": map[string]any{"realm": "route-a"}})

	n.waitStatus(401, "/b")
	for _, path := range []string{"/a", "/b"} {
		_, _, h := n.proxyStatus(path)
		if got := h.Get("WWW-Authenticate"); got != `Key realm="global"` {
			t.Errorf("%s with disabled route instance: WWW-Authenticate %q", path, got)
		}
	}
	n.mustAdmin(200, "PATCH", "/plugins/"+routeLevel["id"].(string), map[string]any{"enabled": true})
	waitFor(t, 3*time.Second, "route instance", func() bool {
		_, _, h := n.proxyStatus("/a")
		return h.Get("WWW-Authenticate") == `Key realm="route-a"`
	})
	if _, _, h := n.proxyStatus("/b"); h.Get("WWW-Authenticate") != `Key realm="global"` {
		t.Errorf("/b: WWW-Authenticate %q", h.Get("WWW-Authenticate"))
	}
}

// TestBasicAuthAndAnonymous covers basic-auth and the anonymous fallback
// of key-auth.
func TestBasicAuthAndAnonymous(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "basic", "paths": []string{"/basic"}})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "open", "paths": []string{"/open"}})
	n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "carol"})
	guest := n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "guest"})
	cred := n.mustAdmin(201, "POST", "/consumers/carol/basic-auth", map[string]any{"username": "carol-b", "password": "pa:ss"})
	n.mustAdmin(201, "POST", "/routes/basic/plugins", map[string]any{"name": "basic-auth"})
	n.mustAdmin(201, "POST", "/routes/open/plugins", map[string]any{"name": "key-auth", "config": map[string]any{"anonymous": "guest"}})

	n.waitStatus(401, "/basic")
	status, body, h := n.proxyStatus("/basic")
	if status != 401 || errorMessage(t, body) != "Unauthorized" || h.Get("WWW-Authenticate") != `Basic realm="service"` {
		t.Errorf("no credentials: %d %q %v", status, body, h)
	}
	bad := "Basic " + base64.StdEncoding.EncodeToString([]byte("carol-b:wrong"))
	if status, _, _ := n.proxyStatus("/basic", "Authorization", bad); status != 401 {
		t.Errorf("wrong password: %d", status)
	}
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte("carol-b:pa:ss"))
	e := readEcho(t, n.get("/basic", "Authorization", good))
	if got := http.Header(e.Headers).Get("X-Credential-Identifier"); got != "carol-b" {
		t.Errorf("X-Credential-Identifier = %q (credential %v)", got, cred["id"])
	}

	e = readEcho(t, n.get("/open"))
	uh := http.Header(e.Headers)
	if uh.Get("X-Consumer-Id") != guest["id"] || uh.Get("X-Anonymous-Consumer") != "true" || uh.Get("X-Credential-Identifier") != "" {
		t.Errorf("anonymous headers: %v", uh)
	}
}

// TestGoKongPlugins drives consumers, key-auth credentials and plugins
// through go-kong.
func TestGoKongPlugins(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	c := kongClient(t, n)
	ctx := ctx(t)

	svc, err := c.Services.Create(ctx, &kong.Service{Name: kong.String("gk"), URL: kong.String(up.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Routes.CreateInService(ctx, svc.ID, &kong.Route{Paths: kong.StringSlice("/gk")}); err != nil {
		t.Fatal(err)
	}
	consumer, err := c.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("dave"), CustomID: kong.String("d-1")})
	if err != nil {
		t.Fatal(err)
	}
	ka, err := c.KeyAuths.Create(ctx, consumer.ID, &kong.KeyAuth{Key: kong.String("dave-key"), Tags: kong.StringSlice("x")})
	if err != nil {
		t.Fatal(err)
	}
	if *ka.Key != "dave-key" || ka.Consumer == nil || *ka.Consumer.ID != *consumer.ID {
		t.Errorf("key-auth = %+v", ka)
	}
	generated, err := c.KeyAuths.Create(ctx, consumer.ID, &kong.KeyAuth{})
	if err != nil {
		t.Fatal(err)
	}
	if generated.Key == nil || len(*generated.Key) != 32 {
		t.Errorf("generated key = %v", generated.Key)
	}
	p, err := c.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("key-auth"), Service: &kong.Service{ID: svc.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Config["key_in_header"] != true || p.Config["realm"] != nil {
		t.Errorf("plugin config = %v", p.Config)
	}
	keys, err := c.KeyAuths.ListAll(ctx)
	if err != nil || len(keys) != 2 {
		t.Errorf("ListAll = %d keys, %v", len(keys), err)
	}

	n.waitStatus(401, "/gk")
	e := readEcho(t, n.get("/gk", "apikey", "dave-key"))
	if got := http.Header(e.Headers).Get("X-Consumer-Custom-Id"); got != "d-1" {
		t.Errorf("X-Consumer-Custom-ID = %q", got)
	}
	if err := c.Consumers.Delete(ctx, consumer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.KeyAuths.Get(ctx, consumer.ID, ka.ID); !kong.IsNotFoundErr(err) {
		t.Errorf("credential after consumer delete: %v", err)
	}
	waitFor(t, 3*time.Second, "key revoked", func() bool {
		status, _, _ := n.proxyStatus("/gk", "apikey", "dave-key")
		return status == 401
	})
}
