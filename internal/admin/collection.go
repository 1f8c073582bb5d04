package admin

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// searchFields are the non-paged exact-match filters a collection accepts
// (GET /consumers?custom_id=x).
var searchFields = map[string]string{"consumers": "custom_id"}

// listEntities serves GET /{collection}.
func (a *API) listEntities(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		q, err := rc.query()
		if err != nil {
			return err
		}
		if field := searchFields[s.Name]; field != "" {
			if vs, ok := q[field]; ok {
				return a.searchEntities(rc, s, field, vs[0])
			}
		}
		pq, err := parsePage(q, true)
		if err != nil {
			return err
		}
		page, err := a.st.List(rc.r.Context(), s, pq.opts)
		if err != nil {
			return err
		}
		writeJSON(rc.w, http.StatusOK, listBody(shownPage(s, page), "/"+s.AdminPath, pq, true))
		return nil
	}
}

// searchEntities answers an exact-match search with an unpaged envelope.
func (a *API) searchEntities(rc *request, s *entity.Schema, field, value string) error {
	if value == "" {
		return message(http.StatusBadRequest, field+" must be an unempty string")
	}
	data := []entity.Object{}
	obj, err := fetch(rc.r.Context(), a.st, s, urlKey{value: value, field: field})
	if err != nil {
		return err
	}
	if obj != nil {
		data = append(data, obj)
	}
	writeJSON(rc.w, http.StatusOK, map[string]any{"data": data, "next": nil})
	return nil
}

// createEntity serves POST /{collection}.
func (a *API) createEntity(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		b, err := rc.readBody()
		if err != nil {
			return err
		}
		in := coerce(s, b, nil)
		var stored entity.Object
		err = a.update(rc.r.Context(), func(tx store.Tx) error {
			stored, err = a.save(rc.r.Context(), tx, s, in, entity.OpInsert, nil)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(rc.w, http.StatusCreated, shown(s, stored))
		return nil
	}
}

// getEntity serves GET /{collection}/{key}.
func (a *API) getEntity(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		k, err := parseKey(s, rc.params[0])
		if err != nil {
			return err
		}
		obj, err := fetch(rc.r.Context(), a.st, s, k)
		if err != nil {
			return err
		}
		if obj == nil {
			return k.missing()
		}
		writeJSON(rc.w, http.StatusOK, shown(s, obj))
		return nil
	}
}

// upsertEntity serves PUT /{collection}/{key}: a full replacement that
// creates the entity when it does not exist. The URL key overrides the
// body; a row found by endpoint key keeps its id.
func (a *API) upsertEntity(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		k, err := parseKey(s, rc.params[0])
		if err != nil {
			return err
		}
		b, err := rc.readBody()
		if err != nil {
			return err
		}
		ctx := rc.r.Context()
		var stored entity.Object
		err = a.update(ctx, func(tx store.Tx) error {
			existing, err := fetch(ctx, tx, s, k)
			if err != nil {
				return err
			}
			in := coerce(s, b, nil)
			applyKey(in, k, existing)
			stored, err = a.save(ctx, tx, s, in, entity.OpUpsert, existing)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(rc.w, http.StatusOK, shown(s, stored))
		return nil
	}
}

// applyKey writes the URL key into an upsert body and picks the id. A
// certificate addressed by SNI name gets the name added to its snis.
func applyKey(in entity.Object, k urlKey, existing entity.Object) {
	switch {
	case k.bySNI:
		in["snis"] = withName(in["snis"], k.value)
		if existing != nil {
			in["id"] = existing["id"]
		} else {
			in["id"] = uuid.NewString()
		}
	case k.byPK:
		in["id"] = k.value
	case existing != nil:
		in[k.field] = k.value
		in["id"] = existing["id"]
	default:
		in[k.field] = k.value
		in["id"] = uuid.NewString()
	}
}

// updateEntity serves PATCH /{collection}/{key}.
func (a *API) updateEntity(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		k, err := parseKey(s, rc.params[0])
		if err != nil {
			return err
		}
		b, err := rc.readBody()
		if err != nil {
			return err
		}
		ctx := rc.r.Context()
		var stored entity.Object
		err = a.update(ctx, func(tx store.Tx) error {
			existing, err := fetch(ctx, tx, s, k)
			if err != nil {
				return err
			}
			if existing == nil {
				return k.notFound()
			}
			in := coerce(s, b, formHint(s, existing))
			stored, err = a.save(ctx, tx, s, in, entity.OpUpdate, existing)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(rc.w, http.StatusOK, shown(s, stored))
		return nil
	}
}

// deleteEntity serves DELETE /{collection}/{key}; deleting a missing
// entity succeeds.
func (a *API) deleteEntity(s *entity.Schema) handlerFunc {
	return func(rc *request) error {
		k, err := parseKey(s, rc.params[0])
		if err != nil {
			return err
		}
		ctx := rc.r.Context()
		err = a.update(ctx, func(tx store.Tx) error {
			existing, err := fetch(ctx, tx, s, k)
			if err != nil {
				return err
			}
			if existing == nil {
				if k.bySNI {
					return errSNINotFound
				}
				return nil
			}
			return tx.Delete(ctx, s, idOf(existing))
		})
		if err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
