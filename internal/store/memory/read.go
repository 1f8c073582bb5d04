package memory

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// defaultPageSize is the page size of a List without Size.
const defaultPageSize = 100

// reader implements store.Reader on one state. Every object it returns
// is a private copy.
type reader struct {
	st *state
}

// table returns the table of s, or nil when nothing was ever stored.
func (r *reader) table(s *entity.Schema) *table { return r.st.tables[s.Name] }

// Get implements store.Reader.
func (r *reader) Get(_ context.Context, s *entity.Schema, id string) (entity.Object, error) {
	obj := r.row(s, id)
	if obj == nil {
		return nil, store.ErrNotFound
	}
	return clone(obj), nil
}

// row returns the stored object (not a copy), or nil.
func (r *reader) row(s *entity.Schema, id string) entity.Object {
	t := r.table(s)
	if t == nil {
		return nil
	}
	return t.rows[id]
}

// GetBy implements store.Reader for the primary key and every
// single-field unique field.
func (r *reader) GetBy(ctx context.Context, s *entity.Schema, field, value string) (entity.Object, error) {
	if field == primaryKey(s) {
		return r.Get(ctx, s, value)
	}
	if !slices.Contains(s.UniqueFields(), field) {
		return nil, fmt.Errorf("memory: get %s by %q: not a unique field", s.Name, field)
	}
	t := r.table(s)
	if t == nil {
		return nil, store.ErrNotFound
	}
	id, ok := t.uniques[uniqueSlot(field, store.UniqueValue(value))]
	if !ok {
		return nil, store.ErrNotFound
	}
	return clone(t.rows[id]), nil
}

// List implements store.Reader: rows in ascending primary-key order after
// the offset's id, filtered by tags and parent.
func (r *reader) List(_ context.Context, s *entity.Schema, opts store.ListOptions) (store.Page, error) {
	size := opts.Size
	if size <= 0 {
		size = defaultPageSize
	}
	after := ""
	if opts.Offset != "" {
		id, err := store.DecodeOffset(opts.Offset)
		if err != nil {
			return store.Page{}, err
		}
		after = id
	}
	if opts.ForeignField != "" {
		if f := s.Field(opts.ForeignField); f == nil || f.Type != entity.TypeForeign {
			return store.Page{}, fmt.Errorf("memory: list %s: %q is not a foreign field", s.Name, opts.ForeignField)
		}
	}
	t := r.table(s)
	if t == nil {
		return store.Page{Data: []entity.Object{}}, nil
	}
	ids := t.ids()
	if opts.ForeignField != "" {
		ids = sortedKeys(t.referencing(opts.ForeignField, opts.ForeignID))
	}
	start := sort.Search(len(ids), func(i int) bool { return ids[i] > after })
	page := store.Page{Data: make([]entity.Object, 0, min(size, len(ids)-start))}
	tags := store.DistinctTags(opts.Tags)
	last := ""
	for _, id := range ids[start:] {
		obj := t.rows[id]
		if !matchesTags(obj, tags, opts.TagsOr) {
			continue
		}
		if len(page.Data) == size {
			page.Offset = store.EncodeOffset(last)
			break
		}
		page.Data = append(page.Data, clone(obj))
		last = id
	}
	return page, nil
}

// All implements store.Reader.
func (r *reader) All(_ context.Context, s *entity.Schema) ([]entity.Object, error) {
	t := r.table(s)
	if t == nil {
		return []entity.Object{}, nil
	}
	ids := t.ids()
	out := make([]entity.Object, len(ids))
	for i, id := range ids {
		out[i] = clone(t.rows[id])
	}
	return out, nil
}

// matchesTags reports whether obj carries all of tags (any of them with
// or set); no tags match everything.
func matchesTags(obj entity.Object, tags []string, or bool) bool {
	if len(tags) == 0 {
		return true
	}
	have := store.ObjectTags(obj)
	for _, t := range tags {
		found := slices.Contains(have, t)
		if or && found {
			return true
		}
		if !or && !found {
			return false
		}
	}
	return !or
}

func sortedKeys(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// primaryKey returns the schema's primary-key field name ("id").
func primaryKey(s *entity.Schema) string {
	if s.PrimaryKey != "" {
		return s.PrimaryKey
	}
	return "id"
}
