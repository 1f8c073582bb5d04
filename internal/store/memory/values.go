package memory

import (
	"encoding/json"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
)

// normalize returns an independent copy of obj in the form a JSON round
// trip yields: every number a float64, every list a []any, every object a
// map[string]any. Common Go types are converted directly; anything else
// goes through encoding/json.
func normalize(obj entity.Object) (entity.Object, error) {
	out := make(entity.Object, len(obj))
	for k, v := range obj {
		nv, err := normalizeValue(v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		out[k] = nv
	}
	return out, nil
}

func normalizeValue(v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool, float64:
		return t, nil
	case int:
		return float64(t), nil
	case int64:
		return float64(t), nil
	case int32:
		return float64(t), nil
	case float32:
		return float64(t), nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ne, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = ne
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			ne, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = ne
		}
		return out, nil
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return out, nil
}

// clone returns a deep copy of a stored (already normalized) object, so
// that callers may change what they get without touching the store.
func clone(obj entity.Object) entity.Object {
	if obj == nil {
		return nil
	}
	out := make(entity.Object, len(obj))
	for k, v := range obj {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
