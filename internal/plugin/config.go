package plugin

import (
	"encoding/json"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
)

// FillDefaults returns a copy of config in which every sub-field of the
// record schema that is absent takes its default. Absent required records
// without a default are built from their own sub-field defaults; present
// records are filled recursively. Values present in config, including
// null, are kept. config itself is not modified.
func FillDefaults(schema *entity.Field, config entity.Object) entity.Object {
	out := make(entity.Object, len(schema.Fields))
	for k, v := range config {
		out[k] = v
	}
	for _, f := range schema.Fields {
		v, present := out[f.Name]
		switch {
		case !present:
			out[f.Name] = defaultOf(f)
		case f.Type == entity.TypeRecord:
			if m, ok := v.(map[string]any); ok {
				out[f.Name] = FillDefaults(f, m)
			}
		}
	}
	return out
}

// defaultOf is the value an absent field takes.
func defaultOf(f *entity.Field) any {
	if f.Default != nil {
		return deepCopy(f.Default)
	}
	if f.Type == entity.TypeRecord && f.Required && !f.HasDefault {
		return FillDefaults(f, nil)
	}
	return nil
}

// deepCopy copies JSON-shaped maps and slices so that defaults shared by
// a schema are never aliased by instances.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	case []string:
		return append([]string(nil), t...)
	}
	return v
}

// DecodeConfig decodes a config object into the typed configuration T by
// way of its JSON form, so T's fields use json tags named like the schema
// fields. Keys without a matching field are ignored. It is meant for
// Plugin.New, which runs once per instance.
func DecodeConfig[T any](config entity.Object) (T, error) {
	var out T
	raw, err := json.Marshal(config)
	if err != nil {
		return out, fmt.Errorf("encode plugin config: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decode plugin config: %w", err)
	}
	return out, nil
}
