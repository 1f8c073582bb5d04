package admin

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// nested is a child collection under a parent: /{parent}/{p}/{child}
// lists the children whose foreign field fk points at p.
//
// Children without a top-level collection of their own (targets) follow
// Kong's custom rules for them: listed newest first, and PUT/PATCH are
// partial updates that never create (a missing child is a plain 404).
type nested struct {
	api    *API
	parent *entity.Schema
	child  *entity.Schema
	fk     string
}

func (n *nested) nestedOnly() bool { return n.child.AdminPath == "" }

// loadParent resolves the parent named by the first URL placeholder.
func (n *nested) loadParent(ctx context.Context, rd store.Reader, rc *request) (entity.Object, error) {
	k, err := parseKey(n.parent, rc.params[0])
	if err != nil {
		return nil, err
	}
	obj, err := fetch(ctx, rd, n.parent, k)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, k.missing()
	}
	return obj, nil
}

// loadChild resolves the parent and the child named by the second
// placeholder; a child of another parent counts as missing.
func (n *nested) loadChild(ctx context.Context, rd store.Reader, rc *request) (parent, child entity.Object, k urlKey, elsewhere bool, err error) {
	parent, err = n.loadParent(ctx, rd, rc)
	if err != nil {
		return nil, nil, k, false, err
	}
	k, err = parseChildKey(n.child, rc.params[1])
	if err != nil {
		return nil, nil, k, false, err
	}
	child, elsewhere, err = fetchChild(ctx, rd, n.child, n.fk, idOf(parent), k)
	return parent, child, k, elsewhere, err
}

func (n *nested) ref(parent entity.Object) map[string]any {
	return map[string]any{"id": idOf(parent)}
}

// list serves GET /{parent}/{p}/{child}. Tags are ignored and the next
// link carries neither size nor tags.
func (n *nested) list(rc *request) error {
	ctx := rc.r.Context()
	q, err := rc.query()
	if err != nil {
		return err
	}
	pq, err := parsePage(q, false)
	if err != nil {
		return err
	}
	parent, err := n.loadParent(ctx, n.api.st, rc)
	if err != nil {
		return err
	}
	base := "/" + n.parent.AdminPath + "/" + rc.raw[0] + "/" + n.child.Nested()
	var page store.Page
	if n.nestedOnly() {
		page, err = n.newestFirst(ctx, idOf(parent), pq.opts)
	} else {
		pq.opts.ForeignField, pq.opts.ForeignID = n.fk, idOf(parent)
		page, err = n.api.st.List(ctx, n.child, pq.opts)
	}
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, listBody(shownPage(n.child, page), base, pq, false))
	return nil
}

// newestFirst pages through all children of a parent sorted by creation
// time, newest first; the offset is the decimal index of the next row.
func (n *nested) newestFirst(ctx context.Context, parentID string, opts store.ListOptions) (store.Page, error) {
	start := 0
	if opts.Offset != "" {
		v, err := strconv.Atoi(opts.Offset)
		if err != nil || v < 0 {
			return store.Page{}, offsetError(opts.Offset, "bad base64 encoding")
		}
		start = v
	}
	var all []entity.Object
	err := eachChild(ctx, n.api.st, n.child, n.fk, parentID, func(obj entity.Object) bool {
		all = append(all, obj)
		return true
	})
	if err != nil {
		return store.Page{}, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		ci, cj := number(all[i]["created_at"]), number(all[j]["created_at"])
		if ci != cj {
			return ci > cj
		}
		return idOf(all[i]) > idOf(all[j])
	})
	if start > len(all) {
		start = len(all)
	}
	end := min(start+opts.Size, len(all))
	page := store.Page{Data: all[start:end]}
	if end < len(all) {
		page.Offset = strconv.Itoa(end)
	}
	return page, nil
}

func number(v any) float64 {
	f, _ := v.(float64)
	return f
}

// create serves POST /{parent}/{p}/{child}; the foreign key comes from the
// URL whatever the body says.
func (n *nested) create(rc *request) error {
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	var stored entity.Object
	err = n.api.update(ctx, func(tx store.Tx) error {
		parent, err := n.loadParent(ctx, tx, rc)
		if err != nil {
			return err
		}
		in := coerce(n.child, b, nil)
		in[n.fk] = n.ref(parent)
		stored, err = n.api.save(ctx, tx, n.child, in, entity.OpInsert, nil)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusCreated, shown(n.child, stored))
	return nil
}

// get serves GET /{parent}/{p}/{child}/{c}.
func (n *nested) get(rc *request) error {
	_, child, _, _, err := n.loadChild(rc.r.Context(), n.api.st, rc)
	if err != nil {
		return err
	}
	if child == nil {
		return errNotFound
	}
	writeJSON(rc.w, http.StatusOK, shown(n.child, child))
	return nil
}

// put serves PUT /{parent}/{p}/{child}/{c}: an upsert pinned to the parent
// (a partial update for nested-only children).
func (n *nested) put(rc *request) error {
	if n.nestedOnly() {
		return n.patch(rc)
	}
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	var stored entity.Object
	err = n.api.update(ctx, func(tx store.Tx) error {
		parent, child, k, elsewhere, err := n.loadChild(ctx, tx, rc)
		if err != nil {
			return err
		}
		if elsewhere {
			return errNotFound
		}
		in := coerce(n.child, b, nil)
		applyKey(in, k, child)
		in[n.fk] = n.ref(parent)
		stored, err = n.api.save(ctx, tx, n.child, in, entity.OpUpsert, child)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, shown(n.child, stored))
	return nil
}

// patch serves PATCH /{parent}/{p}/{child}/{c}; the body may move the
// child to another parent, otherwise it stays under this one.
func (n *nested) patch(rc *request) error {
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	var stored entity.Object
	err = n.api.update(ctx, func(tx store.Tx) error {
		parent, child, _, _, err := n.loadChild(ctx, tx, rc)
		if err != nil {
			return err
		}
		if child == nil {
			return errNotFound
		}
		in := coerce(n.child, b, formHint(n.child, child))
		if _, ok := in[n.fk]; !ok || n.nestedOnly() {
			in[n.fk] = n.ref(parent)
		}
		stored, err = n.api.save(ctx, tx, n.child, in, entity.OpUpdate, child)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, shown(n.child, stored))
	return nil
}

// remove serves DELETE /{parent}/{p}/{child}/{c}; unlike top-level
// deletes, a missing parent or child is a 404.
func (n *nested) remove(rc *request) error {
	ctx := rc.r.Context()
	err := n.api.update(ctx, func(tx store.Tx) error {
		_, child, _, _, err := n.loadChild(ctx, tx, rc)
		if err != nil {
			return err
		}
		if child == nil {
			return errNotFound
		}
		return tx.Delete(ctx, n.child, idOf(child))
	})
	if err != nil {
		return err
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}
