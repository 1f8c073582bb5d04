package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

func testEvents(t *testing.T, h *harness) {
	rec := h.record()
	p := h.parent("alpha")
	id := p["id"].(string)
	repl := entity.Object{"id": id, "name": "beta", "custom_id": nil, "port": 3, "tags": nil}
	if err := h.st.Put(h.ctx, h.Parents, repl); err != nil {
		t.Fatalf("put: %v", err)
	}
	created := parentObj("gamma")
	if err := h.st.Put(h.ctx, h.Parents, created); err != nil {
		t.Fatalf("put new: %v", err)
	}
	if err := h.st.Delete(h.ctx, h.Parents, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := h.st.Delete(h.ctx, h.Parents, id); err != nil { // missing: no event
		t.Fatalf("delete missing: %v", err)
	}
	if err := h.st.Insert(h.ctx, h.Parents, parentObj("gamma")); err == nil { // refused: no event
		t.Fatalf("duplicate insert succeeded")
	}

	batches := rec.batches()
	if len(batches) != 4 {
		t.Fatalf("want 4 batches, got %d: %+v", len(batches), batches)
	}
	for i, b := range batches {
		if len(b) != 1 {
			t.Fatalf("batch %d: want 1 event, got %+v", i, b)
		}
	}
	assertEvent(t, batches[0][0], "parents", store.OpCreate, id, nil, p)
	assertEvent(t, batches[1][0], "parents", store.OpUpdate, id, p, repl)
	assertEvent(t, batches[2][0], "parents", store.OpCreate, created["id"].(string), nil, created)
	assertEvent(t, batches[3][0], "parents", store.OpDelete, id, repl, nil)

	// One transaction is one batch, in operation order.
	rec.reset()
	a, b := parentObj("a"), parentObj("b")
	err := h.st.Update(h.ctx, func(tx store.Tx) error {
		if err := tx.Insert(h.ctx, h.Parents, a); err != nil {
			return err
		}
		if err := tx.Insert(h.ctx, h.Parents, b); err != nil {
			return err
		}
		return tx.Delete(h.ctx, h.Parents, a["id"].(string))
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	batches = rec.batches()
	if len(batches) != 1 || len(batches[0]) != 3 {
		t.Fatalf("want one batch of 3 events, got %+v", batches)
	}
	assertEvent(t, batches[0][0], "parents", store.OpCreate, a["id"].(string), nil, a)
	assertEvent(t, batches[0][1], "parents", store.OpCreate, b["id"].(string), nil, b)
	assertEvent(t, batches[0][2], "parents", store.OpDelete, a["id"].(string), a, nil)

	// An empty transaction and an unsubscribed callback see nothing.
	rec.reset()
	if err := h.st.Update(h.ctx, func(store.Tx) error { return nil }); err != nil {
		t.Fatalf("empty update: %v", err)
	}
	rec.unsubscribe()
	h.parent("after")
	if got := rec.batches(); len(got) != 0 {
		t.Fatalf("events after an empty transaction and unsubscribe: %+v", got)
	}
}

// testEventsInCommitOrder has concurrent writers replace the same row: if
// batches arrive in commit order, each update's Old is the New of the
// event before it.
func testEventsInCommitOrder(t *testing.T, h *harness) {
	p := h.parent("counter")
	id := p["id"].(string)
	rec := h.record()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < writesPerWriter; i++ {
				obj := entity.Object{"id": id, "name": "counter", "custom_id": nil, "port": w*1000 + i, "tags": nil}
				if err := h.st.Put(h.ctx, h.Parents, obj); err != nil {
					t.Errorf("put: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	events := rec.events()
	if len(events) != writers*writesPerWriter {
		t.Fatalf("got %d events, want %d", len(events), writers*writesPerWriter)
	}
	prev := normalize(p)
	for i, ev := range events {
		if ev.Op != store.OpUpdate || !reflect.DeepEqual(ev.Old, prev) {
			t.Fatalf("event %d out of commit order: Old %v, previous New %v", i, ev.Old, prev)
		}
		prev = ev.New
	}
	if got := h.mustGet(h.Parents, id); !reflect.DeepEqual(got, prev) {
		t.Fatalf("last event %v does not match the stored row %v", prev, got)
	}
}

// testSubscriberMayWrite checks that callbacks run outside the store's
// locks: a callback writing to the store must neither deadlock nor lose
// the events of its own write.
func testSubscriberMayWrite(t *testing.T, h *harness) {
	echo := parentObj("echo")
	var (
		mu   sync.Mutex
		seen []string
	)
	unsubscribe := h.st.Subscribe(func(batch []store.Event) {
		for _, ev := range batch {
			name, _ := ev.New["name"].(string)
			mu.Lock()
			seen = append(seen, name)
			mu.Unlock()
			if ev.New["name"] == "trigger" {
				if err := h.st.Insert(h.ctx, h.Parents, echo); err != nil {
					t.Errorf("insert from callback: %v", err)
				}
				if _, err := h.st.Get(h.ctx, h.Parents, echo["id"].(string)); err != nil {
					t.Errorf("get from callback: %v", err)
				}
			}
		}
	})
	defer unsubscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.st.Insert(h.ctx, h.Parents, parentObj("trigger")); err != nil {
			t.Errorf("insert: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("a callback writing to the store deadlocked")
	}
	h.assertStored(h.Parents, echo)
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(seen, []string{"trigger", "echo"}) {
		t.Fatalf("callback saw %v, want [trigger echo]", seen)
	}
}
