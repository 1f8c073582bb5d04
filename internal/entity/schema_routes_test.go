package entity

import "testing"

func TestRouteErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty body uses https variant", `{}`,
			"schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')"},
		{"http only", `{"protocols":["http"]}`,
			"schema violation (must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http')"},
		{"empty arrays count as unset", `{"paths":[],"hosts":[]}`,
			"schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')"},
		{"bad protocol", `{"methods":["GET"],"protocols":["foo","http"]}`,
			"schema violation (protocols.1: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)"},
		{"empty protocols", `{"methods":["GET"],"protocols":[]}`, "schema violation (protocols: length must be at least 1)"},
		{"mixed families", `{"paths":["/"],"protocols":["http","tcp"]}`,
			"schema violation (protocols: these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'))"},
		{"path must start with slash", `{"paths":["foo"]}`, "schema violation (paths.1: should start with: / (fixed path) or ~/ (regex path))"},
		{"path empty segment", `{"paths":["/a//b"]}`, "schema violation (paths.1: must not have empty segments)"},
		{"path bad escape", `{"paths":["/a%2"]}`, "schema violation (paths.1: invalid url-encoded value: '%2')"},
		{"path not normalized", `{"paths":["/a/./b"]}`, "schema violation (paths.1: non-normalized path, consider use '/a/b' instead)"},
		{"path escaped unreserved", `{"paths":["/%7euser"]}`, "schema violation (paths.1: non-normalized path, consider use '/~user' instead)"},
		{"path lower-case escape", `{"paths":["/a%2fb"]}`, "schema violation (paths.1: non-normalized path, consider use '/a%2Fb' instead)"},
		{"bad regex", `{"paths":["/ok","~/(a"]}`, "schema violation (paths.2: invalid regex: '/(a' (PCRE returned: missing closing ): `/(a`))"},
		{"two wildcards", `{"hosts":["*.a.*"]}`, "schema violation (hosts.1: invalid wildcard: must have at most one wildcard)"},
		{"inner wildcard", `{"hosts":["a.*.b"]}`, "schema violation (hosts.1: invalid wildcard: must be placed at leftmost or rightmost label)"},
		{"bad host", `{"hosts":["a b"]}`, "schema violation (hosts.1: invalid hostname: a b)"},
		{"bad host port", `{"hosts":["a.test:99999"]}`, "schema violation (hosts.1: invalid port number)"},
		{"host header", `{"headers":{"Host":["a"]}}`,
			"schema violation (headers: cannot contain 'host' header, which must be specified in the 'hosts' attribute)"},
		{"header values must be arrays", `{"headers":{"x-a":"b"}}`, "schema violation (headers: expected an array)"},
		{"lower-case method", `{"methods":["get"]}`, "schema violation (methods.1: invalid value: get)"},
		{"redirect code", `{"paths":["/"],"https_redirect_status_code":303}`,
			"schema violation (https_redirect_status_code: expected one of: 426, 301, 302, 307, 308)"},
		{"path_handling", `{"paths":["/"],"path_handling":"v2"}`, "schema violation (path_handling: expected one of: v0, v1)"},
		{"sources with http", `{"paths":["/"],"sources":[{"ip":"10.0.0.1"}]}`,
			"schema violation (sources: cannot set 'sources' when 'protocols' is 'http' or 'https')"},
		{"snis with http", `{"protocols":["http"],"paths":["/"],"snis":["a.test"]}`,
			"2 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'; snis: length must be 0)"},
		{"sni ip", `{"snis":["10.0.0.1"]}`, "schema violation (snis.1: must not be an IP)"},
		{"tcp needs endpoints", `{"protocols":["tcp"]}`,
			"schema violation (must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp')"},
		{"tcp forbids paths", `{"protocols":["tcp"],"sources":[{"port":80}],"paths":["/"]}`,
			"schema violation (paths: cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp')"},
		{"source needs ip or port", `{"protocols":["tcp"],"sources":[{"ip":"10.0.0.0/8"},{}]}`,
			`schema violation (sources.2: {@entity={"at least one of these fields must be non-empty: 'ip', 'port'"}})`},
		{"bad cidr", `{"protocols":["tcp"],"sources":[{"ip":"10.0.0.0/33"}]}`,
			`schema violation (sources.1: {ip="invalid ip or cidr range: '10.0.0.0/33'"})`},
		{"tls_passthrough needs snis", `{"protocols":["tls_passthrough"]}`,
			"schema violation (must set snis when 'protocols' is 'tls_passthrough')"},
		{"grpc forbids strip_path", `{"protocols":["grpc"],"paths":["/"],"strip_path":true}`,
			"schema violation (strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs')"},
		{"grpcs needs", `{"protocols":["grpcs"]}`,
			"schema violation (must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs')"},
		{"service as string", `{"paths":["/"],"service":"svc"}`, "schema violation (service.id: missing primary key)"},
		{"service without id", `{"paths":["/"],"service":{"name":null}}`, "schema violation (service.id: missing primary key)"},
		{"expression is unknown", `{"paths":["/"],"expression":"x"}`, "schema violation (expression: unknown field)"},
		{"string boolean", `{"paths":["/"],"strip_path":"true"}`, "schema violation (strip_path: expected a boolean)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processErr(t, Routes, tt.in, OpInsert, nil); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRouteValid(t *testing.T) {
	tests := []string{
		`{"paths":["/mock"]}`,
		`{"paths":["~/v[0-9]+/(?P<rest>.*)$","/a%2Fb","/"]}`,
		`{"hosts":["*.example.test","example.*","a.test:8080","10.0.0.1","[::1]:80"]}`,
		`{"headers":{"x-version":["v1","~*v2"]}}`,
		`{"methods":["GET","POST"]}`,
		`{"snis":["*.a.test"]}`,
		`{"protocols":["tls"],"snis":["a.test"],"destinations":[{"ip":"10.0.0.1","port":443}]}`,
		`{"protocols":["tls_passthrough"],"snis":["a.test"]}`,
		`{"protocols":["grpcs"],"hosts":["a.test"]}`,
		`{"name":"円","paths":["/"]}`,
	}
	for _, in := range tests {
		if got := processErr(t, Routes, in, OpInsert, nil); got != "" {
			t.Errorf("%s: %s", in, got)
		}
	}
}

