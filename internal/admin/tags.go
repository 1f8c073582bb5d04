package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// tagRow is one (tag, entity) pair of GET /tags.
type tagRow struct {
	Tag        string `json:"tag"`
	EntityName string `json:"entity_name"`
	EntityID   string `json:"entity_id"`
}

func (r tagRow) key() [3]string { return [3]string{r.Tag, r.EntityName, r.EntityID} }

func lessKey(a, b [3]string) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// listTags serves GET /tags and GET /tags/{tag}: every tag of every entity,
// ordered by tag, entity name and id, paged with an opaque offset.
func (a *API) listTags(rc *request) error {
	q, err := rc.query()
	if err != nil {
		return err
	}
	pq, err := parsePage(q, false)
	if err != nil {
		return err
	}
	base, only := "/tags", ""
	if len(rc.params) > 0 {
		only = rc.params[0]
		if !validTag(only) {
			return &entity.Error{Code: entity.CodeInvalidUnique, Name: "invalid unique tag",
				Message: "invalid tag '" + only + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"}
		}
		base += "/" + rc.raw[0]
	}
	after, err := decodeTagOffset(pq.opts.Offset)
	if err != nil {
		return err
	}
	rows, err := a.tagRows(rc.r.Context(), only)
	if err != nil {
		return err
	}
	start := 0
	if after != nil {
		start = sort.Search(len(rows), func(i int) bool { return lessKey(*after, rows[i].key()) })
	}
	end := min(start+pq.opts.Size, len(rows))
	data := make([]entity.Object, 0, end-start)
	for _, r := range rows[start:end] {
		data = append(data, entity.Object{"tag": r.Tag, "entity_name": r.EntityName, "entity_id": r.EntityID})
	}
	page := store.Page{Data: data}
	if end < len(rows) {
		page.Offset = encodeTagOffset(rows[end-1].key())
	}
	writeJSON(rc.w, http.StatusOK, listBody(page, base, pq, true))
	return nil
}

// tagRows collects the tags of all entities, optionally only one tag.
func (a *API) tagRows(ctx context.Context, only string) ([]tagRow, error) {
	var rows []tagRow
	for _, s := range a.reg.All() {
		if s.Field("tags") == nil {
			continue
		}
		all, err := a.st.All(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("list %s tags: %w", s.Name, err)
		}
		for _, obj := range all {
			for _, tag := range stringList(obj["tags"]) {
				if only == "" || tag == only {
					rows = append(rows, tagRow{Tag: tag, EntityName: s.Name, EntityID: idOf(obj)})
				}
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool { return lessKey(rows[i].key(), rows[j].key()) })
	return rows, nil
}

func encodeTagOffset(k [3]string) string {
	b, _ := json.Marshal(k)
	return base64.RawStdEncoding.EncodeToString(b)
}

func decodeTagOffset(s string) (*[3]string, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, offsetError(s, "bad base64 encoding")
	}
	var k [3]string
	if json.Unmarshal(raw, &k) != nil {
		return nil, offsetError(s, "bad json encoding")
	}
	return &k, nil
}

func offsetError(offset, reason string) *entity.Error {
	return &entity.Error{Code: entity.CodeInvalidOffset, Name: "invalid offset",
		Message: "'" + offset + "' is not a valid offset: " + reason}
}

// stringList returns the strings of a JSON array value.
func stringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
