package declarative

import (
	"sort"

	"github.com/straitgw/strait/internal/entity"
)

// levels assigns every schema of reg its dependency level: 0 for schemas
// without foreign keys to other schemas, otherwise one more than the
// deepest schema they reference.
func levels(reg *entity.Registry) map[string]int {
	out := make(map[string]int, len(reg.All()))
	visiting := map[string]bool{}
	var level func(s *entity.Schema) int
	level = func(s *entity.Schema) int {
		if l, ok := out[s.Name]; ok {
			return l
		}
		if visiting[s.Name] {
			return 0
		}
		visiting[s.Name] = true
		l := 0
		for _, f := range s.ForeignFields() {
			ref := reg.Get(f.Reference)
			if ref == nil || ref == s {
				continue
			}
			if rl := level(ref) + 1; rl > l {
				l = rl
			}
		}
		visiting[s.Name] = false
		out[s.Name] = l
		return l
	}
	for _, s := range reg.All() {
		level(s)
	}
	return out
}

// dependencyOrder returns the schemas of reg with parents before the
// children that reference them (registration order within a level).
func dependencyOrder(reg *entity.Registry) []*entity.Schema {
	lv := levels(reg)
	list := append([]*entity.Schema(nil), reg.All()...)
	sort.SliceStable(list, func(i, j int) bool { return lv[list[i].Name] < lv[list[j].Name] })
	return list
}

// childSchemas returns, for a parent schema, the schemas that may be
// nested under it and the foreign field that points back at it.
func childSchemas(reg *entity.Registry, parent *entity.Schema) map[string]string {
	out := map[string]string{}
	for _, ref := range reg.ReferencesTo(parent.Name) {
		if _, seen := out[ref.Schema.Name]; !seen {
			out[ref.Schema.Name] = ref.Field.Name
		}
	}
	return out
}
