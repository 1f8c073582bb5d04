package entity

import "testing"

func TestCoerceForm(t *testing.T) {
	tests := []struct {
		name   string
		schema *Schema
		in     Object
		want   Object
	}{
		{"string kept", Services, Object{"name": "foo"}, Object{"name": "foo"}},
		{"empty becomes null", Services, Object{"name": "", "port": ""}, Object{"name": nil, "port": nil}},
		{"integer", Services, Object{"port": "8080"}, Object{"port": 8080}},
		{"fraction kept for validation", Services, Object{"port": "2.5"}, Object{"port": 2.5}},
		{"non-number left as string", Services, Object{"port": "abc"}, Object{"port": "abc"}},
		{"boolean", Services, Object{"enabled": "false", "tls_verify": "true"}, Object{"enabled": false, "tls_verify": true}},
		{"boolean only from true/false", Services, Object{"enabled": "1"}, Object{"enabled": "1"}},
		{"scalar wrapped for array", Routes, Object{"paths": "/a"}, Object{"paths": []any{"/a"}}},
		{"array kept", Routes, Object{"paths": []any{"/a", "/b"}}, Object{"paths": []any{"/a", "/b"}}},
		{"foreign record", Routes, Object{"service": map[string]any{"id": testUUID}}, Object{"service": map[string]any{"id": testUUID}}},
		{"map values wrapped", Routes, Object{"headers": map[string]any{"x-foo": "bar"}},
			Object{"headers": map[string]any{"x-foo": []any{"bar"}}}},
		{"set elements coerced", Routes, Object{"https_redirect_status_code": "301", "sources": map[string]any{"ip": "1.2.3.4"}},
			Object{"https_redirect_status_code": 301, "sources": map[string]any{"ip": "1.2.3.4"}}},
		{"record elements", Routes, Object{"sources": []any{map[string]any{"port": "80"}}},
			Object{"sources": []any{map[string]any{"port": 80}}}},
		{"nested record numbers", Upstreams, Object{"healthchecks": map[string]any{"active": map[string]any{"timeout": "3",
			"healthy": map[string]any{"http_statuses": "200"}}}},
			Object{"healthchecks": map[string]any{"active": map[string]any{"timeout": 3,
				"healthy": map[string]any{"http_statuses": []any{200}}}}}},
		{"unknown kept", Services, Object{"foo": "1"}, Object{"foo": "1"}},
		{"url shorthand kept", Services, Object{"url": "http://a.test"}, Object{"url": "http://a.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.schema.CoerceForm(tt.in); !jsonEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCoerceFormPluginConfig(t *testing.T) {
	s := keyAuthLike()
	got := s.CoerceForm(Object{"name": "key-auth", "config": map[string]any{
		"key_names": "apikey", "hide_credentials": "true", "limits": map[string]any{"minute": "20"}}})
	want := Object{"name": "key-auth", "config": map[string]any{
		"key_names": []any{"apikey"}, "hide_credentials": true, "limits": map[string]any{"minute": 20}}}
	if !jsonEqual(got, want) {
		t.Errorf("got %v", got)
	}
}
