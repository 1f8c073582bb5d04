package admin

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestRootInfo(t *testing.T) {
	api := newTestAPI(t)
	r := call(t, api, "GET", "/", "", "")
	if r.status != 200 || !strings.Contains(r.raw, `"enabled_in_cluster":[]`) {
		t.Fatalf("GET /: %d %s", r.status, r.raw)
	}
	if r.header.Get("Server") != "kong/3.10.0" {
		t.Errorf("Server = %q", r.header.Get("Server"))
	}
	info := r.json()
	for key, want := range map[string]any{
		"tagline": "Welcome to kong", "version": testVersion, "edition": "community",
		"hostname": "test-node", "node_id": "0b9c4b0e-7a55-4bb7-9e55-0f2b8a4c1e11",
	} {
		if info[key] != want {
			t.Errorf("%s = %v, want %v", key, info[key], want)
		}
	}
	if _, ok := info["lua_version"].(string); !ok {
		t.Errorf("lua_version = %v", info["lua_version"])
	}
	conf := info["configuration"].(map[string]any)
	if conf["database"] != "sqlite" || conf["router_flavor"] != "traditional_compatible" || conf["admin_listen"] == nil {
		t.Errorf("configuration = %v", conf)
	}
	avail := info["plugins"].(map[string]any)["available_on_server"].(map[string]any)
	if !reflect.DeepEqual(avail["key-auth"], map[string]any{"version": testVersion, "priority": 1250.0}) {
		t.Errorf("available_on_server = %v", avail)
	}
	pids := info["pids"].(map[string]any)
	if _, ok := pids["master"].(float64); !ok || len(pids["workers"].([]any)) == 0 {
		t.Errorf("pids = %v", pids)
	}
}

func TestStatus(t *testing.T) {
	api := newTestAPI(t)
	st := mustCall(t, api, "GET", "/status", "", "", 200)
	if !reflect.DeepEqual(st["database"], map[string]any{"reachable": true}) {
		t.Errorf("database = %v", st["database"])
	}
	vm := st["memory"].(map[string]any)["workers_lua_vms"].([]any)[0].(map[string]any)
	if !regexp.MustCompile(`^\d+\.\d\d MiB$`).MatchString(vm["http_allocated_gc"].(string)) {
		t.Errorf("http_allocated_gc = %v", vm["http_allocated_gc"])
	}
	server := st["server"].(map[string]any)
	if server["total_requests"].(float64) < 1 {
		t.Errorf("server = %v", server)
	}
	for _, k := range []string{"connections_accepted", "connections_active", "connections_handled",
		"connections_reading", "connections_waiting", "connections_writing"} {
		if _, ok := server[k].(float64); !ok {
			t.Errorf("server.%s missing", k)
		}
	}

	tests := []struct {
		query, pattern string
	}{
		{"unit=k&scale=0", `^\d+ KiB$`},
		{"unit=G&scale=4", `^\d+\.\d{4} GiB$`},
	}
	for _, tc := range tests {
		st := mustCall(t, api, "GET", "/status?"+tc.query, "", "", 200)
		vm := st["memory"].(map[string]any)["workers_lua_vms"].([]any)[0].(map[string]any)
		if !regexp.MustCompile(tc.pattern).MatchString(vm["http_allocated_gc"].(string)) {
			t.Errorf("%s: %v", tc.query, vm["http_allocated_gc"])
		}
	}
	st = mustCall(t, api, "GET", "/status?unit=b", "", "", 200)
	vm = st["memory"].(map[string]any)["workers_lua_vms"].([]any)[0].(map[string]any)
	if _, ok := vm["http_allocated_gc"].(float64); !ok {
		t.Errorf("unit=b: %v", vm["http_allocated_gc"])
	}

	if r := call(t, api, "GET", "/status?unit=x", "", ""); r.status != 400 || r.raw != `{"message":"invalid unit 'x' (expected 'k/K', 'm/M', or 'g/G')"}` {
		t.Errorf("bad unit: %d %s", r.status, r.raw)
	}
	if r := call(t, api, "GET", "/status?scale=-1", "", ""); r.status != 400 || r.raw != `{"message":"scale must be equal or greater than 0"}` {
		t.Errorf("bad scale: %d %s", r.status, r.raw)
	}

	counted := newTestAPI(t, func(o *Options) {
		o.ServerStats = func() ServerStats { return ServerStats{ConnectionsActive: 3, TotalRequests: 42} }
	})
	st = mustCall(t, counted, "GET", "/status", "", "", 200)
	if s := st["server"].(map[string]any); s["connections_active"] != 3.0 || s["total_requests"] != 42.0 {
		t.Errorf("supplied stats: %v", s)
	}
}

