package memory

import (
	"context"
	"reflect"
	"slices"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// Replace swaps the whole data set in one step: fn fills an empty
// transaction with the new contents (constraints are checked as usual),
// and when it returns nil the new data set replaces the old one at once.
// Readers see either the old or the new data set, never a mix. The
// committed batch of events describes the difference: a create for each
// new id, an update for each id whose object changed, a delete for each id
// that is gone. Unchanged objects produce no event. The objects in these
// events are the stored ones, shared by every subscriber: they must be
// treated as read-only.
func (s *Store) Replace(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	old := s.current.Load()
	tx := newWriteTx(&state{tables: map[string]*table{}})
	tx.quiet = true
	err := fn(tx)
	if err == nil {
		next := tx.finish()
		s.current.Store(next)
		if events := s.difference(old, next); len(events) > 0 {
			s.events.enqueue(events)
		}
	}
	s.writeMu.Unlock()
	if err != nil {
		return err
	}
	s.events.deliver()
	return nil
}

// difference lists the changes from old to next: deletes first (entity
// types in reverse registry order), then creates and updates (registry
// order), ids ascending within a type.
func (s *Store) difference(old, next *state) []store.Event {
	names := s.tableOrder(old, next)
	var deletes, writes []store.Event
	for i := len(names) - 1; i >= 0; i-- {
		before, after := old.tables[names[i]], next.tables[names[i]]
		if before == nil {
			continue
		}
		for _, id := range before.ids() {
			if after == nil || after.rows[id] == nil {
				deletes = append(deletes, store.Event{Entity: names[i], Op: store.OpDelete, ID: id,
					Old: before.rows[id]})
			}
		}
	}
	for _, name := range names {
		before, after := old.tables[name], next.tables[name]
		if after == nil {
			continue
		}
		for _, id := range after.ids() {
			obj := after.rows[id]
			var prev map[string]any
			if before != nil {
				prev = before.rows[id]
			}
			switch {
			case prev == nil:
				writes = append(writes, store.Event{Entity: name, Op: store.OpCreate, ID: id, New: obj})
			case !reflect.DeepEqual(map[string]any(obj), prev):
				writes = append(writes, store.Event{Entity: name, Op: store.OpUpdate, ID: id,
					Old: prev, New: obj})
			}
		}
	}
	return append(deletes, writes...)
}

// tableOrder names every table of old and next: those of the registry in
// its order, then any others by name.
func (s *Store) tableOrder(old, next *state) []string {
	var out []string
	seen := map[string]bool{}
	if s.reg != nil {
		for _, sc := range s.reg.All() {
			out = append(out, sc.Name)
			seen[sc.Name] = true
		}
	}
	var rest []string
	for _, st := range []*state{old, next} {
		for name := range st.tables {
			if !seen[name] {
				seen[name] = true
				rest = append(rest, name)
			}
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// Contents returns every stored entity by entity type, in ascending id
// order, from one consistent state. The objects are the stored ones, not
// copies: callers must not modify them.
func (s *Store) Contents() map[string][]entity.Object {
	st := s.current.Load()
	out := make(map[string][]entity.Object, len(st.tables))
	for name, tb := range st.tables {
		if len(tb.rows) == 0 {
			continue
		}
		ids := tb.ids()
		list := make([]entity.Object, len(ids))
		for i, id := range ids {
			list[i] = tb.rows[id]
		}
		out[name] = list
	}
	return out
}
