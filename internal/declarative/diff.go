package declarative

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/straitgw/strait/internal/entity"
)

// Op is the kind of a Change.
type Op string

// Change kinds.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Change is one write needed to turn the current configuration into the
// desired one.
type Change struct {
	Op     Op
	Schema *entity.Schema
	ID     string
	// Old is the current entity (updates and deletes), New the desired
	// one (creates and updates; an update keeps Old's created_at).
	Old, New entity.Object
	// Input is the desired entity as the file wrote it, for schemas that
	// transform values on write (see Config.Inputs); nil otherwise.
	Input entity.Object
}

// wire returns what a remote Admin API must receive for a create or
// update: New, with every value that the schema's write transformation
// produced replaced by the value the file gave, so that the server
// applies the transformation once.
func (c Change) wire() entity.Object {
	if c.Input == nil {
		return c.New
	}
	out := cloneMap(c.New)
	for k, v := range c.Input {
		if _, ok := out[k]; ok && k != "created_at" && !reflect.DeepEqual(out[k], v) {
			out[k] = v
		}
	}
	return out
}

// String names the change: "update routes r1 (<id>)".
func (c Change) String() string {
	obj := c.New
	if obj == nil {
		obj = c.Old
	}
	name := ""
	if c.Schema.EndpointKey != "" {
		if v, ok := obj[c.Schema.EndpointKey].(string); ok {
			name = v + " "
		}
	}
	return fmt.Sprintf("%s %s %s(%s)", c.Op, c.Schema.Name, name, c.ID)
}

// FieldChanges lists, for an update, the fields whose value changes as
// "field: old -> new" in field order.
func (c Change) FieldChanges() []string {
	if c.Op != OpUpdate {
		return nil
	}
	var out []string
	for _, k := range changedFields(c.Schema, c.Old, c.New) {
		out = append(out, fmt.Sprintf("%s: %s -> %s", k, jsonText(c.Old[k]), jsonText(c.New[k])))
	}
	return out
}

// DiffOptions adjusts Diff.
type DiffOptions struct {
	// SelectTags limits the managed entities to those carrying all of
	// these tags: current entities without them are never deleted.
	SelectTags []string
	// Inputs are the desired entities as written (Config.Inputs); each
	// create and update carries its own in Change.Input.
	Inputs map[string]entity.Object
}

// Diff returns the changes that turn current into desired (both by DAO
// name): deletes first, from the most dependent entity types down to the
// independent ones, then creates and updates from the independent types
// up. Entities are matched by id; updates ignore created_at and
// updated_at.
func Diff(reg *entity.Registry, current, desired map[string][]entity.Object, opts DiffOptions) []Change {
	order := dependencyOrder(reg)
	var deletes, writes []Change
	for i := len(order) - 1; i >= 0; i-- {
		s := order[i]
		want := indexByID(desired[s.Name])
		for _, obj := range current[s.Name] {
			id := idOf(obj)
			if _, keep := want[id]; keep || !hasAllTags(obj, opts.SelectTags) {
				continue
			}
			deletes = append(deletes, Change{Op: OpDelete, Schema: s, ID: id, Old: obj})
		}
	}
	for _, s := range order {
		have := indexByID(current[s.Name])
		for _, obj := range desired[s.Name] {
			id := idOf(obj)
			old, exists := have[id]
			if !exists {
				writes = append(writes, Change{Op: OpCreate, Schema: s, ID: id, New: obj, Input: opts.Inputs[InputKey(s.Name, id)]})
				continue
			}
			if len(changedFields(s, old, obj)) == 0 {
				continue
			}
			next := cloneMap(obj)
			if v, ok := old["created_at"]; ok {
				next["created_at"] = v
			}
			writes = append(writes, Change{Op: OpUpdate, Schema: s, ID: id, Old: old, New: next, Input: opts.Inputs[InputKey(s.Name, id)]})
		}
	}
	return append(deletes, writes...)
}

// changedFields lists the fields that differ between the current and the
// desired version of an entity, ignoring timestamps and the remaining
// ttl of credentials. When the schema does not know plugin config shapes,
// a plugin's desired config only needs to be contained in the current one
// (the server fills in the defaults the file leaves out).
func changedFields(s *entity.Schema, old, desired entity.Object) []string {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range desired {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		switch {
		case k == "created_at" || k == "updated_at":
			continue
		case k == "ttl" && s.TTL:
			continue
		case k == "config" && s.Plugin == nil && s.Field("config") != nil:
			if containsValue(old[k], desired[k]) {
				continue
			}
		case equalValues(old[k], desired[k]):
			continue
		}
		out = append(out, k)
	}
	pos := map[string]int{}
	for i, f := range s.Fields {
		pos[f.Name] = i
	}
	sort.Slice(out, func(i, j int) bool {
		pi, iok := pos[out[i]]
		pj, jok := pos[out[j]]
		if iok != jok {
			return iok
		}
		if pi != pj {
			return pi < pj
		}
		return out[i] < out[j]
	})
	return out
}

// containsValue reports whether want is part of have: maps compare key by
// key on want's keys, everything else by equality.
func containsValue(have, want any) bool {
	wm, wantMap := normalizeValue(want).(map[string]any)
	hm, haveMap := normalizeValue(have).(map[string]any)
	if !wantMap || !haveMap {
		return equalValues(have, want)
	}
	for k, wv := range wm {
		if !containsValue(hm[k], wv) {
			return false
		}
	}
	return true
}

func indexByID(list []entity.Object) map[string]entity.Object {
	out := make(map[string]entity.Object, len(list))
	for _, obj := range list {
		out[idOf(obj)] = obj
	}
	return out
}

// hasAllTags reports whether obj carries every tag of want.
func hasAllTags(obj entity.Object, want []string) bool {
	if len(want) == 0 {
		return true
	}
	tags, _ := normalizeValue(obj["tags"]).([]any)
	for _, t := range want {
		if !containsAny(tags, t) {
			return false
		}
	}
	return true
}

// FilterTags returns the entities carrying all of tags (all of them when
// tags is empty).
func FilterTags(entities map[string][]entity.Object, tags []string) map[string][]entity.Object {
	out := make(map[string][]entity.Object, len(entities))
	for name, list := range entities {
		for _, obj := range list {
			if hasAllTags(obj, tags) {
				out[name] = append(out[name], obj)
			}
		}
	}
	return out
}
