package entity

import (
	"encoding/json"
	"testing"
)

// minimalInputs are valid bodies that leave every defaulted field absent.
var minimalInputs = map[string]string{
	"services":  `{"host":"a.test"}`,
	"routes":    `{"paths":["/"]}`,
	"consumers": `{"username":"u"}`,
	"plugins":   `{"name":"p"}`,
	"upstreams": `{"name":"up"}`,
	"targets":   `{"target":"a.test","upstream":{"id":"` + testUUID + `"}}`,
	"snis":      `{"name":"a.test","certificate":{"id":"` + testUUID + `"}}`,
}

// TestJSONDefaultsMatchProcess checks that every default advertised in
// /schemas equals what Process fills, recursively through records.
func TestJSONDefaultsMatchProcess(t *testing.T) {
	for name, in := range minimalInputs {
		s := Core().Get(name)
		out := mustProcess(t, s, in, OpInsert, nil)
		doc := roundTrip(t, s.JSON())
		compareDefaults(t, name, doc["fields"].([]any), out)
	}
}

func compareDefaults(t *testing.T, path string, fields []any, out map[string]any) {
	t.Helper()
	for _, entry := range fields {
		for fname, raw := range entry.(map[string]any) {
			attrs := raw.(map[string]any)
			value, present := out[fname]
			if !present {
				t.Errorf("%s.%s: missing from Process output", path, fname)
				continue
			}
			if def, has := attrs["default"]; has && !jsonEqual(def, value) {
				t.Errorf("%s.%s: /schemas default %v, Process filled %v", path, fname, def, value)
			}
			if sub, ok := attrs["fields"].([]any); ok {
				if rec, isMap := value.(map[string]any); isMap {
					compareDefaults(t, path+"."+fname, sub, rec)
				}
			}
		}
	}
}

func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJSONAttributes(t *testing.T) {
	tests := []struct {
		schema *Schema
		field  string
		want   string
	}{
		{Services, "id", `{"type":"string","uuid":true,"auto":true}`},
		{Services, "created_at", `{"type":"integer","timestamp":true,"auto":true}`},
		{Services, "port", `{"type":"integer","required":true,"default":80,"between":[0,65535]}`},
		{Services, "tls_verify_depth", `{"type":"integer","default":null,"between":[0,64]}`},
		{Services, "client_certificate", `{"type":"foreign","reference":"certificates"}`},
		{Routes, "protocols", `{"type":"set","required":true,"default":["http","https"],"len_min":1,
			"elements":{"type":"string","one_of":["grpc","grpcs","http","https","tcp","tls","tls_passthrough","udp"]},
			"mutually_exclusive_subsets":[["http","https"],["tcp","tls","udp"],["tls_passthrough"],["grpc","grpcs"]]}`},
		{Routes, "https_redirect_status_code", `{"type":"integer","required":true,"default":426,"one_of":[426,301,302,307,308]}`},
		{Routes, "headers", `{"type":"map","keys":{"type":"string"},"values":{"type":"array","elements":{"type":"string"}}}`},
		{Plugins, "route", `{"type":"foreign","reference":"routes","on_delete":"cascade"}`},
		{Plugins, "config", `{"type":"record","required":true,"abstract":true}`},
		{Plugins, "name", `{"type":"string","required":true}`},
		{Consumers, "username", `{"type":"string","unique":true}`},
	}
	for _, tt := range tests {
		doc := roundTrip(t, tt.schema.JSON())
		var got any
		for _, e := range doc["fields"].([]any) {
			if attrs, ok := e.(map[string]any)[tt.field]; ok {
				got = attrs
			}
		}
		var want any
		if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(got, want) {
			b, _ := json.Marshal(got)
			t.Errorf("%s.%s = %s", tt.schema.Name, tt.field, b)
		}
	}
	checks := roundTrip(t, Consumers.JSON())["entity_checks"]
	if !jsonEqual(checks, []any{map[string]any{"at_least_one_of": []any{"custom_id", "username"}}}) {
		t.Errorf("consumer checks = %v", checks)
	}
}

func TestCoreRegistry(t *testing.T) {
	r := Core()
	var names []string
	for _, s := range r.All() {
		names = append(names, s.Name)
	}
	want := []any{"services", "routes", "consumers", "plugins", "upstreams", "targets", "certificates", "snis", "ca_certificates"}
	if !jsonEqual(names, want) {
		t.Errorf("order = %v", names)
	}
	if r.ByAdminPath("targets") != nil || r.Get("targets").Nested() != "targets" {
		t.Error("targets must only be nested")
	}
	for path, key := range map[string]string{"services": "name", "routes": "name", "consumers": "username",
		"plugins": "instance_name", "upstreams": "name", "snis": "name", "certificates": "", "ca_certificates": ""} {
		if s := r.ByAdminPath(path); s == nil || s.EndpointKey != key {
			t.Errorf("%s endpoint key wrong", path)
		}
	}
	if refs := r.ReferencesTo("services"); len(refs) != 2 {
		t.Errorf("references to services = %d", len(refs))
	}
}
