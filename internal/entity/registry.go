package entity

// Ref is a foreign-key relation: Schema.Field points at another schema.
type Ref struct {
	Schema *Schema
	Field  *Field
}

// Registry holds the schemas known to a node, in registration order.
type Registry struct {
	list   []*Schema
	byName map[string]*Schema
	byPath map[string]*Schema
}

// NewRegistry returns a registry holding the given schemas.
func NewRegistry(schemas ...*Schema) *Registry {
	r := &Registry{byName: map[string]*Schema{}, byPath: map[string]*Schema{}}
	for _, s := range schemas {
		r.Add(s)
	}
	return r
}

// Add registers a schema; a later schema with the same name replaces it.
func (r *Registry) Add(s *Schema) {
	if _, ok := r.byName[s.Name]; !ok {
		r.list = append(r.list, s)
	} else {
		for i, old := range r.list {
			if old.Name == s.Name {
				r.list[i] = s
			}
		}
	}
	r.byName[s.Name] = s
	if s.AdminPath != "" {
		r.byPath[s.AdminPath] = s
	}
}

// Get returns the schema with DAO name name, or nil.
func (r *Registry) Get(name string) *Schema { return r.byName[name] }

// ByAdminPath returns the schema served at /{path}, or nil.
func (r *Registry) ByAdminPath(path string) *Schema { return r.byPath[path] }

// All returns every schema in registration order.
func (r *Registry) All() []*Schema { return r.list }

// ReferencesTo returns the foreign-key fields, across all schemas, that
// point at the schema called name.
func (r *Registry) ReferencesTo(name string) []Ref {
	var out []Ref
	for _, s := range r.list {
		for _, f := range s.Fields {
			if f.Type == TypeForeign && f.Reference == name {
				out = append(out, Ref{Schema: s, Field: f})
			}
		}
	}
	return out
}