func TestSchemaEndpoints(t *testing.T) {
	api := newTestAPI(t)
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/schemas/nope", "", 404, `{"message":"No entity named 'nope'"}`},
		{"POST", "/schemas/services/validate", `{"host":"a.test"}`, 200, `{"message":"schema validation successful"}`},
		{"POST", "/schemas/routes/validate", `{"paths":["/a"],"service":{"id":"6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1","name":"s"}}`, 200, `{"message":"schema validation successful"}`},
		{"POST", "/schemas/nope/validate", `{}`, 404, `{"message":"No entity named 'nope'"}`},
		{"GET", "/schemas/plugins/nope", "", 404, `{"message":"No plugin named 'nope'"}`},
		{"POST", "/schemas/plugins/validate", `{"name":"nope"}`, 404, `{"message":"No plugin named 'nope'"}`},
		{"POST", "/schemas/plugins/validate", `{"name":"rate-limiting","config":{"minute":1}}`, 200, `{"message":"schema validation successful"}`},
		{"GET", "/plugins/enabled", "", 200, `{"enabled_plugins":["key-auth","rate-limiting"]}`},
	}
	for _, tc := range tests {
		r := call(t, api, tc.method, tc.path, ctJSON, tc.body)
		if r.status != tc.status || r.raw != tc.want {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, r.status, r.raw, tc.status, tc.want)
		}
	}

	for _, name := range []string{"services", "routes", "consumers", "plugins", "upstreams", "targets", "certificates", "snis", "ca_certificates"} {
		doc := mustCall(t, api, "GET", "/schemas/"+name, "", "", 200)
		if _, ok := doc["fields"].([]any); !ok {
			t.Errorf("/schemas/%s has no fields: %v", name, doc)
		}
	}
	invalid := mustCall(t, api, "POST", "/schemas/services/validate", ctJSON, `{"port":"x"}`, 400)
	if invalid["code"] != 2.0 || !strings.Contains(str(invalid, "message"), "host: required field missing") {
		t.Errorf("invalid service: %v", invalid)
	}
	unknown := mustCall(t, api, "POST", "/schemas/plugins/validate", ctJSON, `{"name":"rate-limiting","config":{"garbage":1}}`, 400)
	if str(unknown, "message") != "schema violation (config.garbage: unknown field)" {
		t.Errorf("unknown config field: %v", unknown)
	}
	plugin := mustCall(t, api, "GET", "/schemas/plugins/key-auth", "", "", 200)
	if _, ok := configField(plugin["fields"]); !ok {
		t.Errorf("plugin schema lacks config: %v", plugin)
	}
	cfg := mustCall(t, api, "GET", "/plugins/schema/key-auth", "", "", 200)
	if cfg["type"] != "record" {
		t.Errorf("deprecated plugin schema: %v", cfg)
	}
}

func TestEndpointsList(t *testing.T) {
	api := newTestAPI(t)
	got := mustCall(t, api, "GET", "/endpoints", "", "", 200)
	var paths []string
	for _, p := range got["data"].([]any) {
		paths = append(paths, p.(string))
	}
	if paths[0] != "/" {
		t.Errorf("first endpoint %q", paths[0])
	}
	want := []string{
		"/services/{services}/routes", "/services/{services}/routes/{routes}", "/routes/{routes}/service",
		"/consumers/{consumers}/plugins/{plugins}", "/plugins/{plugins}/consumer",
		"/certificates/{certificates}/snis", "/certificates/{certificates}/services",
		"/services/{services}/client_certificate", "/upstreams/{upstreams}/targets/{targets}",
		"/schemas/plugins/validate", "/status", "/tags/{tags}",
	}
	for _, w := range want {
		found := false
		for _, p := range paths {
			found = found || p == w
		}
		if !found {
			t.Errorf("missing %s", w)
		}
	}
	for _, p := range paths {
		if strings.HasPrefix(p, "/targets") || p == "/snis/{snis}/certificate" {
			t.Errorf("disabled endpoint listed: %s", p)
		}
	}
}
