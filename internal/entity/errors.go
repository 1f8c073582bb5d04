package entity

import (
	"encoding/json"
	"net/http"
)

// Kong's DAO error codes (kong/db/errors.lua).
const (
	CodeInvalidPrimaryKey   = 1
	CodeSchemaViolation     = 2
	CodePrimaryKeyViolation = 3
	CodeForeignKeyViolation = 4
	CodeUniqueViolation     = 5
	CodeNotFound            = 6
	CodeInvalidOffset       = 7
	CodeDatabaseError       = 8
	CodeInvalidSize         = 9
	CodeInvalidUnique       = 10
	CodeInvalidOptions      = 11
	CodeOperationUnsupport  = 12
	CodeForeignKeysUnresolv = 13
	CodeInvalidDeclarative  = 14
	CodeReferencedByOthers  = 19
)

// Error is a structured error in Kong's Admin API shape:
// {"code":2,"name":"schema violation","message":"...","fields":{...}}.
type Error struct {
	Code    int
	Name    string
	Message string
	// Fields mirrors the input structure with messages at the leaves; it
	// is omitted from JSON when nil unless HasFields is set.
	Fields    any
	HasFields bool
	// Options replaces Fields for invalid-options errors (code 11).
	Options map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Status returns the HTTP status Kong answers with for this error.
func (e *Error) Status() int {
	switch e.Code {
	case CodeUniqueViolation:
		return http.StatusConflict
	case CodeNotFound:
		return http.StatusNotFound
	case CodeOperationUnsupport:
		return http.StatusMethodNotAllowed
	case CodeDatabaseError:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// MarshalJSON renders the error in Kong's shape.
func (e *Error) MarshalJSON() ([]byte, error) {
	m := map[string]any{"code": e.Code, "name": e.Name, "message": e.Message}
	if e.Fields != nil || e.HasFields {
		m["fields"] = e.Fields
	}
	if e.Options != nil {
		m["options"] = e.Options
	}
	return json.Marshal(m)
}
