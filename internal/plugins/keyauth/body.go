package keyauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// bodyKind is the encoding of a request body that may carry a key.
type bodyKind uint8

const (
	bodyForm bodyKind = iota
	bodyJSON
	bodyMultipart
)

// formBody is a parsed request body: its arguments and enough of its
// original form to re-encode it without one argument.
type formBody struct {
	kind     bodyKind
	raw      []byte
	json     map[string]any
	boundary string
	parts    []formPart // multipart only
}

type formPart struct {
	header map[string][]string
	name   string
	data   []byte
	file   bool
}

var errUnsupportedBody = errors.New("unsupported body content type")

// readBody reads and parses the request body by its Content-Type: form
// url-encoded, JSON (an object) or multipart form data.
func readBody(req plugin.Request) (*formBody, error) {
	ct := req.Header("Content-Type")
	if ct == "" {
		return nil, fmt.Errorf("read key from body: missing content type")
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("read key from body: %w", err)
	}
	raw, err := req.Body()
	if err != nil {
		return nil, fmt.Errorf("read key from body: %w", err)
	}
	switch {
	case mediaType == "application/x-www-form-urlencoded":
		return &formBody{kind: bodyForm, raw: raw}, nil
	case mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"):
		b := &formBody{kind: bodyJSON, raw: raw}
		if len(bytes.TrimSpace(raw)) == 0 {
			return b, nil
		}
		if err := json.Unmarshal(raw, &b.json); err != nil {
			return nil, fmt.Errorf("read key from JSON body: %w", err)
		}
		return b, nil
	case mediaType == "multipart/form-data":
		return parseMultipart(raw, params["boundary"])
	}
	return nil, fmt.Errorf("read key from body of type %q: %w", mediaType, errUnsupportedBody)
}

func parseMultipart(raw []byte, boundary string) (*formBody, error) {
	if boundary == "" {
		return nil, fmt.Errorf("read key from multipart body: no boundary")
	}
	b := &formBody{kind: bodyMultipart, raw: raw, boundary: boundary}
	mr := multipart.NewReader(bytes.NewReader(raw), boundary)
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read key from multipart body: %w", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("read key from multipart body: %w", err)
		}
		b.parts = append(b.parts, formPart{header: p.Header, name: p.FormName(), data: data, file: p.FileName() != ""})
	}
}

// value returns the first value of argument name and how many values the
// body holds for it (JSON: an array counts as several).
func (b *formBody) value(name string) (string, int) {
	switch b.kind {
	case bodyForm:
		return queryValue(string(b.raw), name)
	case bodyJSON:
		switch v := b.json[name].(type) {
		case string:
			return v, 1
		case []any:
			return "", 2
		}
	case bodyMultipart:
		first, n := "", 0
		for _, p := range b.parts {
			if p.name == name && !p.file {
				if n == 0 {
					first = string(p.data)
				}
				n++
			}
		}
		return first, n
	}
	return "", 0
}

// without returns the body re-encoded in its own format without argument
// name; changed is false when the argument was absent.
func (b *formBody) without(name string) ([]byte, bool) {
	switch b.kind {
	case bodyForm:
		out, changed := stripQuery(string(b.raw), name)
		return []byte(out), changed
	case bodyJSON:
		if _, ok := b.json[name]; !ok {
			return b.raw, false
		}
		delete(b.json, name)
		out, err := json.Marshal(b.json)
		if err != nil {
			return b.raw, false
		}
		return out, true
	case bodyMultipart:
		return b.multipartWithout(name)
	}
	return b.raw, false
}

func (b *formBody) multipartWithout(name string) ([]byte, bool) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(b.boundary); err != nil {
		return b.raw, false
	}
	changed := false
	for _, p := range b.parts {
		if p.name == name && !p.file {
			changed = true
			continue
		}
		w, err := mw.CreatePart(p.header)
		if err != nil {
			return b.raw, false
		}
		_, _ = w.Write(p.data)
	}
	if !changed {
		return b.raw, false
	}
	if err := mw.Close(); err != nil {
		return b.raw, false
	}
	return buf.Bytes(), true
}
