package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

func testCRUD(t *testing.T, h *harness) {
	p := parentObj("alpha")
	p["custom_id"] = "c-1"
	p["port"] = 8080
	p["tags"] = []any{"x", "y"}
	id := p["id"].(string)
	h.insert(h.Parents, p)

	got := h.mustGet(h.Parents, id)
	if port, ok := got["port"].(float64); !ok || port != 8080 {
		t.Fatalf("port: got %#v (%T), want float64 8080", got["port"], got["port"])
	}
	h.assertStored(h.Parents, p)

	lookups := []struct {
		field, value string
		found        bool
	}{
		{"name", "alpha", true},
		{"custom_id", "c-1", true},
		{"id", id, true},
		{"name", "ALPHA", false},
		{"name", "missing", false},
		{"custom_id", "alpha", false},
	}
	for _, l := range lookups {
		obj, err := h.st.GetBy(h.ctx, h.Parents, l.field, l.value)
		switch {
		case l.found && err != nil:
			t.Fatalf("GetBy %s=%q: %v", l.field, l.value, err)
		case l.found && !reflect.DeepEqual(obj, got):
			t.Fatalf("GetBy %s=%q: got %#v, want %#v", l.field, l.value, obj, got)
		case !l.found && !errors.Is(err, store.ErrNotFound):
			t.Fatalf("GetBy %s=%q: want ErrNotFound, got %v, %v", l.field, l.value, obj, err)
		}
	}
	h.assertMissing(h.Parents, newID())

	// Put replaces the whole object and moves its unique keys.
	repl := entity.Object{"id": id, "name": "beta", "custom_id": nil, "port": 1.5, "tags": nil}
	if err := h.st.Put(h.ctx, h.Parents, repl); err != nil {
		t.Fatalf("put: %v", err)
	}
	h.assertStored(h.Parents, repl)
	for _, key := range [][2]string{{"name", "alpha"}, {"custom_id", "c-1"}} {
		if _, err := h.st.GetBy(h.ctx, h.Parents, key[0], key[1]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetBy %s=%q after put: want ErrNotFound, got %v", key[0], key[1], err)
		}
	}
	if _, err := h.st.GetBy(h.ctx, h.Parents, "name", "beta"); err != nil {
		t.Fatalf("GetBy name=beta after put: %v", err)
	}
	// The freed name is available to another row.
	h.parent("alpha")

	// Put of an unknown id creates it.
	created := parentObj("gamma")
	if err := h.st.Put(h.ctx, h.Parents, created); err != nil {
		t.Fatalf("put new: %v", err)
	}
	h.assertStored(h.Parents, created)

	if err := h.st.Delete(h.ctx, h.Parents, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	h.assertMissing(h.Parents, id)
	if _, err := h.st.GetBy(h.ctx, h.Parents, "name", "beta"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetBy deleted name: want ErrNotFound, got %v", err)
	}
	if err := h.st.Delete(h.ctx, h.Parents, id); err != nil {
		t.Fatalf("delete missing id: %v", err)
	}
	h.parent("beta") // the deleted row's name is free again
}

func testStoredCopyIsIndependent(t *testing.T, h *harness) {
	p := parentObj("alpha")
	p["tags"] = []any{"x"}
	h.insert(h.Parents, p)
	p["name"] = "mutated"
	p["tags"].([]any)[0] = "mutated"
	got := h.mustGet(h.Parents, p["id"].(string))
	if got["name"] != "alpha" || got["tags"].([]any)[0] != "x" {
		t.Fatalf("stored object changed with the caller's map: %#v", got)
	}
	got["name"] = "changed by reader"
	if again := h.mustGet(h.Parents, p["id"].(string)); again["name"] != "alpha" {
		t.Fatalf("stored object changed with a returned map: %#v", again)
	}
}

func testGetByNonUnique(t *testing.T, h *harness) {
	p := h.parent("alpha")
	c := entity.Object{"id": newID(), "name": "child", "parent": ref(p["id"].(string)), "tags": nil}
	h.insert(h.RestrictChildren, c)
	_, err := h.st.GetBy(h.ctx, h.RestrictChildren, "name", "child")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetBy on a non-unique field: want an error other than ErrNotFound, got %v", err)
	}
}
