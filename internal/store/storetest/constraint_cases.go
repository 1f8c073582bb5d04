package storetest

import (
	"net/http"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

func testPrimaryKeyViolation(t *testing.T, h *harness) {
	p := h.parent("alpha")
	dup := parentObj("other")
	dup["id"] = p["id"]
	err := h.st.Insert(h.ctx, h.Parents, dup)
	wantEntityError(t, err, entity.CodePrimaryKeyViolation,
		`primary key violation on key '{id="`+p["id"].(string)+`"}'`, map[string]any{"id": p["id"]})
	h.assertStored(h.Parents, p)
}

func testUniqueViolation(t *testing.T, h *harness) {
	a := parentObj("alpha")
	a["custom_id"] = "c-1"
	h.insert(h.Parents, a)
	b := h.parent("beta")

	cases := []struct {
		desc    string
		name    any
		custom  any
		message string
		fields  map[string]any
	}{
		{"same name", "alpha", nil, `UNIQUE violation detected on '{name="alpha"}'`, map[string]any{"name": "alpha"}},
		{"same custom_id", "gamma", "c-1", `UNIQUE violation detected on '{custom_id="c-1"}'`, map[string]any{"custom_id": "c-1"}},
	}
	for _, c := range cases {
		obj := parentObj(c.name)
		obj["custom_id"] = c.custom
		err := h.st.Insert(h.ctx, h.Parents, obj)
		wantEntityError(t, err, entity.CodeUniqueViolation, c.message, c.fields)
		if status := err.(*entity.Error).Status(); status != http.StatusConflict {
			t.Fatalf("%s: status %d, want 409", c.desc, status)
		}
		h.assertMissing(h.Parents, obj["id"].(string))

		// Put of a new id clashes the same way.
		err = h.st.Put(h.ctx, h.Parents, obj)
		wantEntityError(t, err, entity.CodeUniqueViolation, c.message, c.fields)
		h.assertMissing(h.Parents, obj["id"].(string))
	}

	// Put of another existing row onto a taken name is a 409 too.
	clash := entity.Object{"id": b["id"], "name": "alpha", "custom_id": nil, "port": nil, "tags": nil}
	wantEntityError(t, h.st.Put(h.ctx, h.Parents, clash), entity.CodeUniqueViolation,
		`UNIQUE violation detected on '{name="alpha"}'`, nil)
	h.assertStored(h.Parents, b)

	// A row keeps its own keys when replaced.
	a["port"] = 9
	if err := h.st.Put(h.ctx, h.Parents, a); err != nil {
		t.Fatalf("put keeping own unique keys: %v", err)
	}

	// Null unique values never clash.
	h.parent(nil)
	h.parent(nil)
}

func testUniqueTogether(t *testing.T, h *harness) {
	p := h.parent("alpha")
	q := h.parent("beta")
	pid := p["id"].(string)
	scoped := func(name string, parent, child any) entity.Object {
		return entity.Object{"id": newID(), "name": name, "parent": parent, "child": child, "tags": nil}
	}
	first := h.insert(h.Scoped, scoped("basic-auth", ref(pid), nil))
	h.insert(h.Scoped, scoped("basic-auth", ref(q["id"].(string)), nil))
	h.insert(h.Scoped, scoped("key-auth", ref(pid), nil))
	h.insert(h.Scoped, scoped("basic-auth", nil, nil))

	cases := []struct {
		desc    string
		obj     entity.Object
		message string
		fields  map[string]any
	}{
		{"same scope", scoped("basic-auth", ref(pid), nil),
			`UNIQUE violation detected on '{child=null,name="basic-auth",parent={id="` + pid + `"}}'`,
			map[string]any{"child": nil, "name": "basic-auth", "parent": ref(pid)}},
		{"global twice", scoped("basic-auth", nil, nil),
			`UNIQUE violation detected on '{child=null,name="basic-auth",parent=null}'`,
			map[string]any{"child": nil, "name": "basic-auth", "parent": nil}},
	}
	for _, c := range cases {
		err := h.st.Insert(h.ctx, h.Scoped, c.obj)
		wantEntityError(t, err, entity.CodeUniqueViolation, c.message, c.fields)
		h.assertMissing(h.Scoped, c.obj["id"].(string))
	}

	// Replacing a row with its own combination is allowed.
	first["tags"] = []any{"t"}
	if err := h.st.Put(h.ctx, h.Scoped, first); err != nil {
		t.Fatalf("put keeping own combination: %v", err)
	}
}

func testForeignKeyViolation(t *testing.T, h *harness) {
	missing := newID()
	child := entity.Object{"id": newID(), "name": "c", "parent": ref(missing), "tags": nil}
	message := `the foreign key '{id="` + missing + `"}' does not reference an existing 'parents' entity.`
	fields := map[string]any{"parent": ref(missing)}

	wantEntityError(t, h.st.Insert(h.ctx, h.RestrictChildren, child), entity.CodeForeignKeyViolation, message, fields)
	h.assertMissing(h.RestrictChildren, child["id"].(string))
	wantEntityError(t, h.st.Put(h.ctx, h.RestrictChildren, child), entity.CodeForeignKeyViolation, message, fields)
	h.assertMissing(h.RestrictChildren, child["id"].(string))

	// A null foreign key needs no parent; an existing parent is accepted.
	child["parent"] = nil
	h.insert(h.RestrictChildren, child)
	p := h.parent("alpha")
	child["parent"] = ref(p["id"].(string))
	if err := h.st.Put(h.ctx, h.RestrictChildren, child); err != nil {
		t.Fatalf("put with existing parent: %v", err)
	}
	h.assertStored(h.RestrictChildren, child)

	// Repointing at a missing parent is refused and keeps the old row.
	bad := entity.Object{"id": child["id"], "name": "c", "parent": ref(missing), "tags": nil}
	wantEntityError(t, h.st.Put(h.ctx, h.RestrictChildren, bad), entity.CodeForeignKeyViolation, message, fields)
	h.assertStored(h.RestrictChildren, child)
}
