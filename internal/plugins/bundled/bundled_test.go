package bundled_test

import (
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugins/bundled"
)

func TestInstall(t *testing.T) {
	plugins, err := bundled.Registry()
	if err != nil {
		t.Fatal(err)
	}
	reg := entity.Core()
	bundled.Install(reg, plugins)
	if entity.Plugins.Plugin != nil {
		t.Fatal("Install changed the shared Plugins schema")
	}
	for _, name := range []string{"keyauth_credentials", "basicauth_credentials"} {
		if reg.Get(name) == nil {
			t.Errorf("schema %s not registered", name)
		}
	}
	if reg.ByAdminPath("key-auths") == nil || reg.ByAdminPath("basic-auths") == nil {
		t.Error("credential collections not registered")
	}
	s := reg.Get("plugins")
	tests := []struct {
		name    string
		in      entity.Object
		wantErr map[string]any
		check   func(obj entity.Object) bool
	}{
		{name: "defaults", in: entity.Object{"name": "basic-auth"}, check: func(o entity.Object) bool {
			cfg, _ := o["config"].(map[string]any)
			return cfg["realm"] == "service" && cfg["hide_credentials"] == false && len(cfg) == 3
		}},
		{name: "unknown plugin", in: entity.Object{"name": "nope"},
			wantErr: map[string]any{"name": "plugin 'nope' not enabled; add it to the 'plugins' configuration property"}},
		{name: "consumer scope", in: entity.Object{"name": "key-auth", "consumer": map[string]any{"id": "6a9f2b7e-6d64-4e1c-9a3b-2f5e8d7c1a00"}},
			wantErr: map[string]any{"consumer": "value must be null"}},
		{name: "bad key name", in: entity.Object{"name": "key-auth", "config": map[string]any{"key_names": []any{"a b"}}},
			wantErr: map[string]any{"config": map[string]any{"key_names": []any{"bad header name 'a b', allowed characters are A-Z, a-z, 0-9, '_', and '-'"}}}},
	}
	for _, tc := range tests {
		obj, perr := s.Process(tc.in, entity.OpInsert, nil)
		switch {
		case tc.wantErr != nil:
			if perr == nil {
				t.Errorf("%s: accepted %v", tc.name, obj)
				continue
			}
			fields, _ := perr.Fields.(map[string]any)
			for k, want := range tc.wantErr {
				if got := fields[k]; !equalJSON(got, want) {
					t.Errorf("%s: field %s error %#v, want %#v", tc.name, k, got, want)
				}
			}
		case perr != nil:
			t.Errorf("%s: %v", tc.name, perr)
		case !tc.check(obj):
			t.Errorf("%s: %v", tc.name, obj)
		}
	}
	// Every bundled plugin runs at Kong's priority, so ordering matches Kong.
	kong := map[string]int{
		"correlation-id": 100001, "cors": 2000, "jwt": 1450, "key-auth": 1250, "basic-auth": 1100,
		"hmac-auth": 1030, "ip-restriction": 990, "request-size-limiting": 951, "acl": 950,
		"rate-limiting": 910, "request-transformer": 801, "response-transformer": 800,
		"prometheus": 13, "http-log": 12, "file-log": 9, "udp-log": 8, "tcp-log": 7, "syslog": 4,
		"request-termination": 2,
	}
	prios := bundled.Priorities(plugins)
	for name, got := range prios {
		want, known := kong[name]
		if !known {
			t.Errorf("plugin %s has no Kong priority in this table", name)
			continue
		}
		if got != want {
			t.Errorf("%s priority %d, want Kong's %d", name, got, want)
		}
	}
	for name := range kong {
		if _, ok := prios[name]; !ok {
			t.Errorf("bundled plugin %s is missing", name)
		}
	}
	if _, ok := s.PluginJSON("key-auth"); !ok {
		t.Error("no schema document for key-auth")
	}
}

func equalJSON(a, b any) bool {
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for k := range at {
			if !equalJSON(at[k], bt[k]) {
				return false
			}
		}
		return true
	case []any:
		bt, ok := b.([]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for i := range at {
			if !equalJSON(at[i], bt[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
