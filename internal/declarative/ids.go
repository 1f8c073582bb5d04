package declarative

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/straitgw/strait/internal/entity"
)

// namespaceRoot is the UUIDv5 namespace under which Kong derives one
// namespace per entity type for the ids of declarative entities.
var namespaceRoot = uuid.MustParse("fd02801f-0957-4a15-a55a-c8d9606f30b5")

// deterministicID returns the UUIDv5 Kong derives from key for entities of
// the named schema.
func deterministicID(schema, key string) string {
	ns := uuid.NewSHA1(namespaceRoot, []byte(schema))
	return uuid.NewSHA1(ns, []byte(key)).String()
}

// idKey returns the key Kong hashes into the id of an entity declared
// without one, computed from the raw input: the endpoint-key value
// (suffixed with the parent's id when that key is unique only under its
// parent), else the cache-key parts. ok is false when neither applies.
// parentField and parentID describe the entity's nesting parent, if any.
func idKey(s *entity.Schema, in map[string]any, parentField, parentID string) (string, bool) {
	if s.EndpointKey != "" {
		if v, ok := in[s.EndpointKey]; ok && v != nil {
			key := fmt.Sprint(v)
			if f := s.Field(s.EndpointKey); f != nil && !f.Unique {
				for _, ff := range s.ForeignFields() {
					if ff.OnDelete != entity.Cascade {
						continue
					}
					if parentField != "" {
						key += ":" + parentID
					} else {
						key += ":" + fmt.Sprint(in[ff.Name])
					}
				}
			}
			return key, true
		}
	}
	if len(s.UniqueTogether) == 0 {
		return "", false
	}
	parts := []string{s.Name}
	for _, name := range s.UniqueTogether[0] {
		f := s.Field(name)
		if f == nil || f.Auto {
			return "", false
		}
		switch v := in[name].(type) {
		case string:
			parts = append(parts, v)
		case nil:
			switch {
			case name == parentField:
				parts = append(parts, parentID)
			case f.Required:
				return "", false
			default:
				parts = append(parts, "")
			}
		}
	}
	return strings.Join(parts, ":"), true
}

// contentKey identifies an entity that has neither an endpoint key nor a
// cache key by its validated content (everything but id and timestamps),
// so that the same declaration always yields the same id.
func contentKey(s *entity.Schema, obj entity.Object) string {
	sum := sha256.Sum256(canonical(s, obj))
	return "content:" + hex.EncodeToString(sum[:])
}

// canonical encodes obj without its server-managed fields; encoding/json
// sorts map keys, so equal objects encode equally.
func canonical(s *entity.Schema, obj entity.Object) []byte {
	trimmed := make(map[string]any, len(obj))
	for k, v := range obj {
		if k == s.PrimaryKey || k == "id" || k == "created_at" || k == "updated_at" {
			continue
		}
		trimmed[k] = v
	}
	b, _ := json.Marshal(trimmed)
	return b
}

// identity names a validated entity independently of its id, so that a
// declaration without id can be matched with an entity that already
// exists: the endpoint-key value (with the parent's id when the key is
// unique only under its parent), else the first unique-together
// combination, else its content.
func identity(s *entity.Schema, obj entity.Object) string {
	if s.EndpointKey != "" {
		if v := obj[s.EndpointKey]; v != nil {
			key := "key:" + fmt.Sprint(v)
			if f := s.Field(s.EndpointKey); f != nil && !f.Unique {
				for _, ff := range s.ForeignFields() {
					if ff.OnDelete == entity.Cascade {
						key += ":" + foreignID(obj[ff.Name])
					}
				}
			}
			return key
		}
	}
	if len(s.UniqueTogether) > 0 {
		parts := []string{"together"}
		for _, name := range s.UniqueTogether[0] {
			v := obj[name]
			if f := s.Field(name); f != nil && f.Type == entity.TypeForeign {
				parts = append(parts, foreignID(v))
			} else if v != nil {
				parts = append(parts, fmt.Sprint(v))
			} else {
				parts = append(parts, "")
			}
		}
		return strings.Join(parts, ":")
	}
	return contentKey(s, obj)
}

// foreignID returns the id of a stored foreign key ({"id": "..."}), or "".
func foreignID(v any) string {
	if m, ok := v.(map[string]any); ok {
		if id, ok := m["id"].(string); ok {
			return id
		}
	}
	return ""
}
