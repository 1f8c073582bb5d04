package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// rowKey names one stored row.
type rowKey struct{ entity, id string }

// doomedRow is a row a Delete removes, with its last stored value.
type doomedRow struct {
	rowKey
	old entity.Object
}

// Delete implements store.Writer. It first walks the tree of rows that
// reference the target (restrict fails the whole delete with a
// ReferencedBy error, cascade adds the child and its own children), then
// deletes children before their parents, one event each.
func (t *writeTx) Delete(ctx context.Context, s *entity.Schema, id string) error {
	old, err := t.Get(ctx, s, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var doomed []doomedRow
	seen := map[rowKey]bool{}
	if err := t.collect(ctx, doomedRow{rowKey{s.Name, id}, old}, seen, &doomed); err != nil {
		return err
	}
	for _, row := range doomed {
		if _, err := t.q.ExecContext(ctx, `DELETE FROM entities WHERE entity = $1 AND id = $2`,
			row.entity, row.id); err != nil {
			return fmt.Errorf("sqlite: delete %s %q: %w", row.entity, row.id, err)
		}
		if err := t.deleteIndexes(ctx, row.entity, row.id); err != nil {
			return err
		}
		t.events = append(t.events, store.Event{Entity: row.entity, Op: store.OpDelete, ID: row.id, Old: row.old})
	}
	return nil
}

// collect appends row's cascading descendants, then row itself, to doomed
// (post-order), failing on the first restricting reference.
func (t *writeTx) collect(ctx context.Context, row doomedRow, seen map[rowKey]bool, doomed *[]doomedRow) error {
	seen[row.rowKey] = true
	children, err := t.referrers(ctx, row.rowKey)
	if err != nil {
		return err
	}
	for _, c := range children {
		if t.onDelete(c) != entity.Cascade {
			return entity.ReferencedBy(c.entity, row.entity)
		}
	}
	for _, c := range children {
		if seen[c.rowKey] {
			continue
		}
		cs := t.reg.Get(c.entity)
		old, err := t.Get(ctx, cs, c.id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := t.collect(ctx, doomedRow{c.rowKey, old}, seen, doomed); err != nil {
			return err
		}
	}
	*doomed = append(*doomed, row)
	return nil
}

// referrer is a row referencing another through one of its fields.
type referrer struct {
	rowKey
	field string
}

// referrers lists the rows whose foreign keys point at target.
func (t *writeTx) referrers(ctx context.Context, target rowKey) ([]referrer, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT entity, id, field FROM refs
		WHERE ref_entity = $1 AND ref_id = $2 ORDER BY entity, id, field`, target.entity, target.id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find references to %s %q: %w", target.entity, target.id, err)
	}
	defer rows.Close()
	var out []referrer
	for rows.Next() {
		var r referrer
		if err := rows.Scan(&r.entity, &r.id, &r.field); err != nil {
			return nil, fmt.Errorf("sqlite: find references to %s %q: %w", target.entity, target.id, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find references to %s %q: %w", target.entity, target.id, err)
	}
	return out, nil
}

// onDelete returns the rule of the referencing field; references from
// schemas or fields the registry no longer knows restrict.
func (t *writeTx) onDelete(r referrer) entity.OnDelete {
	s := t.reg.Get(r.entity)
	if s == nil {
		return entity.Restrict
	}
	f := s.Field(r.field)
	if f == nil {
		return entity.Restrict
	}
	return f.OnDelete
}
