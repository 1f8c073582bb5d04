package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// blockingGrace is how long a test waits for a concurrent operation that a
// backend may legitimately hold back until a transaction ends.
const blockingGrace = 300 * time.Millisecond

func testUpdateRollback(t *testing.T, h *harness) {
	rec := h.record()
	p1, p2 := parentObj("one"), parentObj("two")
	failure := errors.New("changed my mind")
	err := h.st.Update(h.ctx, func(tx store.Tx) error {
		if err := tx.Insert(h.ctx, h.Parents, p1); err != nil {
			return err
		}
		if err := tx.Insert(h.ctx, h.Parents, p2); err != nil {
			return err
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("update: want the callback's error, got %v", err)
	}
	h.assertMissing(h.Parents, p1["id"].(string))
	h.assertMissing(h.Parents, p2["id"].(string))
	if got := rec.batches(); len(got) != 0 {
		t.Fatalf("a rolled back transaction produced events: %+v", got)
	}
	// The unique keys of the rolled back rows are free.
	h.parent("one")
}

func testUpdateIsolation(t *testing.T, h *harness) {
	p := parentObj("alpha")
	id := p["id"].(string)
	outside := make(chan error, 1)
	err := h.st.Update(h.ctx, func(tx store.Tx) error {
		if err := tx.Insert(h.ctx, h.Parents, p); err != nil {
			return err
		}
		if _, err := tx.Get(h.ctx, h.Parents, id); err != nil {
			t.Errorf("transaction does not see its own insert: %v", err)
		}
		if _, err := tx.GetBy(h.ctx, h.Parents, "name", "alpha"); err != nil {
			t.Errorf("transaction does not see its own unique key: %v", err)
		}
		page, err := tx.List(h.ctx, h.Parents, store.ListOptions{})
		if err != nil || len(page.Data) != 1 {
			t.Errorf("transaction list: got %d rows, %v; want 1", len(page.Data), err)
		}
		// A reader outside the transaction either waits for it or sees
		// the state before it; it never sees uncommitted rows.
		go func() {
			_, err := h.st.Get(h.ctx, h.Parents, id)
			outside <- err
		}()
		select {
		case err := <-outside:
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("uncommitted row visible outside its transaction: %v", err)
			}
		case <-time.After(blockingGrace):
			go func() { <-outside }() // the reader finishes after the commit
		}
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	h.assertStored(h.Parents, p)
}

func testUpdateSurvivesFailedWrite(t *testing.T, h *harness) {
	h.parent("taken")
	rec := h.record()
	first, dup, last := parentObj("first"), parentObj("taken"), parentObj("last")
	err := h.st.Update(h.ctx, func(tx store.Tx) error {
		if err := tx.Insert(h.ctx, h.Parents, first); err != nil {
			return err
		}
		var e *entity.Error
		if err := tx.Insert(h.ctx, h.Parents, dup); !errors.As(err, &e) || e.Code != entity.CodeUniqueViolation {
			t.Errorf("duplicate insert in transaction: want unique violation, got %v", err)
		}
		return tx.Insert(h.ctx, h.Parents, last)
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	h.assertStored(h.Parents, first)
	h.assertStored(h.Parents, last)
	h.assertMissing(h.Parents, dup["id"].(string))
	events := rec.events()
	if len(events) != 2 {
		t.Fatalf("want 2 events, got %+v", events)
	}
	assertEvent(t, events[0], "parents", store.OpCreate, first["id"].(string), nil, first)
	assertEvent(t, events[1], "parents", store.OpCreate, last["id"].(string), nil, last)
}

func testViewConsistency(t *testing.T, h *harness) {
	h.insertParents(3, nil)
	late := parentObj("late")
	writeDone := make(chan error, 1)
	err := h.st.View(h.ctx, func(r store.Reader) error {
		before, err := r.All(h.ctx, h.Parents)
		if err != nil {
			return err
		}
		go func() { writeDone <- h.st.Insert(h.ctx, h.Parents, late) }()
		select {
		case err := <-writeDone:
			if err != nil {
				t.Errorf("concurrent insert: %v", err)
			}
			writeDone <- nil
		case <-time.After(blockingGrace): // the backend holds writers back
		}
		after, err := r.All(h.ctx, h.Parents)
		if err != nil {
			return err
		}
		if len(before) != 3 || len(after) != 3 {
			t.Errorf("view saw %d rows, then %d; want 3 both times", len(before), len(after))
		}
		if _, err := r.Get(h.ctx, h.Parents, late["id"].(string)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("view sees a row committed after it started: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	if err := <-writeDone; err != nil {
		t.Fatalf("concurrent insert: %v", err)
	}
	h.assertStored(h.Parents, late)

	failure := errors.New("stop")
	if err := h.st.View(h.ctx, func(store.Reader) error { return failure }); !errors.Is(err, failure) {
		t.Fatalf("view: want the callback's error, got %v", err)
	}
}
