package entity

import (
	"strconv"
	"strings"
)

// CoerceForm converts a body decoded from form-urlencoded or multipart
// data (string leaves, []any of strings, nested maps) to the schema's
// types: "" becomes null, numbers and booleans ("true"/"false" only) are
// parsed, scalars given to array/set fields become one-element arrays,
// maps and records are coerced recursively. Values that do not convert
// are left for validation to report; unknown keys are left as is.
func (s *Schema) CoerceForm(in Object) Object {
	out := make(Object, len(in))
	fields := s.Fields
	if s.Plugin != nil {
		if name, ok := in["name"].(string); ok {
			fields, _ = s.pluginFields(name, map[string]any{})
		}
	}
	for k, v := range in {
		if f := findField(fields, k); f != nil {
			out[k] = coerceValue(f, v)
		} else if k == "ttl" && s.TTL {
			out[k] = coerceScalar(TypeNumber, v)
		} else {
			out[k] = v
		}
	}
	return out
}

func coerceValue(f *Field, v any) any {
	if v == "" {
		return nil
	}
	switch f.Type {
	case TypeArray, TypeSet:
		list, ok := v.([]any)
		if !ok {
			if _, isMap := v.(map[string]any); isMap {
				return v
			}
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, e := range list {
			if f.Elements != nil {
				out[i] = coerceValue(f.Elements, e)
			} else {
				out[i] = e
			}
		}
		return out
	case TypeMap:
		m, ok := v.(map[string]any)
		if !ok || f.Values == nil {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = coerceValue(f.Values, e)
		}
		return out
	case TypeRecord:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if sub := findField(f.Fields, k); sub != nil {
				out[k] = coerceValue(sub, e)
			} else {
				out[k] = e
			}
		}
		return out
	case TypeForeign:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if e == "" {
				e = nil
			}
			out[k] = e
		}
		return out
	}
	return coerceScalar(f.Type, v)
}

// coerceScalar converts one string to a number or boolean field value.
func coerceScalar(t Type, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch t {
	case TypeInteger, TypeNumber:
		if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return n
		}
	case TypeBoolean:
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return s
}
