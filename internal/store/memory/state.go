package memory

import (
	"slices"

	"github.com/straitgw/strait/internal/entity"
)

// state is one version of the whole data set. A published state is never
// changed again: a write transaction works on a copy that shares the
// tables it does not touch and owns private copies of those it does.
type state struct {
	tables map[string]*table
}

// table holds the rows of one entity type and their indexes.
type table struct {
	schema *entity.Schema
	// rows maps primary key to the stored (normalized) object. Stored
	// objects are never modified; a write replaces the whole object.
	rows map[string]entity.Object
	// uniques maps "field\x00value" (see store.UniqueKey) to the owner id.
	uniques map[string]string
	// refs maps foreign field, then referenced id, to the ids of the rows
	// of this table holding that reference.
	refs map[string]map[string]map[string]struct{}
	// sorted lists the primary keys in ascending order; nil while a
	// transaction has changed the table since it was last sorted.
	// Published tables are always sorted.
	sorted []string
}

func newTable(s *entity.Schema) *table {
	return &table{schema: s, rows: map[string]entity.Object{}, uniques: map[string]string{},
		refs: map[string]map[string]map[string]struct{}{}, sorted: []string{}}
}

// copyTable returns a copy of t that can be changed without affecting t.
func copyTable(t *table) *table {
	out := &table{schema: t.schema, rows: make(map[string]entity.Object, len(t.rows)),
		uniques: make(map[string]string, len(t.uniques)),
		refs:    make(map[string]map[string]map[string]struct{}, len(t.refs)),
		sorted:  t.sorted}
	for k, v := range t.rows {
		out.rows[k] = v
	}
	for k, v := range t.uniques {
		out.uniques[k] = v
	}
	for field, byTarget := range t.refs {
		m := make(map[string]map[string]struct{}, len(byTarget))
		for target, ids := range byTarget {
			set := make(map[string]struct{}, len(ids))
			for id := range ids {
				set[id] = struct{}{}
			}
			m[target] = set
		}
		out.refs[field] = m
	}
	return out
}

// ids returns the primary keys in ascending order, sorting them first when
// a transaction changed the table.
func (t *table) ids() []string {
	if t.sorted == nil {
		ids := make([]string, 0, len(t.rows))
		for id := range t.rows {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		t.sorted = ids
	}
	return t.sorted
}

// uniqueSlot is the index key of one unique value.
func uniqueSlot(field, value string) string { return field + "\x00" + value }

// addRef records that row id references target through field.
func (t *table) addRef(field, target, id string) {
	byTarget := t.refs[field]
	if byTarget == nil {
		byTarget = map[string]map[string]struct{}{}
		t.refs[field] = byTarget
	}
	ids := byTarget[target]
	if ids == nil {
		ids = map[string]struct{}{}
		byTarget[target] = ids
	}
	ids[id] = struct{}{}
}

// removeRef forgets that row id references target through field.
func (t *table) removeRef(field, target, id string) {
	ids := t.refs[field][target]
	delete(ids, id)
	if len(ids) == 0 {
		delete(t.refs[field], target)
	}
}

// referencing returns the ids of rows whose field references target.
func (t *table) referencing(field, target string) map[string]struct{} {
	return t.refs[field][target]
}
