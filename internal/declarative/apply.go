package declarative

import (
	"context"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// Target is where Apply writes: the local store or a remote Admin API.
type Target interface {
	// Put creates (create true) or fully replaces the entity obj, which
	// carries its id.
	Put(ctx context.Context, s *entity.Schema, obj entity.Object, create bool) error
	// Delete removes the entity obj.
	Delete(ctx context.Context, s *entity.Schema, obj entity.Object) error
}

// InputTarget is implemented by targets that apply schemas' write
// transformations themselves (a remote Admin API hashes basic-auth
// passwords): they receive the values as the file wrote them.
type InputTarget interface {
	Target
	TransformsInput() bool
}

// Apply carries out changes in order, stopping at the first failure.
func Apply(ctx context.Context, changes []Change, t Target) error {
	it, ok := t.(InputTarget)
	raw := ok && it.TransformsInput()
	for _, c := range changes {
		obj := c.New
		if raw {
			obj = c.wire()
		}
		var err error
		switch c.Op {
		case OpDelete:
			err = t.Delete(ctx, c.Schema, c.Old)
		case OpCreate:
			err = t.Put(ctx, c.Schema, obj, true)
		case OpUpdate:
			err = t.Put(ctx, c.Schema, obj, false)
		default:
			err = fmt.Errorf("unknown change kind %q", c.Op)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	return nil
}

// TxTarget writes into a store transaction.
type TxTarget struct{ Tx store.Tx }

// Put writes the complete object.
func (t TxTarget) Put(ctx context.Context, s *entity.Schema, obj entity.Object, _ bool) error {
	return t.Tx.Put(ctx, s, obj)
}

// Delete removes the object by id.
func (t TxTarget) Delete(ctx context.Context, s *entity.Schema, obj entity.Object) error {
	return t.Tx.Delete(ctx, s, idOf(obj))
}

// ApplyToStore carries out changes in one store transaction: all of them
// or none.
func ApplyToStore(ctx context.Context, st store.Store, changes []Change) error {
	return st.Update(ctx, func(tx store.Tx) error { return Apply(ctx, changes, TxTarget{Tx: tx}) })
}

// ReadStore returns every entity of every schema of reg held by st, read
// in one consistent snapshot.
func ReadStore(ctx context.Context, st store.Store, reg *entity.Registry) (map[string][]entity.Object, error) {
	out := map[string][]entity.Object{}
	err := st.View(ctx, func(r store.Reader) error {
		for _, s := range reg.All() {
			list, err := r.All(ctx, s)
			if err != nil {
				return fmt.Errorf("reading %s: %w", s.Name, err)
			}
			if len(list) > 0 {
				out[s.Name] = list
			}
		}
		return nil
	})
	return out, err
}
