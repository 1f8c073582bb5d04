package storetest

import (
	"encoding/base64"
	"slices"
	"sort"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// insertParents stores n unnamed parents with the given tags in one
// transaction and returns their ids in ascending order.
func (h *harness) insertParents(n int, tags []any) []string {
	h.t.Helper()
	ids := make([]string, n)
	err := h.st.Update(h.ctx, func(tx store.Tx) error {
		for i := range ids {
			obj := parentObj(nil)
			obj["tags"] = tags
			ids[i] = obj["id"].(string)
			if err := tx.Insert(h.ctx, h.Parents, obj); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatalf("insert %d parents: %v", n, err)
	}
	sort.Strings(ids)
	return ids
}

func testPagination(t *testing.T, h *harness) {
	want := h.insertParents(7, nil)
	cases := []struct{ size, pages int }{
		{1, 7}, {2, 4}, {3, 3}, {6, 2}, {7, 1}, {8, 1}, {100, 1},
	}
	for _, c := range cases {
		ids, pages := h.listAll(h.Parents, store.ListOptions{Size: c.size})
		if !slices.Equal(ids, want) {
			t.Fatalf("size %d: got ids %v, want each row once in ascending order %v", c.size, ids, want)
		}
		if pages != c.pages {
			t.Fatalf("size %d: got %d pages, want %d", c.size, pages, c.pages)
		}
	}
	all, err := h.st.All(h.ctx, h.Parents)
	if err != nil {
		t.Fatalf("all: %v", err)
	}
	if got := idsOf(all); !slices.Equal(got, want) {
		t.Fatalf("all: got %v, want %v", got, want)
	}
}

func testPaginationDefaultSize(t *testing.T, h *harness) {
	want := h.insertParents(205, nil)
	page, err := h.st.List(h.ctx, h.Parents, store.ListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(page.Data) != 100 || page.Offset == "" {
		t.Fatalf("default page: got %d rows, offset %q; want 100 rows and an offset", len(page.Data), page.Offset)
	}
	ids, pages := h.listAll(h.Parents, store.ListOptions{})
	if !slices.Equal(ids, want) || pages != 3 {
		t.Fatalf("default size: got %d ids in %d pages, want %d in 3", len(ids), pages, len(want))
	}
	all, err := h.st.All(h.ctx, h.Parents)
	if err != nil {
		t.Fatalf("all: %v", err)
	}
	if got := idsOf(all); !slices.Equal(got, want) {
		t.Fatalf("all: got %d ids, want %d in ascending order", len(got), len(want))
	}
}

func testInvalidOffset(t *testing.T, h *harness) {
	h.insertParents(3, nil)
	cases := []struct{ offset, reason string }{
		{"x", "bad base64 encoding"},
		{"!!!!", "bad base64 encoding"},
		{base64.RawURLEncoding.EncodeToString([]byte("not json")), "bad json encoding"},
		{base64.RawURLEncoding.EncodeToString([]byte(`{"id":"a"}`)), "bad json encoding"},
	}
	for _, c := range cases {
		_, err := h.st.List(h.ctx, h.Parents, store.ListOptions{Offset: c.offset})
		wantEntityError(t, err, entity.CodeInvalidOffset, "'"+c.offset+"' is not a valid offset: "+c.reason, nil)
	}
}

func testEmptyList(t *testing.T, h *harness) {
	page, err := h.st.List(h.ctx, h.Parents, store.ListOptions{Size: 10})
	if err != nil || len(page.Data) != 0 || page.Offset != "" {
		t.Fatalf("empty list: got %+v, %v", page, err)
	}
	all, err := h.st.All(h.ctx, h.Parents)
	if err != nil || len(all) != 0 {
		t.Fatalf("empty all: got %v, %v", all, err)
	}
}

func testTagFilters(t *testing.T, h *harness) {
	tagged := map[string][]any{
		"ab":   {"a", "b"},
		"a":    {"a"},
		"bc":   {"b", "c"},
		"none": nil,
		"ca":   {"c", "a"},
	}
	ids := map[string]string{}
	for name, tags := range tagged {
		obj := parentObj(name)
		obj["tags"] = tags
		h.insert(h.Parents, obj)
		ids[name] = obj["id"].(string)
	}
	// Tags of another entity type never match.
	h.insert(h.RestrictChildren, entity.Object{"id": newID(), "name": "x", "parent": nil, "tags": []any{"a", "b", "c"}})

	cases := []struct {
		tags []string
		or   bool
		want []string
	}{
		{[]string{"a", "b"}, false, []string{"ab"}},
		{[]string{"a"}, false, []string{"ab", "a", "ca"}},
		{[]string{"a", "a"}, false, []string{"ab", "a", "ca"}},
		{[]string{"c", "a"}, false, []string{"ca"}},
		{[]string{"a", "zzz"}, false, nil},
		{[]string{"a", "c"}, true, []string{"ab", "a", "bc", "ca"}},
		{[]string{"b", "zzz"}, true, []string{"ab", "bc"}},
		{[]string{"zzz"}, true, nil},
	}
	for _, c := range cases {
		var want []string
		for _, name := range c.want {
			want = append(want, ids[name])
		}
		sort.Strings(want)
		for _, size := range []int{1, 2, 100} {
			got, _ := h.listAll(h.Parents, store.ListOptions{Tags: c.tags, TagsOr: c.or, Size: size})
			if !slices.Equal(got, want) {
				t.Fatalf("tags %v or=%v size %d: got %v, want %v", c.tags, c.or, size, got, want)
			}
		}
	}

	// Replacing a row replaces its tags.
	repl := parentObj("ab")
	repl["id"] = ids["ab"]
	repl["tags"] = []any{"z"}
	if err := h.st.Put(h.ctx, h.Parents, repl); err != nil {
		t.Fatalf("put: %v", err)
	}
	if got, _ := h.listAll(h.Parents, store.ListOptions{Tags: []string{"a", "b"}}); len(got) != 0 {
		t.Fatalf("old tags still match after put: %v", got)
	}
	if got, _ := h.listAll(h.Parents, store.ListOptions{Tags: []string{"z"}}); !slices.Equal(got, []string{ids["ab"]}) {
		t.Fatalf("new tags do not match after put: %v", got)
	}
}

func testForeignFilter(t *testing.T, h *harness) {
	p1 := h.parent("one")["id"].(string)
	p2 := h.parent("two")["id"].(string)
	child := func(parent any) string {
		obj := entity.Object{"id": newID(), "name": "c", "parent": parent, "tags": []any{"t"}}
		h.insert(h.RestrictChildren, obj)
		return obj["id"].(string)
	}
	of1 := []string{child(ref(p1)), child(ref(p1)), child(ref(p1))}
	of2 := []string{child(ref(p2))}
	child(nil)
	sort.Strings(of1)

	cases := []struct {
		parent string
		want   []string
	}{
		{p1, of1},
		{p2, of2},
		{newID(), nil},
	}
	for _, c := range cases {
		for _, size := range []int{1, 2, 100} {
			opts := store.ListOptions{ForeignField: "parent", ForeignID: c.parent, Size: size}
			if got, _ := h.listAll(h.RestrictChildren, opts); !slices.Equal(got, c.want) {
				t.Fatalf("children of %s size %d: got %v, want %v", c.parent, size, got, c.want)
			}
		}
	}
	opts := store.ListOptions{ForeignField: "parent", ForeignID: p1, Tags: []string{"t"}}
	if got, _ := h.listAll(h.RestrictChildren, opts); !slices.Equal(got, of1) {
		t.Fatalf("children of p1 tagged t: got %v, want %v", got, of1)
	}

	// Moving a child to another parent moves it between listings.
	moved := entity.Object{"id": of1[0], "name": "c", "parent": ref(p2), "tags": nil}
	if err := h.st.Put(h.ctx, h.RestrictChildren, moved); err != nil {
		t.Fatalf("put: %v", err)
	}
	got, _ := h.listAll(h.RestrictChildren, store.ListOptions{ForeignField: "parent", ForeignID: p1})
	if !slices.Equal(got, of1[1:]) {
		t.Fatalf("after move, children of p1: got %v, want %v", got, of1[1:])
	}
	want2 := append([]string{of1[0]}, of2...)
	sort.Strings(want2)
	got, _ = h.listAll(h.RestrictChildren, store.ListOptions{ForeignField: "parent", ForeignID: p2})
	if !slices.Equal(got, want2) {
		t.Fatalf("after move, children of p2: got %v, want %v", got, want2)
	}
}

func idsOf(objs []entity.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o["id"].(string)
	}
	return out
}
