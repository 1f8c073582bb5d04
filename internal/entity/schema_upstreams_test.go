package entity

import (
	"testing"
	"time"
)

func TestUpstreamShorthands(t *testing.T) {
	tests := []struct {
		in, algorithm, hashOn string
	}{
		{`{"name":"up"}`, "round-robin", "none"},
		{`{"name":"up","algorithm":"least-connections","hash_on":"none"}`, "least-connections", "none"},
		{`{"name":"up","algorithm":"consistent-hashing","hash_on":"none"}`, "round-robin", "none"},
		{`{"name":"up","algorithm":"round-robin","hash_on":"ip"}`, "consistent-hashing", "ip"},
		{`{"name":"up","algorithm":"latency","hash_on":"ip"}`, "latency", "none"},
		{`{"name":"up","hash_on":null}`, "round-robin", "none"},
		{`{"name":"up","algorithm":"consistent-hashing"}`, "consistent-hashing", "none"},
	}
	for _, tt := range tests {
		out := mustProcess(t, Upstreams, tt.in, OpInsert, nil)
		if out["algorithm"] != tt.algorithm || out["hash_on"] != tt.hashOn {
			t.Errorf("%s: algorithm %v hash_on %v, want %s %s", tt.in, out["algorithm"], out["hash_on"], tt.algorithm, tt.hashOn)
		}
	}
	existing := mustProcess(t, Upstreams, `{"name":"up","hash_on":"ip"}`, OpInsert, nil)
	out := mustProcess(t, Upstreams, `{"hash_on":"none"}`, OpUpdate, existing)
	if out["algorithm"] != "round-robin" {
		t.Errorf("PATCH hash_on none: algorithm %v", out["algorithm"])
	}
}

func TestUpstreamErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{}`, "schema violation (name: required field missing)"},
		{`{"name":"1.2.3.4"}`, "schema violation (name: Invalid name ('1.2.3.4'); no ip addresses allowed)"},
		{`{"name":"up:80"}`, "schema violation (name: Invalid name ('up:80'); no port allowed)"},
		{`{"name":"a b"}`, "schema violation (name: Invalid name ('a b'); must be a valid hostname)"},
		{`{"name":"up","hash_on":"header"}`,
			"2 schema violations (failed conditional validation given value of field 'hash_on'; hash_on_header: required field missing)"},
		{`{"name":"up","hash_fallback":"ip"}`,
			"2 schema violations (failed conditional validation given value of field 'hash_on'; hash_fallback: expected one of: none)"},
		{`{"name":"up","hash_on":"consumer","hash_fallback":"consumer"}`,
			"2 schema violations (failed conditional validation given value of field 'hash_on'; hash_fallback: expected one of: none, ip, header, cookie, path, query_arg, uri_capture)"},
		{`{"name":"up","hash_on":"header","hash_on_header":"x-a","hash_fallback":"header","hash_fallback_header":"x-a"}`,
			"schema violation (values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header')"},
		{`{"name":"up","slots":5}`, "schema violation (slots: value should be between 10 and 65536)"},
		{`{"name":"up","healthchecks":{"active":{"timeout":-1}}}`,
			`schema violation (healthchecks.active: {timeout="value should be between 0 and 65535"})`},
		{`{"name":"up","hash_on":"cookie","hash_on_cookie":"a b"}`,
			`schema violation (hash_on_cookie: contains one or more invalid characters. ASCII control characters (0-31;127), space, tab and the characters ()<>@,;:\"/?={}[] are not allowed.)`},
	}
	for _, tt := range tests {
		if got := processErr(t, Upstreams, tt.in, OpInsert, nil); got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func TestUpstreamHealthchecks(t *testing.T) {
	out := mustProcess(t, Upstreams, `{"name":"up","healthchecks":{"active":{"healthy":{"interval":5}}}}`, OpInsert, nil)
	hc := out["healthchecks"].(map[string]any)
	active := hc["active"].(map[string]any)
	if active["healthy"].(map[string]any)["interval"] != float64(5) ||
		!jsonEqual(active["healthy"].(map[string]any)["http_statuses"], []any{200, 302}) ||
		active["timeout"] != float64(1) || active["https_sni"] != nil || hc["threshold"] != float64(0) {
		t.Errorf("partial healthchecks not completed: %v", hc)
	}
	patched := mustProcess(t, Upstreams, `{"healthchecks":{"active":{"timeout":3}}}`, OpUpdate, out)
	pa := patched["healthchecks"].(map[string]any)["active"].(map[string]any)
	if pa["timeout"] != float64(3) || pa["healthy"].(map[string]any)["interval"] != float64(5) {
		t.Errorf("PATCH must deep-merge healthchecks: %v", pa)
	}
	want := setOf("id", "created_at", "updated_at", "name", "algorithm", "hash_on", "hash_fallback", "hash_on_header",
		"hash_fallback_header", "hash_on_cookie", "hash_on_cookie_path", "hash_on_query_arg", "hash_fallback_query_arg",
		"hash_on_uri_capture", "hash_fallback_uri_capture", "slots", "healthchecks", "tags", "host_header",
		"client_certificate", "use_srv_name")
	if !jsonEqual(fieldNames(out), want) {
		t.Errorf("fields = %v", fieldNames(out))
	}
}

func TestTargets(t *testing.T) {
	upstream := `"upstream":{"id":"` + testUUID + `"}`
	tests := []struct{ target, want string }{
		{"10.0.0.1", "10.0.0.1:8000"},
		{"10.0.0.1:80", "10.0.0.1:80"},
		{"example.com", "example.com:8000"},
		{"example.com:1234", "example.com:1234"},
		{"::1", "[::1]:8000"},
		{"[::1]:81", "[::1]:81"},
	}
	for _, tt := range tests {
		out := mustProcess(t, Targets, `{"target":"`+tt.target+`",`+upstream+`}`, OpInsert, nil)
		if out["target"] != tt.want {
			t.Errorf("target %q stored as %v, want %q", tt.target, out["target"], tt.want)
		}
	}
	out := mustProcess(t, Targets, `{"target":"a.test",`+upstream+`}`, OpInsert, nil)
	if !jsonEqual(fieldNames(out), setOf("id", "created_at", "updated_at", "upstream", "target", "weight", "tags")) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	if out["weight"] != float64(100) {
		t.Errorf("weight = %v", out["weight"])
	}
	errs := []struct{ in, want string }{
		{`{"target":"a b",` + upstream + `}`, "schema violation (target: Invalid target ('a b'); not a valid hostname or ip address)"},
		{`{"target":"a.test","weight":70000,` + upstream + `}`, "schema violation (weight: value should be between 0 and 65535)"},
		{`{"target":"a.test"}`, "schema violation (upstream: required field missing)"},
	}
	for _, tt := range errs {
		if got := processErr(t, Targets, tt.in, OpInsert, nil); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTargetTimestampsKeepMilliseconds(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	out, err := Targets.process(obj(t, `{"target":"a.test","upstream":{"id":"`+testUUID+`"}}`), OpInsert, nil, now)
	if err != nil {
		t.Fatal(err.Message)
	}
	want := float64(now.Unix()) + 0.123
	if out["created_at"] != want || out["updated_at"] != want {
		t.Errorf("timestamps %v %v, want %v", out["created_at"], out["updated_at"], want)
	}
	svc, err := Services.process(obj(t, `{"host":"a.test"}`), OpInsert, nil, now)
	if err != nil {
		t.Fatal(err.Message)
	}
	if svc["created_at"] != float64(now.Unix()) {
		t.Errorf("service created_at %v", svc["created_at"])
	}
}
