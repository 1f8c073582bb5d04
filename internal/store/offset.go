package store

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/straitgw/strait/internal/entity"
)

// EncodeOffset returns the pagination token that resumes a listing after the
// row whose primary key is id. The token is the JSON array ["<id>"] encoded
// as unpadded URL-safe base64 (RFC 4648 section 5, no "=" padding), so it
// can travel in a query string without escaping. Clients treat it as opaque.
func EncodeOffset(id string) string {
	raw, _ := json.Marshal([]string{id}) // a []string always marshals
	return base64.RawURLEncoding.EncodeToString(raw)
}

// DecodeOffset returns the primary key carried by a token made by
// EncodeOffset. Tokens in the standard base64 alphabet, with or without
// padding, are accepted as well. A malformed token yields the *entity.Error
// of InvalidOffset.
func DecodeOffset(token string) (string, error) {
	trimmed := strings.TrimRight(token, "=")
	enc := base64.RawURLEncoding
	if strings.ContainsAny(trimmed, "+/") {
		enc = base64.RawStdEncoding
	}
	raw, err := enc.DecodeString(trimmed)
	if err != nil || trimmed == "" {
		return "", InvalidOffset(token, "bad base64 encoding")
	}
	var key []string
	if err := json.Unmarshal(raw, &key); err != nil || len(key) != 1 {
		return "", InvalidOffset(token, "bad json encoding")
	}
	return key[0], nil
}

// InvalidOffset is the 400 error for a pagination token that cannot be
// decoded; reason is "bad base64 encoding" or "bad json encoding".
func InvalidOffset(token, reason string) *entity.Error {
	return &entity.Error{Code: entity.CodeInvalidOffset, Name: "invalid offset",
		Message: "'" + token + "' is not a valid offset: " + reason}
}
