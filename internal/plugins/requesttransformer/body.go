package requesttransformer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// bodyKind is the encoding of a request body the plugin can transform.
type bodyKind uint8

const (
	kindNone bodyKind = iota
	kindForm
	kindJSON
	kindMultipart
)

// contentKind classifies a Content-Type the way Kong does: by looking
// for the media type anywhere in the lower-cased header.
func contentKind(contentType string) bodyKind {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		return kindForm
	case strings.Contains(ct, "multipart/form-data"):
		return kindMultipart
	case strings.Contains(ct, "application/json"):
		return kindJSON
	}
	return kindNone
}

// transformBody applies the body operations to a form, JSON or multipart
// body. A body that cannot be read whole (too large) or parsed is left
// as it is.
func (h *Handler) transformBody(req plugin.Request) {
	contentType := req.Header("Content-Type")
	kind := contentKind(contentType)
	if kind == kindNone {
		return
	}
	raw, err := req.Body()
	if err != nil {
		return
	}
	var out []byte
	changed := false
	switch kind {
	case kindForm:
		out, changed = h.transformForm(raw)
	case kindJSON:
		out, changed = h.transformJSON(raw)
	case kindMultipart:
		out, changed = h.transformMultipart(raw, contentType)
	}
	if changed {
		req.SetBody(out)
	}
}

// transformForm applies remove, rename, replace (present arguments), add
// (absent ones) and append to a form body. The first three only apply to
// a non-empty body.
func (h *Handler) transformForm(raw []byte) ([]byte, bool) {
	ops := &h.body
	form := parseArgs(string(raw))
	changed := false
	if len(raw) > 0 {
		for _, name := range ops.remove {
			form.del(name)
			changed = true
		}
		for _, p := range ops.rename {
			form.rename(p.name, p.value)
			changed = true
		}
		for _, p := range ops.replace {
			if form.has(p.name) {
				form.set(p.name, p.value)
				changed = true
			}
		}
	}
	for _, p := range ops.add {
		if !form.has(p.name) {
			form.set(p.name, p.value)
			changed = true
		}
	}
	for _, p := range ops.append {
		form.appendValue(p.name, p.value)
		changed = true
	}
	if !changed {
		return raw, false
	}
	return []byte(form.encode()), true
}

// transformJSON applies the operations to a JSON object body; an empty
// body counts as {}. Values are added as strings. Like Lua, replace
// treats a false member as absent and add as present-but-false.
func (h *Handler) transformJSON(raw []byte) ([]byte, bool) {
	ops := &h.body
	obj := map[string]any{}
	hasBody := len(bytes.TrimSpace(raw)) > 0
	if hasBody {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return raw, false
		}
	}
	changed := false
	if hasBody {
		for _, name := range ops.remove {
			delete(obj, name)
			changed = true
		}
		for _, p := range ops.rename {
			if v, ok := obj[p.name]; ok {
				delete(obj, p.name)
				obj[p.value] = v
				changed = true
			}
		}
		for _, p := range ops.replace {
			if truthy(obj, p.name) {
				obj[p.name] = p.value
				changed = true
			}
		}
	}
	for _, p := range ops.add {
		if !truthy(obj, p.name) {
			obj[p.name] = p.value
			changed = true
		}
	}
	for _, p := range ops.append {
		obj[p.name] = appendJSON(obj[p.name], p.value)
		changed = true
	}
	if !changed {
		return raw, false
	}
	out, err := encodeJSON(obj)
	if err != nil {
		return raw, false
	}
	return out, true
}

// truthy reports whether obj[name] is set to something other than false
// (JSON null counts as set).
func truthy(obj map[string]any, name string) bool {
	v, ok := obj[name]
	return ok && v != false
}

// appendJSON appends value to a member: a string becomes a list of both,
// a list grows, anything else is replaced by a list of value.
func appendJSON(current any, value string) any {
	switch c := current.(type) {
	case string:
		return []any{c, value}
	case []any:
		return append(c, value)
	}
	return []any{value}
}

func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// formPart is one part of a multipart body.
type formPart struct {
	header textproto.MIMEHeader
	name   string
	data   []byte
}

// transformMultipart applies rename, remove, replace and add (Kong has
// no append for multipart bodies) and re-encodes the body with its own
// boundary. The first three only apply to a non-empty body.
func (h *Handler) transformMultipart(raw []byte, contentType string) ([]byte, bool) {
	ops := &h.body
	_, params, err := mime.ParseMediaType(contentType)
	boundary := params["boundary"]
	if err != nil || boundary == "" {
		return raw, false
	}
	parts, err := parseParts(raw, boundary)
	if err != nil {
		return raw, false
	}
	changed := false
	if len(raw) > 0 {
		for _, p := range ops.rename {
			if i := partIndex(parts, p.name); i >= 0 {
				value := parts[i].data
				parts = deleteParts(parts, p.name)
				parts = setSimple(parts, p.value, value)
				changed = true
			}
		}
		for _, name := range ops.remove {
			parts = deleteParts(parts, name)
			changed = true
		}
		for _, p := range ops.replace {
			if partIndex(parts, p.name) >= 0 {
				parts = deleteParts(parts, p.name)
				parts = setSimple(parts, p.name, []byte(p.value))
				changed = true
			}
		}
	}
	for _, p := range ops.add {
		if partIndex(parts, p.name) < 0 {
			parts = setSimple(parts, p.name, []byte(p.value))
			changed = true
		}
	}
	if !changed {
		return raw, false
	}
	out, err := encodeParts(parts, boundary)
	if err != nil {
		return raw, false
	}
	return out, true
}

func parseParts(raw []byte, boundary string) ([]formPart, error) {
	var parts []formPart
	if len(raw) == 0 {
		return parts, nil
	}
	mr := multipart.NewReader(bytes.NewReader(raw), boundary)
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return parts, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, formPart{header: p.Header, name: p.FormName(), data: data})
	}
}

func partIndex(parts []formPart, name string) int {
	for i := range parts {
		if parts[i].name == name {
			return i
		}
	}
	return -1
}

func deleteParts(parts []formPart, name string) []formPart {
	kept := parts[:0]
	for _, p := range parts {
		if p.name != name {
			kept = append(kept, p)
		}
	}
	return kept
}

// setSimple sets the value of the first part called name, or adds a
// plain form field.
func setSimple(parts []formPart, name string, value []byte) []formPart {
	if i := partIndex(parts, name); i >= 0 {
		parts[i].data = value
		return parts
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": name}))
	return append(parts, formPart{header: h, name: name, data: value})
}

func encodeParts(parts []formPart, boundary string) ([]byte, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, err
	}
	for _, p := range parts {
		w, err := mw.CreatePart(p.header)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(p.data); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
