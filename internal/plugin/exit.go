package plugin

import (
	"bytes"
	"encoding/json"
)

// ContentTypeJSON is the Content-Type of JSON bodies the gateway produces.
const ContentTypeJSON = "application/json; charset=utf-8"

// MessageBody returns the body {"message":"<msg>"} that Kong's
// kong.response.exit produces for a message table: JSON without a
// request_id, with msg escaped as JSON (HTML characters left as is).
func MessageBody(msg string) []byte {
	var b bytes.Buffer
	b.Grow(len(msg) + 14)
	b.WriteString(`{"message":`)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(msg)     // encoding a string cannot fail
	b.Truncate(b.Len() - 1) // Encode appends a newline
	b.WriteByte('}')
	return b.Bytes()
}

// ExitMessage ends the request with status and a {"message":...} JSON
// body (Kong's kong.response.exit(status, {message = msg})), used by the
// plugins whose error bodies carry no request_id.
func ExitMessage(ctx Context, status int, msg string, headers ...Header) {
	hs := make([]Header, 0, len(headers)+1)
	hs = append(hs, Header{Name: "Content-Type", Value: ContentTypeJSON})
	hs = append(hs, headers...)
	ctx.Exit(status, MessageBody(msg), hs...)
}
