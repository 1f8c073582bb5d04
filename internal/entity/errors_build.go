package entity

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// LuaLiteral renders v the way Kong prints keys in error messages:
// {key="string",num=1,flag=true,nested={id="x"}} with sorted keys, null for
// nil and no spaces.
func LuaLiteral(v any) string {
	var b strings.Builder
	writeLua(&b, v)
	return b.String()
}

func writeLua(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(strconv.Quote(t))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case float64:
		b.WriteString(FormatNumber(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeLua(b, t[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('{')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeLua(b, e)
		}
		b.WriteByte('}')
	case []string:
		b.WriteByte('{')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(e))
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, t)
	}
}

// FormatNumber prints integral numbers without a fraction and others in
// the shortest form.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// UniqueViolation is the 409 error for a clash on the given key values.
func UniqueViolation(fields map[string]any) *Error {
	return &Error{Code: CodeUniqueViolation, Name: "unique constraint violation",
		Message: "UNIQUE violation detected on '" + LuaLiteral(fields) + "'", Fields: fields}
}

// PrimaryKeyViolation is the error for inserting an id that exists.
func PrimaryKeyViolation(id string) *Error {
	f := map[string]any{"id": id}
	return &Error{Code: CodePrimaryKeyViolation, Name: "primary key violation",
		Message: "primary key violation on key '" + LuaLiteral(f) + "'", Fields: f}
}

// ForeignKeyViolation is the error for a foreign key (field) that names a
// missing row of the parent schema.
func ForeignKeyViolation(field, parent string, key map[string]any) *Error {
	return &Error{Code: CodeForeignKeyViolation, Name: "foreign key violation",
		Message: fmt.Sprintf("the foreign key '%s' does not reference an existing '%s' entity.", LuaLiteral(key), parent),
		Fields:  map[string]any{field: key}}
}

// ReferencedBy is the error for deleting a parent still referenced by
// rows of the child schema through a restricting foreign key.
func ReferencedBy(child, parent string) *Error {
	return &Error{Code: CodeForeignKeyViolation, Name: "foreign key violation",
		Message: fmt.Sprintf("an existing '%s' entity references this '%s' entity", child, parent),
		Fields:  map[string]any{"@referenced_by": child}}
}

// NotFound is the structured 404 of PATCH on a missing entity. key is the
// lookup ({"id":...} or {"name":...}); byPK selects the message form.
func NotFound(key map[string]any, byPK bool) *Error {
	msg := "could not find the entity with '" + LuaLiteral(key) + "'"
	if byPK {
		msg = "could not find the entity with primary key '" + LuaLiteral(key) + "'"
	}
	return &Error{Code: CodeNotFound, Name: "not found", Message: msg, Fields: key}
}

// DatabaseError wraps a storage failure; the Admin API answers 500.
func DatabaseError(err error) *Error {
	return &Error{Code: CodeDatabaseError, Name: "database error", Message: err.Error()}
}
