package admin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// resolveForeign rewrites the foreign keys of a request body to {"id": ...}.
// A value carrying an id keeps only the id (clients may send more keys next
// to it); a value naming the parent by one of its unique fields is looked
// up. Names that match no parent yield a "foreign keys unresolved" error.
// Other shapes are left for schema validation to report.
func (a *API) resolveForeign(ctx context.Context, rd store.Reader, s *entity.Schema, obj entity.Object) error {
	unresolved := map[string]any{}
	var items []string
	for _, f := range s.ForeignFields() {
		ref, ok := obj[f.Name].(map[string]any)
		if !ok {
			continue
		}
		if id, ok := ref["id"]; ok {
			obj[f.Name] = map[string]any{"id": id}
			continue
		}
		parent := a.reg.Get(f.Reference)
		if parent == nil {
			continue
		}
		field, value, ok := uniqueLookupKey(parent, ref)
		if !ok {
			continue
		}
		found, err := rd.GetBy(ctx, parent, field, value)
		switch {
		case err == nil:
			obj[f.Name] = map[string]any{"id": found["id"]}
		case errors.Is(err, store.ErrNotFound):
			msg := "the foreign key cannot be resolved with '" +
				entity.LuaLiteral(map[string]any{field: ref[field]}) +
				"' for an existing '" + parent.Name + "' entity"
			unresolved[f.Name] = map[string]any{field: msg}
			items = append(items, f.Name+"."+field+": "+msg)
		default:
			return fmt.Errorf("resolve %s.%s: %w", s.Name, f.Name, err)
		}
	}
	if len(items) == 0 {
		return nil
	}
	sort.Strings(items)
	msg := "foreign key unresolved (" + items[0] + ")"
	if len(items) > 1 {
		msg = strconv.Itoa(len(items)) + " foreign keys unresolved (" + strings.Join(items, "; ") + ")"
	}
	return &entity.Error{Code: entity.CodeForeignKeysUnresolv, Name: "foreign keys unresolved",
		Message: msg, Fields: unresolved}
}

// uniqueLookupKey picks the first (by name) non-null unique field of parent
// present in ref, as a lookup string.
func uniqueLookupKey(parent *entity.Schema, ref map[string]any) (string, string, bool) {
	keys := make([]string, 0, len(ref))
	for k := range ref {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != parent.EndpointKey && !uniqueField(parent, k) {
			continue
		}
		switch v := ref[k].(type) {
		case string:
			return k, v, true
		case float64:
			return k, entity.FormatNumber(v), true
		}
	}
	return "", "", false
}

// stripForeign reduces foreign values that carry an id to {"id": ...},
// for validation without a store.
func stripForeign(s *entity.Schema, obj entity.Object) {
	for _, f := range s.ForeignFields() {
		if ref, ok := obj[f.Name].(map[string]any); ok {
			if id, ok := ref["id"]; ok {
				obj[f.Name] = map[string]any{"id": id}
			}
		}
	}
}
