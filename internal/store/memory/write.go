package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// writeTx implements store.Tx on a private copy of the state. Every write
// checks all its constraints before changing anything, so a write that
// fails leaves the transaction as it was and the caller may go on.
type writeTx struct {
	reader
	// owned names the tables this transaction copied and may change.
	owned  map[string]bool
	events []store.Event
	// quiet skips recording events (Replace computes its own).
	quiet bool
}

func newWriteTx(base *state) *writeTx {
	tables := make(map[string]*table, len(base.tables))
	for k, v := range base.tables {
		tables[k] = v
	}
	return &writeTx{reader: reader{st: &state{tables: tables}}, owned: map[string]bool{}}
}

// writable returns the transaction's own copy of the table of s.
func (t *writeTx) writable(s *entity.Schema) *table {
	tb := t.st.tables[s.Name]
	switch {
	case tb == nil:
		tb = newTable(s)
	case !t.owned[s.Name]:
		tb = copyTable(tb)
	default:
		return tb
	}
	t.st.tables[s.Name] = tb
	t.owned[s.Name] = true
	return tb
}

// finish sorts every changed table so the state can be published.
func (t *writeTx) finish() *state {
	for name := range t.owned {
		t.st.tables[name].ids()
	}
	return t.st
}

// Insert implements store.Writer: primary key, unique and foreign-key
// checks (in that order, as PostgreSQL reports them), then the row.
func (t *writeTx) Insert(_ context.Context, s *entity.Schema, obj entity.Object) error {
	id, err := objectID(s, obj)
	if err != nil {
		return err
	}
	if t.row(s, id) != nil {
		return entity.PrimaryKeyViolation(id)
	}
	return t.write(s, id, obj, nil)
}

// Put implements store.Writer: an insert when the id is new, otherwise a
// full replacement reported as an update.
func (t *writeTx) Put(_ context.Context, s *entity.Schema, obj entity.Object) error {
	id, err := objectID(s, obj)
	if err != nil {
		return err
	}
	return t.write(s, id, obj, t.row(s, id))
}

// write stores obj under id after checking its unique and foreign keys;
// old is the stored row it replaces, nil for a new row.
func (t *writeTx) write(s *entity.Schema, id string, obj, old entity.Object) error {
	stored, err := normalize(obj)
	if err != nil {
		return fmt.Errorf("memory: encode %s %q: %w", s.Name, id, err)
	}
	keys := store.UniqueKeys(s, stored)
	if tb := t.st.tables[s.Name]; tb != nil {
		for _, k := range keys {
			if owner, taken := tb.uniques[uniqueSlot(k.Field, k.Value)]; taken && owner != id {
				return entity.UniqueViolation(k.Fields)
			}
		}
	}
	refs, err := store.ForeignRefs(s, stored)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if tb := t.st.tables[r.Schema]; tb == nil || tb.rows[r.ID] == nil {
			return entity.ForeignKeyViolation(r.Field, r.Schema, map[string]any{"id": r.ID})
		}
	}

	tb := t.writable(s)
	if old != nil {
		unindex(tb, s, id, old)
	}
	for _, k := range keys {
		tb.uniques[uniqueSlot(k.Field, k.Value)] = id
	}
	for _, r := range refs {
		tb.addRef(r.Field, r.ID, id)
	}
	if _, exists := tb.rows[id]; !exists {
		tb.sorted = nil
	}
	tb.rows[id] = stored
	if t.quiet {
		return nil
	}
	ev := store.Event{Entity: s.Name, Op: store.OpCreate, ID: id, New: clone(stored)}
	if old != nil {
		ev.Op, ev.Old = store.OpUpdate, clone(old)
	}
	t.events = append(t.events, ev)
	return nil
}

// unindex removes the unique keys and references of a stored row.
func unindex(tb *table, s *entity.Schema, id string, obj entity.Object) {
	for _, k := range store.UniqueKeys(s, obj) {
		slot := uniqueSlot(k.Field, k.Value)
		if tb.uniques[slot] == id {
			delete(tb.uniques, slot)
		}
	}
	refs, _ := store.ForeignRefs(s, obj) // stored rows hold valid references
	for _, r := range refs {
		tb.removeRef(r.Field, r.ID, id)
	}
}

// rowKey names one stored row.
type rowKey struct{ entity, id string }

// doomedRow is a row a Delete removes, with its stored value.
type doomedRow struct {
	rowKey
	schema *entity.Schema
	old    entity.Object
}

// referrer is a row referencing another through one of its fields.
type referrer struct {
	rowKey
	field *entity.Field
}

// Delete implements store.Writer. It first walks the tree of rows that
// reference the target (a restricting reference fails the whole delete
// with a ReferencedBy error, a cascading one adds the child and its own
// children), then removes children before their parents, one event each.
func (t *writeTx) Delete(_ context.Context, s *entity.Schema, id string) error {
	old := t.row(s, id)
	if old == nil {
		return nil
	}
	var doomed []doomedRow
	seen := map[rowKey]bool{}
	if err := t.collect(doomedRow{rowKey{s.Name, id}, s, old}, seen, &doomed); err != nil {
		return err
	}
	for _, row := range doomed {
		tb := t.writable(row.schema)
		unindex(tb, row.schema, row.id, row.old)
		delete(tb.rows, row.id)
		tb.sorted = nil
		if t.quiet {
			continue
		}
		t.events = append(t.events, store.Event{Entity: row.entity, Op: store.OpDelete, ID: row.id, Old: clone(row.old)})
	}
	return nil
}

// collect appends row's cascading descendants, then row itself, to doomed
// (post-order), failing on the first restricting reference.
func (t *writeTx) collect(row doomedRow, seen map[rowKey]bool, doomed *[]doomedRow) error {
	seen[row.rowKey] = true
	children := t.referrers(row.rowKey)
	for _, c := range children {
		if c.field.OnDelete != entity.Cascade {
			return entity.ReferencedBy(c.entity, row.entity)
		}
	}
	for _, c := range children {
		if seen[c.rowKey] {
			continue
		}
		tb := t.st.tables[c.entity]
		if err := t.collect(doomedRow{c.rowKey, tb.schema, tb.rows[c.id]}, seen, doomed); err != nil {
			return err
		}
	}
	*doomed = append(*doomed, row)
	return nil
}

// referrers lists the rows whose foreign keys point at target, ordered by
// entity, id and field.
func (t *writeTx) referrers(target rowKey) []referrer {
	var out []referrer
	for name, tb := range t.st.tables {
		for _, f := range tb.schema.ForeignFields() {
			if f.Reference != target.entity {
				continue
			}
			for id := range tb.referencing(f.Name, target.id) {
				out = append(out, referrer{rowKey{name, id}, f})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.entity != b.entity {
			return a.entity < b.entity
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.field.Name < b.field.Name
	})
	return out
}

// objectID returns obj's primary key, which must be a non-empty string.
func objectID(s *entity.Schema, obj entity.Object) (string, error) {
	id, ok := obj[primaryKey(s)].(string)
	if !ok || id == "" {
		return "", fmt.Errorf("memory: write %s: object has no string %q", s.Name, primaryKey(s))
	}
	return id, nil
}
