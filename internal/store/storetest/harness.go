package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// harness is one test's fresh store with its schemas and helpers.
type harness struct {
	t   *testing.T
	ctx context.Context
	st  store.Store
	*Schemas
}

func newHarness(t *testing.T, open func(t *testing.T, reg *entity.Registry) store.Store) *harness {
	t.Helper()
	sc := NewSchemas()
	st := open(t, sc.Registry)
	t.Cleanup(func() { _ = st.Close() })
	return &harness{t: t, ctx: context.Background(), st: st, Schemas: sc}
}

// ref is a foreign-key value.
func ref(id string) map[string]any { return map[string]any{"id": id} }

// newID returns a fresh UUID primary key.
func newID() string { return uuid.NewString() }

// parent builds a parents object with the given name (nil for none).
func parentObj(name any) entity.Object {
	return entity.Object{"id": newID(), "name": name, "custom_id": nil, "port": nil, "tags": nil}
}

// insert stores obj and fails the test on error.
func (h *harness) insert(s *entity.Schema, obj entity.Object) entity.Object {
	h.t.Helper()
	if err := h.st.Insert(h.ctx, s, obj); err != nil {
		h.t.Fatalf("insert %s %v: %v", s.Name, obj["id"], err)
	}
	return obj
}

// parent inserts a parent named name (nil for none) and returns it.
func (h *harness) parent(name any) entity.Object {
	h.t.Helper()
	return h.insert(h.Parents, parentObj(name))
}

// cascadeChild inserts a cascade child of parentID.
func (h *harness) cascadeChild(parentID string) entity.Object {
	h.t.Helper()
	return h.insert(h.CascadeChildren, entity.Object{"id": newID(), "key": newID(), "parent": ref(parentID)})
}

// mustGet returns the stored object or fails.
func (h *harness) mustGet(s *entity.Schema, id string) entity.Object {
	h.t.Helper()
	obj, err := h.st.Get(h.ctx, s, id)
	if err != nil {
		h.t.Fatalf("get %s %s: %v", s.Name, id, err)
	}
	return obj
}

// assertMissing fails unless Get reports ErrNotFound.
func (h *harness) assertMissing(s *entity.Schema, id string) {
	h.t.Helper()
	if _, err := h.st.Get(h.ctx, s, id); !errors.Is(err, store.ErrNotFound) {
		h.t.Fatalf("get %s %s: want ErrNotFound, got %v", s.Name, id, err)
	}
}

// assertStored fails unless the stored object equals want (in stored form).
func (h *harness) assertStored(s *entity.Schema, want entity.Object) {
	h.t.Helper()
	got := h.mustGet(s, want["id"].(string))
	if !reflect.DeepEqual(got, normalize(want)) {
		h.t.Fatalf("stored %s:\n got %#v\nwant %#v", s.Name, got, normalize(want))
	}
}

// listAll pages through a listing with opts and returns the ids in order,
// failing when a page is malformed.
func (h *harness) listAll(s *entity.Schema, opts store.ListOptions) (ids []string, pages int) {
	h.t.Helper()
	for {
		page, err := h.st.List(h.ctx, s, opts)
		if err != nil {
			h.t.Fatalf("list %s %+v: %v", s.Name, opts, err)
		}
		pages++
		size := opts.Size
		if size == 0 {
			size = 100
		}
		if len(page.Data) > size {
			h.t.Fatalf("list %s: page of %d rows exceeds size %d", s.Name, len(page.Data), size)
		}
		for _, obj := range page.Data {
			ids = append(ids, obj["id"].(string))
		}
		if page.Offset == "" {
			return ids, pages
		}
		if len(page.Data) != size {
			h.t.Fatalf("list %s: short page of %d rows (size %d) carries an offset", s.Name, len(page.Data), size)
		}
		last, err := store.DecodeOffset(page.Offset)
		if err != nil || last != ids[len(ids)-1] {
			h.t.Fatalf("list %s: offset %q decodes to %q (%v), want last id %q", s.Name, page.Offset, last, err, ids[len(ids)-1])
		}
		opts.Offset = page.Offset
		if pages > 10000 {
			h.t.Fatalf("list %s: pagination does not end", s.Name)
		}
	}
}

// normalize returns obj as a JSON round trip yields it (float64 numbers).
func normalize(obj entity.Object) entity.Object {
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	var out entity.Object
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

// wantEntityError fails unless err is an *entity.Error with the given
// code, message and (when fields is not nil) fields.
func wantEntityError(t *testing.T, err error, code int, message string, fields any) {
	t.Helper()
	var e *entity.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *entity.Error code %d %q, got %T %v", code, message, err, err)
	}
	if e.Code != code || e.Message != message {
		t.Fatalf("error:\n got code %d %q\nwant code %d %q", e.Code, e.Message, code, message)
	}
	if fields != nil && !reflect.DeepEqual(normalizeAny(e.Fields), normalizeAny(fields)) {
		t.Fatalf("error fields:\n got %#v\nwant %#v", e.Fields, fields)
	}
}

func normalizeAny(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

// recorder collects the batches a subscription receives.
type recorder struct {
	mu          sync.Mutex
	got         [][]store.Event
	unsubscribe func()
}

func (h *harness) record() *recorder {
	r := &recorder{}
	r.unsubscribe = h.st.Subscribe(func(batch []store.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, batch)
	})
	h.t.Cleanup(r.unsubscribe)
	return r
}

// batches returns the batches received so far.
func (r *recorder) batches() [][]store.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]store.Event(nil), r.got...)
}

// events returns every event received so far, flattened in order.
func (r *recorder) events() []store.Event {
	var out []store.Event
	for _, b := range r.batches() {
		out = append(out, b...)
	}
	return out
}

// reset forgets what was received.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = nil
}

// assertEvent fails unless ev matches the expected change.
func assertEvent(t *testing.T, ev store.Event, entityName string, op store.Op, id string, old, new entity.Object) {
	t.Helper()
	if ev.Entity != entityName || ev.Op != op || ev.ID != id {
		t.Fatalf("event: got %s %s %s, want %s %s %s", ev.Entity, ev.Op, ev.ID, entityName, op, id)
	}
	if !reflect.DeepEqual(ev.Old, nilOrNormal(old)) {
		t.Fatalf("event %s %s Old:\n got %#v\nwant %#v", op, id, ev.Old, old)
	}
	if !reflect.DeepEqual(ev.New, nilOrNormal(new)) {
		t.Fatalf("event %s %s New:\n got %#v\nwant %#v", op, id, ev.New, new)
	}
}

func nilOrNormal(obj entity.Object) entity.Object {
	if obj == nil {
		return nil
	}
	return normalize(obj)
}
