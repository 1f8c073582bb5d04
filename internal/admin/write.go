package admin

import (
	"context"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// save completes in with Process, writes it inside tx and returns the row
// as stored. existing is the stored entity for upserts and updates.
func (a *API) save(ctx context.Context, tx store.Tx, s *entity.Schema, in entity.Object, op entity.Operation, existing entity.Object) (entity.Object, error) {
	if err := a.resolveForeign(ctx, tx, s, in); err != nil {
		return nil, err
	}
	obj, perr := s.Process(in, op, existing)
	if perr != nil {
		return nil, perr
	}
	if existing != nil {
		// The id of an existing row never changes through a write.
		obj["id"] = existing["id"]
	}
	id, _ := obj["id"].(string)
	var err error
	if op == entity.OpInsert {
		err = tx.Insert(ctx, s, obj)
	} else {
		err = tx.Put(ctx, s, obj)
	}
	if err != nil {
		return nil, fmt.Errorf("write %s %s: %w", s.Name, id, err)
	}
	stored, err := tx.Get(ctx, s, id)
	if err != nil {
		return nil, fmt.Errorf("reload %s %s: %w", s.Name, id, err)
	}
	return stored, nil
}

// formHint returns the stored fields that form coercion of an update body
// needs: a plugin's config is coerced with the schema of its name.
func formHint(s *entity.Schema, existing entity.Object) entity.Object {
	if existing == nil || s.Plugin == nil {
		return nil
	}
	return entity.Object{"name": existing["name"]}
}

// update runs fn in one store transaction.
func (a *API) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return a.st.Update(ctx, fn)
}
