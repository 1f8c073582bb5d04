package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// writeTx implements store.Tx inside one SQL write transaction. Every write
// checks all its constraints before changing anything, so a write that
// fails leaves the transaction as it was and fn may go on.
type writeTx struct {
	reader
	events []store.Event
}

// Insert implements store.Writer: primary key, unique and foreign-key
// checks (in that order, as PostgreSQL reports them), then the rows.
func (t *writeTx) Insert(ctx context.Context, s *entity.Schema, obj entity.Object) error {
	id, err := objectID(s, obj)
	if err != nil {
		return err
	}
	found, err := t.exists(ctx, s.Name, id)
	if err != nil {
		return err
	}
	if found {
		return entity.PrimaryKeyViolation(id)
	}
	return t.write(ctx, s, id, obj, nil)
}

// Put implements store.Writer: an insert when the id is new, otherwise a
// full replacement reported as an update.
func (t *writeTx) Put(ctx context.Context, s *entity.Schema, obj entity.Object) error {
	id, err := objectID(s, obj)
	if err != nil {
		return err
	}
	old, err := t.Get(ctx, s, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return t.write(ctx, s, id, obj, old)
}

// write stores obj under id after checking its unique and foreign keys;
// old is the row it replaces, nil for a new row.
func (t *writeTx) write(ctx context.Context, s *entity.Schema, id string, obj, old entity.Object) error {
	keys := store.UniqueKeys(s, obj)
	if err := t.checkUnique(ctx, s, id, keys); err != nil {
		return err
	}
	refs, err := store.ForeignRefs(s, obj)
	if err != nil {
		return err
	}
	if err := t.checkForeign(ctx, refs); err != nil {
		return err
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("sqlite: encode %s %q: %w", s.Name, id, err)
	}
	// The event carries the stored form (float64 numbers, own maps), the
	// same value a later Get returns.
	stored, err := decodeBody(s.Name, string(body))
	if err != nil {
		return err
	}
	if old == nil {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO entities (entity, id, body) VALUES ($1, $2, $3)`,
			s.Name, id, string(body)); err != nil {
			return fmt.Errorf("sqlite: insert %s %q: %w", s.Name, id, err)
		}
	} else {
		if _, err := t.q.ExecContext(ctx, `UPDATE entities SET body = $3 WHERE entity = $1 AND id = $2`,
			s.Name, id, string(body)); err != nil {
			return fmt.Errorf("sqlite: update %s %q: %w", s.Name, id, err)
		}
		if err := t.deleteIndexes(ctx, s.Name, id); err != nil {
			return err
		}
	}
	if err := t.writeIndexes(ctx, s.Name, id, keys, refs, store.ObjectTags(obj)); err != nil {
		return err
	}
	ev := store.Event{Entity: s.Name, Op: store.OpCreate, ID: id, New: stored}
	if old != nil {
		ev.Op, ev.Old = store.OpUpdate, old
	}
	t.events = append(t.events, ev)
	return nil
}

// checkUnique fails with a unique violation when another row holds one of
// keys.
func (t *writeTx) checkUnique(ctx context.Context, s *entity.Schema, id string, keys []store.UniqueKey) error {
	for _, k := range keys {
		var owner string
		err := t.q.QueryRowContext(ctx, `SELECT id FROM uniques WHERE entity = $1 AND field = $2 AND value = $3`,
			s.Name, k.Field, k.Value).Scan(&owner)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: check unique %s.%s: %w", s.Name, k.Field, err)
		}
		if owner != id {
			return entity.UniqueViolation(k.Fields)
		}
	}
	return nil
}

// checkForeign fails with a foreign key violation when a reference names a
// missing row.
func (t *writeTx) checkForeign(ctx context.Context, refs []store.ForeignRef) error {
	for _, r := range refs {
		found, err := t.exists(ctx, r.Schema, r.ID)
		if err != nil {
			return err
		}
		if !found {
			return entity.ForeignKeyViolation(r.Field, r.Schema, map[string]any{"id": r.ID})
		}
	}
	return nil
}

// writeIndexes records the unique keys, references and tags of a row.
func (t *writeTx) writeIndexes(ctx context.Context, entityName, id string, keys []store.UniqueKey, refs []store.ForeignRef, tags []string) error {
	for _, k := range keys {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO uniques (entity, field, value, id) VALUES ($1, $2, $3, $4)`,
			entityName, k.Field, k.Value, id); err != nil {
			return fmt.Errorf("sqlite: index unique %s.%s: %w", entityName, k.Field, err)
		}
	}
	for _, r := range refs {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO refs (entity, id, field, ref_entity, ref_id) VALUES ($1, $2, $3, $4, $5)`,
			entityName, id, r.Field, r.Schema, r.ID); err != nil {
			return fmt.Errorf("sqlite: index reference %s.%s: %w", entityName, r.Field, err)
		}
	}
	for _, tag := range tags {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO tags (entity, id, tag) VALUES ($1, $2, $3)`,
			entityName, id, tag); err != nil {
			return fmt.Errorf("sqlite: index tag %s %q: %w", entityName, tag, err)
		}
	}
	return nil
}

// deleteIndexes removes the unique keys, references and tags of a row.
func (t *writeTx) deleteIndexes(ctx context.Context, entityName, id string) error {
	for _, stmt := range [...]string{
		`DELETE FROM uniques WHERE entity = $1 AND id = $2`,
		`DELETE FROM refs WHERE entity = $1 AND id = $2`,
		`DELETE FROM tags WHERE entity = $1 AND id = $2`,
	} {
		if _, err := t.q.ExecContext(ctx, stmt, entityName, id); err != nil {
			return fmt.Errorf("sqlite: unindex %s %q: %w", entityName, id, err)
		}
	}
	return nil
}

// objectID returns obj's primary key, which must be a non-empty string.
func objectID(s *entity.Schema, obj entity.Object) (string, error) {
	id, ok := obj[primaryKey(s)].(string)
	if !ok || id == "" {
		return "", fmt.Errorf("sqlite: write %s: object has no string %q", s.Name, primaryKey(s))
	}
	return id, nil
}
