package admin

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// parentOf serves /{collection}/{e}/{field}: the entity that e's foreign
// field points at (/routes/{r}/service).
type parentOf struct {
	api    *API
	schema *entity.Schema // the entity holding the foreign key
	field  string
	parent *entity.Schema
}

// load resolves e and the id its foreign field holds ("" when unset).
func (p *parentOf) load(ctx context.Context, rd store.Reader, rc *request) (entity.Object, string, error) {
	k, err := parseKey(p.schema, rc.params[0])
	if err != nil {
		return nil, "", err
	}
	obj, err := fetch(ctx, rd, p.schema, k)
	if err != nil {
		return nil, "", err
	}
	if obj == nil {
		return nil, "", errNotFound
	}
	return obj, foreignID(obj[p.field]), nil
}

// loadParent resolves the parent entity; missing is a 404.
func (p *parentOf) loadParent(ctx context.Context, rd store.Reader, rc *request) (entity.Object, error) {
	_, pid, err := p.load(ctx, rd, rc)
	if err != nil {
		return nil, err
	}
	if pid == "" {
		return nil, errNotFound
	}
	parent, err := fetch(ctx, rd, p.parent, urlKey{value: pid, byPK: true, field: "id"})
	if err != nil {
		return nil, err
	}
	if parent == nil {
		return nil, errNotFound
	}
	return parent, nil
}

// get serves GET: the parent, or 404 when e has none.
func (p *parentOf) get(rc *request) error {
	parent, err := p.loadParent(rc.r.Context(), p.api.st, rc)
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, parent)
	return nil
}

// patch serves PATCH: a partial update of the parent.
func (p *parentOf) patch(rc *request) error {
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	var stored entity.Object
	err = p.api.update(ctx, func(tx store.Tx) error {
		parent, err := p.loadParent(ctx, tx, rc)
		if err != nil {
			return err
		}
		in := coerce(p.parent, b, formHint(p.parent, parent))
		stored, err = p.api.save(ctx, tx, p.parent, in, entity.OpUpdate, parent)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, stored)
	return nil
}

// put serves PUT: a full replacement of the parent. When e has no parent a
// new one is created and e is pointed at it.
func (p *parentOf) put(rc *request) error {
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	var stored entity.Object
	err = p.api.update(ctx, func(tx store.Tx) error {
		obj, pid, err := p.load(ctx, tx, rc)
		if err != nil {
			return err
		}
		var existing entity.Object
		if pid != "" {
			existing, err = fetch(ctx, tx, p.parent, urlKey{value: pid, byPK: true, field: "id"})
			if err != nil {
				return err
			}
		} else {
			pid = uuid.NewString()
		}
		in := coerce(p.parent, b, nil)
		in["id"] = pid
		stored, err = p.api.save(ctx, tx, p.parent, in, entity.OpUpsert, existing)
		if err != nil || foreignID(obj[p.field]) == pid {
			return err
		}
		_, err = p.api.save(ctx, tx, p.schema, entity.Object{p.field: map[string]any{"id": pid}}, entity.OpUpdate, obj)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, stored)
	return nil
}

// remove serves DELETE: parents are not deleted through their children,
// so an existing parent answers 405 and a missing one 404.
func (p *parentOf) remove(rc *request) error {
	if _, err := p.loadParent(rc.r.Context(), p.api.st, rc); err != nil {
		return err
	}
	return errMethodNotAllowed
}
