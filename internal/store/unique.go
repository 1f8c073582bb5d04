package store

import (
	"encoding/json"
	"strings"

	"github.com/straitgw/strait/internal/entity"
)

// UniqueKey is one value an object claims under a unique constraint of its
// schema. Backends keep one index entry per key: two objects of the same
// entity type may not share a (Field, Value) pair.
type UniqueKey struct {
	// Field names the constraint: the field name for single-field unique
	// fields, the comma-joined field names for a UniqueTogether set.
	Field string
	// Value is the canonical encoding of the value (see UniqueValue and
	// UniqueTogetherValue).
	Value string
	// Fields is the key as reported in a unique violation:
	// {"name": "foo"}, or every field of a UniqueTogether set with
	// foreign keys as {"id": "..."} and nulls included.
	Fields map[string]any
}

// UniqueKeys returns the keys obj claims: one per single-field unique field
// with a non-null value (schema order), then one per UniqueTogether set,
// nulls included. A one-field UniqueTogether set behaves as a single unique
// field (a null claims nothing) and is listed once.
func UniqueKeys(s *entity.Schema, obj entity.Object) []UniqueKey {
	var out []UniqueKey
	single := func(name string) {
		if v := obj[name]; v != nil && !containsField(out, name) {
			out = append(out, UniqueKey{Field: name, Value: UniqueValue(v),
				Fields: map[string]any{name: v}})
		}
	}
	for _, name := range s.UniqueFields() {
		single(name)
	}
	for _, set := range s.UniqueTogether {
		if len(set) == 1 {
			single(set[0])
			continue
		}
		name := strings.Join(set, ",")
		if containsField(out, name) {
			continue
		}
		fields := make(map[string]any, len(set))
		values := make([]any, len(set))
		for i, f := range set {
			v := obj[f]
			if fd := s.Field(f); fd != nil && fd.Type == entity.TypeForeign {
				v = normalizeForeign(v)
			}
			fields[f] = v
			values[i] = v
		}
		out = append(out, UniqueKey{Field: name, Value: UniqueTogetherValue(values),
			Fields: fields})
	}
	return out
}

// UniqueValue is the canonical encoding of a single unique field's value:
// strings as they are, foreign keys as their id, anything else as JSON.
// GetBy looks string values up with the same encoding.
func UniqueValue(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		if id, ok := ForeignID(t); ok {
			return id
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "" // only JSON-decoded values reach the store
	}
	return string(raw)
}

// UniqueTogetherValue is the canonical encoding of a UniqueTogether
// combination: the JSON array of its values in constraint order (foreign
// keys given as {"id": "..."}, nulls kept). encoding/json sorts map keys, so
// equal combinations always encode to the same string.
func UniqueTogetherValue(values []any) string {
	raw, err := json.Marshal(values)
	if err != nil {
		return ""
	}
	return string(raw)
}

// normalizeForeign reduces a foreign-key value carrying more than its
// primary key to {"id": "..."}; other values are returned unchanged.
func normalizeForeign(v any) any {
	if m, ok := v.(map[string]any); ok {
		if id, ok := ForeignID(m); ok && len(m) != 1 {
			return map[string]any{"id": id}
		}
	}
	return v
}

func containsField(keys []UniqueKey, field string) bool {
	for _, k := range keys {
		if k.Field == field {
			return true
		}
	}
	return false
}
