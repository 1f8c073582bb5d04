package store

import (
	"github.com/straitgw/strait/internal/entity"
)

// ForeignRef is one non-null foreign key of an object: Field holds
// {"id": ID} pointing at a row of the schema called Schema.
type ForeignRef struct {
	Field  string
	Schema string
	ID     string
}

// ForeignID returns the primary key held by a foreign-field value
// ({"id": "..."}) and whether there is one.
func ForeignID(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	id, ok := m["id"].(string)
	return id, ok
}

// ForeignRefs returns the non-null foreign keys of obj in field
// declaration order. A non-null value that is not {"id": "<string>"} is a
// foreign key violation, since it cannot name an existing row.
func ForeignRefs(s *entity.Schema, obj entity.Object) ([]ForeignRef, error) {
	var out []ForeignRef
	for _, f := range s.Fields {
		if f.Type != entity.TypeForeign {
			continue
		}
		v := obj[f.Name]
		if v == nil {
			continue
		}
		id, ok := ForeignID(v)
		if !ok {
			key, isMap := v.(map[string]any)
			if !isMap {
				key = map[string]any{"id": v}
			}
			return nil, entity.ForeignKeyViolation(f.Name, f.Reference, key)
		}
		out = append(out, ForeignRef{Field: f.Name, Schema: f.Reference, ID: id})
	}
	return out, nil
}
