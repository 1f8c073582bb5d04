package memory

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/storetest"
)

func TestReplace(t *testing.T) {
	sc := storetest.NewSchemas()
	st := New(sc.Registry)
	ctx := context.Background()
	parent := func(id, name string, port any) entity.Object {
		return entity.Object{"id": id, "name": name, "custom_id": nil, "port": port, "tags": nil}
	}
	keep, change, drop := uuid.NewString(), uuid.NewString(), uuid.NewString()
	child := uuid.NewString()
	err := st.Update(ctx, func(tx store.Tx) error {
		for _, p := range []entity.Object{parent(keep, "keep", 1), parent(change, "change", 1), parent(drop, "drop", 1)} {
			if err := tx.Insert(ctx, sc.Parents, p); err != nil {
				return err
			}
		}
		return tx.Insert(ctx, sc.RestrictChildren, entity.Object{"id": child, "name": "c",
			"parent": map[string]any{"id": drop}, "tags": nil})
	})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var got []store.Event
	defer st.Subscribe(func(b []store.Event) { mu.Lock(); got = append(got, b...); mu.Unlock() })()

	// A failing replacement changes nothing.
	failure := errors.New("invalid")
	err = st.Replace(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, sc.Parents, parent(keep, "keep", 1)); err != nil {
			return err
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("replace: %v", err)
	}
	if all, _ := st.All(ctx, sc.Parents); len(all) != 3 || len(got) != 0 {
		t.Fatalf("a failed replace changed %d rows or sent %d events", len(all), len(got))
	}

	// The new data set drops a parent together with the child that
	// restricted its deletion, and takes over a freed unique name.
	added := uuid.NewString()
	err = st.Replace(ctx, func(tx store.Tx) error {
		for _, p := range []entity.Object{parent(keep, "keep", 1), parent(change, "change", 2), parent(added, "drop", 1)} {
			if err := tx.Insert(ctx, sc.Parents, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("replace: %v", err)
	}
	want := map[string]store.Op{child: store.OpDelete, drop: store.OpDelete, change: store.OpUpdate, added: store.OpCreate}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %v", got, want)
	}
	for i, ev := range got {
		if want[ev.ID] != ev.Op {
			t.Fatalf("event %d: %s %s, want %s", i, ev.Op, ev.ID, want[ev.ID])
		}
	}
	if got[0].ID != child {
		t.Fatalf("the child is not deleted first: %+v", got)
	}
	if obj, err := st.GetBy(ctx, sc.Parents, "name", "drop"); err != nil || obj["id"] != added {
		t.Fatalf("name index after replace: %v %v", obj, err)
	}
	if page, _ := st.List(ctx, sc.RestrictChildren, store.ListOptions{ForeignField: "parent", ForeignID: drop}); len(page.Data) != 0 {
		t.Fatalf("reference index after replace: %v", page.Data)
	}
	contents := st.Contents()
	if len(contents["parents"]) != 3 || len(contents["restrict_children"]) != 0 {
		t.Fatalf("contents: %v", contents)
	}
}

func TestNormalizeCopiesAndConverts(t *testing.T) {
	in := entity.Object{"n": 3, "i64": int64(4), "f": 1.5, "list": []string{"a"}, "nested": map[string]any{"x": []any{1}}}
	out, err := normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	if out["n"] != 3.0 || out["i64"] != 4.0 || out["f"] != 1.5 {
		t.Fatalf("numbers: %v", out)
	}
	if l, ok := out["list"].([]any); !ok || l[0] != "a" {
		t.Fatalf("list: %#v", out["list"])
	}
	in["nested"].(map[string]any)["x"].([]any)[0] = 9
	if out["nested"].(map[string]any)["x"].([]any)[0] != 1.0 {
		t.Fatalf("normalize shares nested values with its input")
	}
}
