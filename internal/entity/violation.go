package entity

import (
	"sort"
	"strconv"
	"strings"
)

// entityKey is the Fields key holding entity-level messages.
const entityKey = "@entity"

// SchemaViolation builds the code-2 error for a field error tree. fields
// mirrors the input: strings are messages, maps are nested records, []any
// are arrays positioned by index and "@entity" holds entity messages.
func SchemaViolation(fields map[string]any) *Error {
	items := violationItems(fields)
	var msg string
	if len(items) == 1 {
		msg = "schema violation (" + items[0] + ")"
	} else {
		msg = strconv.Itoa(len(items)) + " schema violations (" + strings.Join(items, "; ") + ")"
	}
	return &Error{Code: CodeSchemaViolation, Name: "schema violation", Message: msg, Fields: fields}
}

// violationItems lists the message parts: entity messages first, then
// every field in sorted order, one level of nesting spelled out.
func violationItems(fields map[string]any) []string {
	var items []string
	items = append(items, entityMessages(fields[entityKey])...)
	for _, k := range sortedKeys(fields) {
		if k == entityKey {
			continue
		}
		switch v := fields[k].(type) {
		case string:
			items = append(items, k+": "+v)
		case map[string]any:
			for _, sub := range sortedKeys(v) {
				items = append(items, k+"."+sub+": "+renderNested(v[sub]))
			}
		case []any:
			for i, e := range v {
				if e != nil {
					items = append(items, k+"."+strconv.Itoa(i+1)+": "+renderNested(e))
				}
			}
		default:
			items = append(items, k+": "+LuaLiteral(v))
		}
	}
	return items
}

func entityMessages(v any) []string {
	switch t := v.(type) {
	case []any:
		out := make([]string, 0, len(t))
		for _, m := range t {
			if s, ok := m.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return t
	case string:
		return []string{t}
	}
	return nil
}

// renderNested prints an error found two levels down: messages as is,
// deeper structures as a Lua literal.
func renderNested(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return LuaLiteral(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addEntityError appends an entity-level message to an error tree.
func addEntityError(errs map[string]any, msg string) {
	list, _ := errs[entityKey].([]any)
	errs[entityKey] = append(list, msg)
}

// mergeErrors copies src into dst: entity messages are appended, records
// failing in both are merged, field errors already present in dst win.
func mergeErrors(dst, src map[string]any) {
	for k, v := range src {
		if k == entityKey {
			for _, m := range entityMessages(v) {
				addEntityError(dst, m)
			}
			continue
		}
		if _, exists := dst[k]; !exists {
			dst[k] = v
			continue
		}
		dsub, dIsMap := dst[k].(map[string]any)
		ssub, sIsMap := v.(map[string]any)
		if dIsMap && sIsMap {
			mergeErrors(dsub, ssub)
		}
	}
}
