package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// defaultPageSize is the page size of a List without Size.
const defaultPageSize = 100

// queryer is what reads and writes need from *sql.DB and *sql.Tx.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader implements store.Reader on a database or a transaction.
type reader struct {
	q   queryer
	reg *entity.Registry
}

// Get implements store.Reader.
func (r *reader) Get(ctx context.Context, s *entity.Schema, id string) (entity.Object, error) {
	var body string
	err := r.q.QueryRowContext(ctx, `SELECT body FROM entities WHERE entity = $1 AND id = $2`,
		s.Name, id).Scan(&body)
	if isNoRows(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s %q: %w", s.Name, id, err)
	}
	return decodeBody(s.Name, body)
}

// GetBy implements store.Reader for the primary key and every
// single-field unique field.
func (r *reader) GetBy(ctx context.Context, s *entity.Schema, field, value string) (entity.Object, error) {
	if field == primaryKey(s) {
		return r.Get(ctx, s, value)
	}
	if !slices.Contains(s.UniqueFields(), field) {
		return nil, fmt.Errorf("sqlite: get %s by %q: not a unique field", s.Name, field)
	}
	var body string
	err := r.q.QueryRowContext(ctx, `SELECT e.body FROM uniques u
		JOIN entities e ON e.entity = u.entity AND e.id = u.id
		WHERE u.entity = $1 AND u.field = $2 AND u.value = $3`,
		s.Name, field, store.UniqueValue(value)).Scan(&body)
	if isNoRows(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s by %s %q: %w", s.Name, field, value, err)
	}
	return decodeBody(s.Name, body)
}

// List implements store.Reader with keyset pagination on the primary key:
// it reads one row more than the page size to know whether a next page
// exists, so the last page never carries an offset.
func (r *reader) List(ctx context.Context, s *entity.Schema, opts store.ListOptions) (store.Page, error) {
	size := opts.Size
	if size <= 0 {
		size = defaultPageSize
	}
	after := ""
	if opts.Offset != "" {
		id, err := store.DecodeOffset(opts.Offset)
		if err != nil {
			return store.Page{}, err
		}
		after = id
	}
	if opts.ForeignField != "" {
		if f := s.Field(opts.ForeignField); f == nil || f.Type != entity.TypeForeign {
			return store.Page{}, fmt.Errorf("sqlite: list %s: %q is not a foreign field", s.Name, opts.ForeignField)
		}
	}
	query, args := listQuery(s.Name, after, opts, size+1)
	objs, ids, err := r.queryBodies(ctx, s.Name, query, args...)
	if err != nil {
		return store.Page{}, err
	}
	page := store.Page{Data: objs}
	if len(objs) > size {
		page.Data = objs[:size]
		page.Offset = store.EncodeOffset(ids[size-1])
	}
	return page, nil
}

// All implements store.Reader.
func (r *reader) All(ctx context.Context, s *entity.Schema) ([]entity.Object, error) {
	objs, _, err := r.queryBodies(ctx, s.Name,
		`SELECT id, body FROM entities WHERE entity = $1 ORDER BY id`, s.Name)
	return objs, err
}

// ScanBodies implements store.BodyScanner with one scan of the entities
// table in storage order: reading the rows of each type in key order
// through the primary-key index costs a lookup per row, which makes a
// large type several times slower to read. The id column is left out
// (it is in the body): reading it costs a fifth of the scan.
func (r *reader) ScanBodies(ctx context.Context, entities []string, fn func(entity, body string) error) error {
	rows, err := r.q.QueryContext(ctx, `SELECT entity, body FROM entities`)
	if err != nil {
		return fmt.Errorf("sqlite: scan entities: %w", err)
	}
	defer rows.Close()
	var name, body string
	for rows.Next() {
		if err := rows.Scan(&name, &body); err != nil {
			return fmt.Errorf("sqlite: scan entities: %w", err)
		}
		if !slices.Contains(entities, name) {
			continue
		}
		if err := fn(name, body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: scan entities: %w", err)
	}
	return nil
}

// listQuery builds the parameterized page query: rows of entity after the
// key after, narrowed by the foreign and tag filters, in key order.
func listQuery(entityName, after string, opts store.ListOptions, limit int) (string, []any) {
	var b strings.Builder
	args := []any{entityName}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT id, body FROM entities WHERE entity = $1`)
	if after != "" {
		b.WriteString(` AND id > ` + param(after))
	}
	if opts.ForeignField != "" {
		b.WriteString(` AND id IN (SELECT id FROM refs WHERE entity = $1 AND field = ` +
			param(opts.ForeignField) + ` AND ref_id = ` + param(opts.ForeignID) + `)`)
	}
	// Tag filters probe the (entity, id, tag) primary key of each candidate
	// row in key order, so a page stops as soon as it is full.
	if tags := store.DistinctTags(opts.Tags); len(tags) > 0 {
		if opts.TagsOr {
			b.WriteString(` AND EXISTS (SELECT 1 FROM tags t WHERE t.entity = $1 AND t.id = entities.id AND t.tag IN (`)
			for i, tag := range tags {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(param(tag))
			}
			b.WriteString(`))`)
		} else {
			for _, tag := range tags {
				b.WriteString(` AND EXISTS (SELECT 1 FROM tags t WHERE t.entity = $1 AND t.id = entities.id AND t.tag = ` +
					param(tag) + `)`)
			}
		}
	}
	b.WriteString(` ORDER BY id LIMIT ` + param(limit))
	return b.String(), args
}

// queryBodies runs a query selecting (id, body) and decodes the bodies.
func (r *reader) queryBodies(ctx context.Context, entityName, query string, args ...any) ([]entity.Object, []string, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: list %s: %w", entityName, err)
	}
	defer rows.Close()
	var (
		objs []entity.Object
		ids  []string
	)
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, nil, fmt.Errorf("sqlite: list %s: %w", entityName, err)
		}
		obj, err := decodeBody(entityName, body)
		if err != nil {
			return nil, nil, err
		}
		objs = append(objs, obj)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("sqlite: list %s: %w", entityName, err)
	}
	return objs, ids, nil
}

// exists reports whether entityName has a row with primary key id.
func (r *reader) exists(ctx context.Context, entityName, id string) (bool, error) {
	var one int
	err := r.q.QueryRowContext(ctx, `SELECT 1 FROM entities WHERE entity = $1 AND id = $2`,
		entityName, id).Scan(&one)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: look up %s %q: %w", entityName, id, err)
	}
	return true, nil
}

// decodeBody decodes a stored JSON body; numbers become float64.
func decodeBody(entityName, body string) (entity.Object, error) {
	var obj entity.Object
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		return nil, fmt.Errorf("sqlite: decode %s body: %w", entityName, err)
	}
	return obj, nil
}

// primaryKey returns the schema's primary-key field name ("id").
func primaryKey(s *entity.Schema) string {
	if s.PrimaryKey != "" {
		return s.PrimaryKey
	}
	return "id"
}
