package entity

import "testing"

// checkedPlugin registers a plugin with plugin-level entity checks over
// its config and returns a plugins schema describing it.
func checkedPlugin(t *testing.T) *Schema {
	t.Helper()
	const name = "test-entity-checks"
	if len(pluginEntityChecks(name)) == 0 {
		RegisterPluginEntityChecks(name,
			EntityCheck{Kind: CheckExactlyOneOf, Fields: []string{"config.allow", "config.deny"}},
			EntityCheck{Kind: CheckAtLeastOneOf, Fields: []string{"config.allow", "config.deny"}},
			ConditionalCheck("config.mode", valueIn("strict"), "config.limits.max", MatchRequired,
				map[string]any{"if_field": "config.mode", "then_field": "config.limits.max"}),
		)
	}
	config := &Field{Name: "config", Type: TypeRecord, Required: true, Fields: []*Field{
		{Name: "allow", Type: TypeArray, Elements: &Field{Type: TypeString}},
		{Name: "deny", Type: TypeArray, Elements: &Field{Type: TypeString}},
		{Name: "mode", Type: TypeString},
		{Name: "limits", Type: TypeRecord, Required: true, Fields: []*Field{{Name: "max", Type: TypeNumber}}},
		{Name: "echo", Type: TypeBoolean},
	}, Check: func(v any) string {
		if cfg, _ := v.(map[string]any); cfg["echo"] == true && cfg["mode"] != nil {
			return "echo cannot be used with mode"
		}
		return ""
	}}
	return PluginsWith(func(n string) (PluginDef, bool) {
		return PluginDef{Config: config}, n == name
	})
}

func TestPluginEntityChecks(t *testing.T) {
	s := checkedPlugin(t)
	const pre = `{"name":"test-entity-checks","config":`
	tests := []struct {
		name   string
		config string
		msg    string
		fields map[string]any
	}{
		{"valid", `{"allow":["a"]}`, "", nil},
		{"neither list", `{}`,
			"2 schema violations (exactly one of these fields must be non-empty: 'config.allow', 'config.deny'; " +
				"at least one of these fields must be non-empty: 'config.allow', 'config.deny')",
			map[string]any{"@entity": []any{
				"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'",
				"at least one of these fields must be non-empty: 'config.allow', 'config.deny'"}}},
		{"both lists", `{"allow":["a"],"deny":["b"]}`,
			"schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')",
			map[string]any{"@entity": []any{"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"}}},
		{"conditional on nested path", `{"allow":["a"],"mode":"strict"}`,
			"2 schema violations (failed conditional validation given value of field 'config.mode'; " +
				"config.limits: {max=\"required field missing\"})",
			map[string]any{"@entity": []any{"failed conditional validation given value of field 'config.mode'"},
				"config": map[string]any{"limits": map[string]any{"max": "required field missing"}}}},
		{"conditional merges with field errors", `{"allow":[1],"mode":"strict"}`, "",
			map[string]any{"@entity": []any{"failed conditional validation given value of field 'config.mode'"},
				"config": map[string]any{"allow": []any{"expected a string"},
					"limits": map[string]any{"max": "required field missing"}}}},
		{"record custom validator", `{"allow":["a"],"mode":"lax","echo":true}`,
			"schema violation (config: echo cannot be used with mode)",
			map[string]any{"config": "echo cannot be used with mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Process(obj(t, pre+tt.config+"}"), OpInsert, nil)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("rejected: %s", err.Message)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.msg != "" && err.Message != tt.msg {
				t.Errorf("message %q\n want %q", err.Message, tt.msg)
			}
			if !jsonEqual(err.Fields, tt.fields) {
				t.Errorf("fields %v\n want %v", err.Fields, tt.fields)
			}
		})
	}
}

func TestPluginEntityChecksAdvertised(t *testing.T) {
	doc, ok := checkedPlugin(t).PluginJSON("test-entity-checks")
	if !ok {
		t.Fatal("no document")
	}
	want := []any{
		map[string]any{"only_one_of": []any{"config.allow", "config.deny"}},
		map[string]any{"at_least_one_of": []any{"config.allow", "config.deny"}},
		map[string]any{"conditional": map[string]any{"if_field": "config.mode", "then_field": "config.limits.max"}},
	}
	if !jsonEqual(doc["entity_checks"], want) {
		t.Errorf("entity_checks %v\n want %v", doc["entity_checks"], want)
	}
	if doc, _ := PluginsWith(func(string) (PluginDef, bool) { return PluginDef{}, true }).PluginJSON("unchecked"); !jsonEqual(doc["entity_checks"], []any{}) {
		t.Errorf("plugin without checks advertises %v", doc["entity_checks"])
	}
}
