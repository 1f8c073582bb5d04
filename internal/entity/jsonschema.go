package entity

// JSON renders the schema as GET /schemas/{name} returns it:
// {"fields":[{"<name>":{attributes}}, ...], "entity_checks":[...]}.
// Defaults are exactly those Process fills.
func (s *Schema) JSON() map[string]any {
	return map[string]any{"fields": fieldsJSON(s.Fields), "entity_checks": checksJSON(s.Checks)}
}

func fieldsJSON(fields []*Field) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		out = append(out, map[string]any{f.Name: fieldJSON(f)})
	}
	return out
}

func checksJSON(checks []EntityCheck) []any {
	out := make([]any, 0, len(checks))
	for _, c := range checks {
		if c.JSON != nil {
			out = append(out, deepCopy(c.JSON))
		} else if len(c.Fields) > 0 {
			out = append(out, map[string]any{c.Kind: stringsToAny(c.Fields)})
		}
	}
	return out
}

// fieldJSON lists the attributes of one field a client needs.
func fieldJSON(f *Field) map[string]any {
	m := map[string]any{"type": string(f.Type)}
	setIf := func(cond bool, key string, v any) {
		if cond {
			m[key] = v
		}
	}
	setIf(f.Required, "required", true)
	setIf(f.Default != nil, "default", deepCopy(f.Default))
	setIf(f.Default == nil && f.HasDefault, "default", nil)
	setIf(f.Unique, "unique", true)
	setIf(f.Auto, "auto", true)
	setIf(f.UUID, "uuid", true)
	setIf(f.Timestamp, "timestamp", true)
	setIf(f.Immutable, "immutable", true)
	setIf(f.Abstract, "abstract", true)
	setIf(f.Reference != "", "reference", f.Reference)
	setIf(f.OnDelete == Cascade, "on_delete", string(f.OnDelete))
	setIf(f.OneOf != nil, "one_of", deepCopy(f.OneOf))
	setIf(f.Gt != nil, "gt", derefFloat(f.Gt))
	if f.Between != nil {
		m["between"] = []any{f.Between[0], f.Between[1]}
	}
	setIf(f.LenMin > 0, "len_min", float64(f.LenMin))
	setIf(f.LenMax > 0, "len_max", float64(f.LenMax))
	setIf(f.StartsWith != "", "starts_with", f.StartsWith)
	for key, sub := range map[string]*Field{"elements": f.Elements, "keys": f.Keys, "values": f.Values} {
		if sub != nil {
			m[key] = fieldJSON(sub)
		}
	}
	if f.Type == TypeRecord && f.Fields != nil {
		m["fields"] = fieldsJSON(f.Fields)
	}
	setIf(len(f.Checks) > 0, "entity_checks", checksJSON(f.Checks))
	for k, v := range f.Extra {
		m[k] = deepCopy(v)
	}
	return m
}

func derefFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
