package entity

import (
	"encoding/json"
	"testing"
)

func TestSchemaViolationMessage(t *testing.T) {
	tests := []struct {
		name   string
		fields string
		want   string
	}{
		{"single field", `{"host":"required field missing"}`, "schema violation (host: required field missing)"},
		{"sorted fields", `{"path":"should start with: /","host":"required field missing"}`,
			"2 schema violations (host: required field missing; path: should start with: /)"},
		{"array index is 1-based", `{"protocols":["expected one of: a, b",null]}`, "schema violation (protocols.1: expected one of: a, b)"},
		{"entity first", `{"name":"x","@entity":["e1","e2"]}`, "3 schema violations (e1; e2; name: x)"},
		{"nested record", `{"service":{"id":"missing primary key"}}`, "schema violation (service.id: missing primary key)"},
		{"deep nesting as literal", `{"config":{"redis":{"host":"bad"}}}`, `schema violation (config.redis: {host="bad"})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields map[string]any
			if err := json.Unmarshal([]byte(tt.fields), &fields); err != nil {
				t.Fatal(err)
			}
			err := SchemaViolation(fields)
			if err.Message != tt.want {
				t.Errorf("message = %q, want %q", err.Message, tt.want)
			}
			if err.Code != CodeSchemaViolation || err.Name != "schema violation" {
				t.Errorf("code/name = %d/%q", err.Code, err.Name)
			}
		})
	}
}

func TestIsUUID(t *testing.T) {
	tests := map[string]bool{
		testUUID:                               true,
		"7FBD6A7C-40C2-4F1D-8FFD-2BD9D1E4A5D1": true,
		"7fbd6a7c40c24f1d8ffd2bd9d1e4a5d1":     false,
		"7fbd6a7c-40c2-4f1d-8ffd-2bd9d1e4a5dg": false,
		"svc":                                  false,
		"":                                     false,
	}
	for in, want := range tests {
		if got := IsUUID(in); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", in, got, want)
		}
	}
	if id := NewUUID(); !IsUUID(id) {
		t.Errorf("NewUUID() = %q is not a UUID", id)
	}
}
