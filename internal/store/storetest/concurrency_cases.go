package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

const (
	writers         = 20
	writesPerWriter = 10
)

func testConcurrentWriters(t *testing.T, h *harness) {
	rec := h.record()
	var wg sync.WaitGroup
	errs := make(chan error, writers*writesPerWriter+writers)
	for w := 0; w < writers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < writesPerWriter; i++ {
				if err := h.st.Insert(h.ctx, h.Parents, parentObj(fmt.Sprintf("w%d-%d", w, i))); err != nil {
					errs <- err
				}
			}
		}()
		go func() { // readers run alongside the writers
			defer wg.Done()
			if _, err := h.st.List(h.ctx, h.Parents, store.ListOptions{Size: 5}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write or read failed: %v", err)
	}
	ids, _ := h.listAll(h.Parents, store.ListOptions{Size: 37})
	if len(ids) != writers*writesPerWriter {
		t.Fatalf("got %d rows, want %d", len(ids), writers*writesPerWriter)
	}
	seen := map[string]bool{}
	for _, ev := range rec.events() {
		if ev.Op != store.OpCreate || seen[ev.ID] {
			t.Fatalf("unexpected or repeated event %+v", ev)
		}
		seen[ev.ID] = true
	}
	if len(seen) != writers*writesPerWriter {
		t.Fatalf("got %d create events, want %d", len(seen), writers*writesPerWriter)
	}
}

func testConcurrentUniqueRace(t *testing.T, h *harness) {
	sameID := newID()
	cases := []struct {
		desc string
		obj  func(i int) entity.Object
		code int
	}{
		{"same name", func(int) entity.Object { return parentObj("contested") }, entity.CodeUniqueViolation},
		{"same id", func(i int) entity.Object {
			o := parentObj(fmt.Sprintf("n%d", i))
			o["id"] = sameID
			return o
		}, entity.CodePrimaryKeyViolation},
	}
	for _, c := range cases {
		results := make(chan error, writers)
		var wg sync.WaitGroup
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- h.st.Insert(h.ctx, h.Parents, c.obj(i))
			}()
		}
		wg.Wait()
		close(results)
		winners := 0
		for err := range results {
			var e *entity.Error
			switch {
			case err == nil:
				winners++
			case errors.As(err, &e) && e.Code == c.code:
			default:
				t.Fatalf("%s: unexpected error %v", c.desc, err)
			}
		}
		if winners != 1 {
			t.Fatalf("%s: %d inserts succeeded, want exactly 1", c.desc, winners)
		}
	}
}
