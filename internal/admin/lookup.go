package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// urlKey is an entity addressed in a URL: by primary key when the value is
// a UUID, otherwise by the schema's endpoint key, or for certificates by
// the name of one of their SNIs.
type urlKey struct {
	value string
	byPK  bool
	field string
	bySNI bool
}

// parseKey classifies the key of an entity addressed on its own
// (/{collection}/{key}), rejecting values the endpoint key field cannot
// hold (400 code 10) and non-UUIDs on schemas without an endpoint key
// that is unique by itself (400 code 1). A certificate's non-UUID key is
// an SNI name.
func parseKey(s *entity.Schema, value string) (urlKey, error) {
	if !entity.IsUUID(value) && s.Name == entity.Certificates.Name {
		return urlKey{value: value, field: "snis", bySNI: true}, nil
	}
	k, err := parseChildKey(s, value)
	if err != nil || k.byPK || uniqueField(s, k.field) {
		return k, err
	}
	return urlKey{}, invalidPrimaryKey()
}

// parseChildKey classifies the key of an entity addressed under its
// parent (/{parent}/{p}/{child}/{key}), where an endpoint key that is not
// unique by itself (an acl's group, a target's address) is matched among
// the parent's children.
func parseChildKey(s *entity.Schema, value string) (urlKey, error) {
	if entity.IsUUID(value) {
		return urlKey{value: value, byPK: true, field: "id"}, nil
	}
	if err := entity.ValidateEndpointKey(s, value); err != nil {
		return urlKey{}, err
	}
	if s.EndpointKey == "" {
		return urlKey{}, invalidPrimaryKey()
	}
	return urlKey{value: value, field: s.EndpointKey}, nil
}

func invalidPrimaryKey() *entity.Error {
	fields := map[string]any{"id": "expected a valid UUID"}
	return &entity.Error{Code: entity.CodeInvalidPrimaryKey, Name: "invalid primary key",
		Message: "invalid primary key: '" + entity.LuaLiteral(fields) + "'", Fields: fields}
}

// notFound is the structured 404 of a write on a missing entity.
func (k urlKey) notFound() error {
	if k.bySNI {
		return errSNINotFound
	}
	return entity.NotFound(map[string]any{k.field: k.value}, k.byPK)
}

// missing is the 404 of a read of a missing entity.
func (k urlKey) missing() error {
	if k.bySNI {
		return errSNINotFound
	}
	return errNotFound
}

// fetch loads the entity a key names; a missing entity is (nil, nil).
func fetch(ctx context.Context, rd store.Reader, s *entity.Schema, k urlKey) (entity.Object, error) {
	var obj entity.Object
	var err error
	if k.bySNI {
		return certificateBySNI(ctx, rd, k.value)
	}
	if k.byPK {
		obj, err = rd.Get(ctx, s, k.value)
	} else {
		obj, err = rd.GetBy(ctx, s, k.field, k.value)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load %s %q: %w", s.Name, k.value, err)
	}
	if expired(s, obj) {
		return nil, nil
	}
	return obj, nil
}

// fetchChild loads the child a key names and returns it only when its
// foreign field fk points at parentID; elsewhere reports a child found
// under another parent. Endpoint keys that are not unique on their own (a
// target's address) are matched among the parent's children.
func fetchChild(ctx context.Context, rd store.Reader, child *entity.Schema, fk, parentID string, k urlKey) (obj entity.Object, elsewhere bool, err error) {
	if k.byPK || uniqueField(child, k.field) {
		obj, err := fetch(ctx, rd, child, k)
		if err != nil || obj == nil {
			return nil, false, err
		}
		if foreignID(obj[fk]) != parentID {
			return nil, true, nil
		}
		return obj, false, nil
	}
	var found entity.Object
	err = eachChild(ctx, rd, child, fk, parentID, func(obj entity.Object) bool {
		if v, ok := obj[k.field].(string); ok && v == k.value {
			found = obj
			return false
		}
		return true
	})
	return found, false, err
}

// eachChild calls fn for every child of parentID until fn returns false.
func eachChild(ctx context.Context, rd store.Reader, child *entity.Schema, fk, parentID string, fn func(entity.Object) bool) error {
	opts := store.ListOptions{Size: maxPageSize, ForeignField: fk, ForeignID: parentID}
	for {
		page, err := rd.List(ctx, child, opts)
		if err != nil {
			return fmt.Errorf("list %s of %s: %w", child.Name, parentID, err)
		}
		for _, obj := range page.Data {
			if !fn(obj) {
				return nil
			}
		}
		if page.Offset == "" {
			return nil
		}
		opts.Offset = page.Offset
	}
}

func uniqueField(s *entity.Schema, name string) bool {
	f := s.Field(name)
	return f != nil && f.Unique
}

// foreignID returns the id inside a stored foreign key value ({"id": ...}).
func foreignID(v any) string {
	if m, ok := v.(map[string]any); ok {
		if id, ok := m["id"].(string); ok {
			return id
		}
	}
	return ""
}

// idOf returns an entity's primary key.
func idOf(obj entity.Object) string {
	id, _ := obj["id"].(string)
	return id
}
