package storetest

import (
	"errors"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

func testRestrictDelete(t *testing.T, h *harness) {
	p := h.parent("alpha")
	pid := p["id"].(string)
	child := h.insert(h.RestrictChildren, entity.Object{"id": newID(), "name": "c", "parent": ref(pid), "tags": nil})
	rec := h.record()

	err := h.st.Delete(h.ctx, h.Parents, pid)
	wantEntityError(t, err, entity.CodeForeignKeyViolation,
		"an existing 'restrict_children' entity references this 'parents' entity",
		map[string]any{"@referenced_by": "restrict_children"})
	h.assertStored(h.Parents, p)
	if got := rec.batches(); len(got) != 0 {
		t.Fatalf("a refused delete produced events: %+v", got)
	}

	if err := h.st.Delete(h.ctx, h.RestrictChildren, child["id"].(string)); err != nil {
		t.Fatalf("delete child: %v", err)
	}
	if err := h.st.Delete(h.ctx, h.Parents, pid); err != nil {
		t.Fatalf("delete unreferenced parent: %v", err)
	}
	h.assertMissing(h.Parents, pid)
}

func testCascadeDelete(t *testing.T, h *harness) {
	p := h.parent("alpha")
	other := h.parent("beta")
	pid := p["id"].(string)
	c1 := h.cascadeChild(pid)
	c2 := h.cascadeChild(pid)
	kept := h.cascadeChild(other["id"].(string))
	g1 := h.insert(h.Grandchildren, entity.Object{"id": newID(), "child": ref(c1["id"].(string))})
	// s1 references both p and c1: it must be deleted (and reported) once.
	s1 := h.insert(h.Scoped, entity.Object{"id": newID(), "name": "n", "parent": ref(pid),
		"child": ref(c1["id"].(string)), "tags": nil})
	rec := h.record()

	if err := h.st.Delete(h.ctx, h.Parents, pid); err != nil {
		t.Fatalf("delete parent: %v", err)
	}
	doomed := map[string]struct {
		schema *entity.Schema
		obj    entity.Object
	}{
		pid:               {h.Parents, p},
		c1["id"].(string): {h.CascadeChildren, c1},
		c2["id"].(string): {h.CascadeChildren, c2},
		g1["id"].(string): {h.Grandchildren, g1},
		s1["id"].(string): {h.Scoped, s1},
	}
	for id, d := range doomed {
		h.assertMissing(d.schema, id)
	}
	h.assertStored(h.Parents, other)
	h.assertStored(h.CascadeChildren, kept)

	batches := rec.batches()
	if len(batches) != 1 {
		t.Fatalf("want one batch of events, got %d: %+v", len(batches), batches)
	}
	events := batches[0]
	if len(events) != len(doomed) {
		t.Fatalf("want %d delete events, got %d: %+v", len(doomed), len(events), events)
	}
	position := map[string]int{}
	for i, ev := range events {
		d, ok := doomed[ev.ID]
		if !ok {
			t.Fatalf("event for unexpected id %s: %+v", ev.ID, ev)
		}
		if _, dup := position[ev.ID]; dup {
			t.Fatalf("row %s reported twice", ev.ID)
		}
		position[ev.ID] = i
		assertEvent(t, ev, d.schema.Name, store.OpDelete, ev.ID, d.obj, nil)
	}
	// Children are reported before the rows they reference.
	order := [][2]string{
		{g1["id"].(string), c1["id"].(string)},
		{s1["id"].(string), c1["id"].(string)},
		{c1["id"].(string), pid},
		{c2["id"].(string), pid},
		{s1["id"].(string), pid},
	}
	for _, o := range order {
		if position[o[0]] > position[o[1]] {
			t.Fatalf("child %s reported after its parent %s: %+v", o[0], o[1], events)
		}
	}
}

func testCascadeBlocked(t *testing.T, h *harness) {
	p := h.parent("alpha")
	pid := p["id"].(string)
	c := h.cascadeChild(pid)
	locked := h.insert(h.LockedGrandchildren, entity.Object{"id": newID(), "child": ref(c["id"].(string))})
	rec := h.record()

	err := h.st.Delete(h.ctx, h.Parents, pid)
	wantEntityError(t, err, entity.CodeForeignKeyViolation,
		"an existing 'locked_grandchildren' entity references this 'cascade_children' entity", nil)

	// A refused delete inside a transaction leaves nothing half done even
	// when the transaction goes on and commits.
	sentinelParent := parentObj("committed")
	err = h.st.Update(h.ctx, func(tx store.Tx) error {
		var e *entity.Error
		if err := tx.Delete(h.ctx, h.Parents, pid); !errors.As(err, &e) {
			t.Errorf("delete in transaction: want *entity.Error, got %v", err)
		}
		return tx.Insert(h.ctx, h.Parents, sentinelParent)
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	h.assertStored(h.Parents, p)
	h.assertStored(h.CascadeChildren, c)
	h.assertStored(h.LockedGrandchildren, locked)
	h.assertStored(h.Parents, sentinelParent)
	for _, b := range rec.batches() {
		for _, ev := range b {
			if ev.Op == store.OpDelete {
				t.Fatalf("a refused delete produced an event: %+v", ev)
			}
		}
	}
}
