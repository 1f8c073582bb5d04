package entity

import "testing"

func TestConsumers(t *testing.T) {
	out := mustProcess(t, Consumers, `{"username":"bob"}`, OpInsert, nil)
	if !jsonEqual(fieldNames(out), setOf("id", "created_at", "updated_at", "username", "custom_id", "tags")) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	tests := []struct {
		name     string
		in       string
		op       Operation
		existing Object
		want     string
	}{
		{"insert needs one", `{}`, OpInsert, nil,
			"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')"},
		{"update prefix", `{"username":null}`, OpUpdate, out,
			"schema violation (when updating, at least one of these fields must be non-empty: 'custom_id', 'username')"},
		{"custom_id only", `{"custom_id":"c1"}`, OpInsert, nil, ""},
		{"number username", `{"username":1}`, OpInsert, nil, "schema violation (username: expected a string)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processErr(t, Consumers, tt.in, tt.op, tt.existing); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPluginsWithoutHook(t *testing.T) {
	out := mustProcess(t, Plugins, `{"name":"key-auth","route":{"id":"`+testUUID+`"},"consumer":{"username":"x","id":"`+testUUID+`"}}`, OpInsert, nil)
	want := setOf("id", "name", "instance_name", "created_at", "updated_at", "route", "service", "consumer",
		"protocols", "enabled", "tags", "config")
	if !jsonEqual(fieldNames(out), want) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	if !jsonEqual(out["config"], map[string]any{}) || !jsonEqual(out["protocols"], []any{"grpc", "grpcs", "http", "https"}) ||
		out["enabled"] != true || !jsonEqual(out["consumer"], map[string]any{"id": testUUID}) {
		t.Errorf("unexpected plugin %v", out)
	}
	tests := []struct{ in, want string }{
		{`{"name":"key-auth","config":"bar"}`, "schema violation (config: expected a record)"},
		{`{}`, "schema violation (name: required field missing)"},
		{`{"name":"x","instance_name":"a b"}`,
			"schema violation (instance_name: invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~)"},
		{`{"name":"x","protocols":["http","ftp"]}`,
			"schema violation (protocols.2: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)"},
	}
	for _, tt := range tests {
		if got := processErr(t, Plugins, tt.in, OpInsert, nil); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
	merged := mustProcess(t, Plugins, `{"config":{"b":{"y":2}}}`, OpUpdate,
		mustProcess(t, Plugins, `{"name":"x","config":{"a":1,"b":{"x":1}}}`, OpInsert, nil))
	if !jsonEqual(merged["config"], map[string]any{"a": 1, "b": map[string]any{"x": 1, "y": 2}}) {
		t.Errorf("config not deep-merged: %v", merged["config"])
	}
}

// keyAuthLike is a plugins schema copy with a hook describing one plugin.
func keyAuthLike() *Schema {
	s := *Plugins
	s.Plugin = func(name string) (PluginDef, bool) {
		if name != "key-auth" {
			return PluginDef{}, false
		}
		return PluginDef{
			Config: &Field{Type: TypeRecord, Fields: []*Field{
				{Name: "key_names", Type: TypeArray, Required: true, Default: []any{"apikey"}, Elements: &Field{Type: TypeString}},
				{Name: "hide_credentials", Type: TypeBoolean, Required: true, Default: false},
				{Name: "anonymous", Type: TypeString},
				{Name: "limits", Type: TypeRecord, Required: true, Fields: []*Field{
					{Name: "minute", Type: TypeNumber},
					{Name: "hour", Type: TypeNumber, Default: float64(60)},
				}},
			}},
			Protocols:  []any{"http", "https"},
			NoConsumer: true,
		}, true
	}
	return &s
}

func TestPluginsWithHook(t *testing.T) {
	s := keyAuthLike()
	out := mustProcess(t, s, `{"name":"key-auth"}`, OpInsert, nil)
	wantConfig := map[string]any{"key_names": []any{"apikey"}, "hide_credentials": false, "anonymous": nil,
		"limits": map[string]any{"minute": nil, "hour": 60}}
	if !jsonEqual(out["config"], wantConfig) || !jsonEqual(out["protocols"], []any{"http", "https"}) {
		t.Errorf("config %v protocols %v", out["config"], out["protocols"])
	}
	patched := mustProcess(t, s, `{"config":{"limits":{"minute":5}}}`, OpUpdate, out)
	if !jsonEqual(patched["config"].(map[string]any)["limits"], map[string]any{"minute": 5, "hour": 60}) {
		t.Errorf("patched config = %v", patched["config"])
	}
	tests := []struct{ in, want string }{
		{`{"name":"nope"}`, "schema violation (name: plugin 'nope' not enabled; add it to the 'plugins' configuration property)"},
		{`{"name":"key-auth","config":{"foo":1}}`, "schema violation (config.foo: unknown field)"},
		{`{"name":"key-auth","consumer":{"id":"` + testUUID + `"}}`, "schema violation (consumer: value must be null)"},
		{`{"name":"key-auth","config":{"hide_credentials":"yes"}}`, "schema violation (config.hide_credentials: expected a boolean)"},
	}
	for _, tt := range tests {
		if got := processErr(t, s, tt.in, OpInsert, nil); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
	doc, ok := s.PluginJSON("key-auth")
	if !ok {
		t.Fatal("PluginJSON not found")
	}
	fields := doc["fields"].([]any)
	if len(fields) != 3 {
		t.Fatalf("plugin schema fields = %v", fields)
	}
	protocols := fields[1].(map[string]any)["protocols"].(map[string]any)
	if !jsonEqual(protocols["default"], []any{"http", "https"}) {
		t.Errorf("protocols default = %v", protocols["default"])
	}
	if _, ok := s.PluginJSON("nope"); ok {
		t.Error("unknown plugin must not render")
	}
}
