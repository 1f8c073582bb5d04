package dbless

import (
	"encoding/json"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/straitgw/strait/internal/declarative"
)

// flattenErrors renders validation problems as Kong's flattened_errors:
// one entry per invalid entity (nested entities listed on their own) with
// its type in the singular, its id, name and tags when it declared them,
// its input without nested children, and its field and entity errors.
// Problems with the file's top level are reported only in "fields".
func flattenErrors(problems []declarative.Problem, doc map[string]any) []any {
	out := []any{}
	index := map[string]map[string]any{}
	for _, p := range problems {
		if p.Entity == "" {
			continue
		}
		entry := index[p.Path]
		if entry == nil {
			entry = map[string]any{"entity_type": singular(p.Entity), "errors": []any{}}
			if input := lookup(doc, p.Path); input != nil {
				entry["entity"] = withoutChildren(input)
				if id, ok := input["id"].(string); ok {
					entry["entity_id"] = id
				}
				if tags, ok := input["tags"].([]any); ok {
					entry["entity_tags"] = tags
				}
			}
			if p.Name != "" {
				entry["entity_name"] = p.Name
			}
			index[p.Path] = entry
			out = append(out, entry)
		}
		e := map[string]any{"type": "entity", "message": p.Message}
		if p.Field != "" {
			e = map[string]any{"type": "field", "field": p.Field, "message": p.Message}
		}
		entry["errors"] = append(entry["errors"].([]any), e)
	}
	return out
}

// singular names one entity of a DAO name: "services" → "service".
func singular(name string) string { return strings.TrimSuffix(name, "s") }

// withoutChildren copies an entity's input without its nested lists of
// child entities, which get entries of their own.
func withoutChildren(input map[string]any) map[string]any {
	out := make(map[string]any, len(input))
	for k, v := range input {
		if list, ok := v.([]any); ok && len(list) > 0 {
			if _, isObject := list[0].(map[string]any); isObject {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// lookup finds the object at a problem path such as
// "services[0].routes[1]" in the decoded document, or nil.
func lookup(doc map[string]any, path string) map[string]any {
	var cur any = doc
	for _, seg := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(seg, "[")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[name]
		for rest != "" {
			idxText, after, found := strings.Cut(rest, "]")
			if !found {
				return nil
			}
			idx, err := strconv.Atoi(idxText)
			list, ok := cur.([]any)
			if err != nil || !ok || idx < 0 || idx >= len(list) {
				return nil
			}
			cur = list[idx]
			rest = strings.TrimPrefix(after, "[")
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

// document decodes the submitted configuration for error reporting; nil
// when it cannot be decoded.
func document(src Source) map[string]any {
	if src.Object != nil {
		return src.Object
	}
	var doc map[string]any
	if json.Unmarshal(src.Text, &doc) == nil {
		return doc
	}
	if yaml.Unmarshal(src.Text, &doc) != nil {
		return nil
	}
	return doc
}