func TestRouteInsertShape(t *testing.T) {
	out := mustProcess(t, Routes, `{"paths":["/mock"],"service":{"id":"`+testUUID+`","name":"svc"},
		"methods":["GET","GET","POST"]}`, OpInsert, nil)
	want := setOf("id", "created_at", "updated_at", "name", "protocols", "methods", "hosts", "paths", "headers",
		"snis", "sources", "destinations", "https_redirect_status_code", "regex_priority", "strip_path",
		"path_handling", "preserve_host", "request_buffering", "response_buffering", "tags", "service")
	if !jsonEqual(fieldNames(out), want) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	checks := map[string]any{
		"protocols": []any{"http", "https"}, "https_redirect_status_code": 426, "regex_priority": 0,
		"strip_path": true, "path_handling": "v0", "preserve_host": false, "request_buffering": true,
		"response_buffering": true, "service": map[string]any{"id": testUUID}, "methods": []any{"GET", "POST"},
		"hosts": nil, "sources": nil,
	}
	for k, v := range checks {
		if !jsonEqual(out[k], v) {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
}

func TestRouteGRPCDefaults(t *testing.T) {
	out := mustProcess(t, Routes, `{"protocols":["grpc"],"paths":["/svc"]}`, OpInsert, nil)
	if out["strip_path"] != false {
		t.Errorf("grpc strip_path = %v, want false", out["strip_path"])
	}
	sources := mustProcess(t, Routes, `{"protocols":["tcp"],"sources":[{"ip":"10.0.0.1"}]}`, OpInsert, nil)
	if !jsonEqual(sources["sources"], []any{map[string]any{"ip": "10.0.0.1", "port": nil}}) {
		t.Errorf("sources = %v", sources["sources"])
	}
}

func TestRoutePatch(t *testing.T) {
	existing := mustProcess(t, Routes, `{"paths":["/a","/b"],"headers":{"x-a":["1"],"x-b":["2"]}}`, OpInsert, nil)
	out := mustProcess(t, Routes, `{"paths":["/c"],"headers":{"x-c":["3"]}}`, OpUpdate, existing)
	if !jsonEqual(out["paths"], []any{"/c"}) || !jsonEqual(out["headers"], map[string]any{"x-c": []any{"3"}}) {
		t.Errorf("arrays and maps must be replaced: %v %v", out["paths"], out["headers"])
	}
	got := processErr(t, Routes, `{"paths":null,"headers":null}`, OpUpdate, existing)
	if got != "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')" {
		t.Errorf("got %q", got)
	}
}
