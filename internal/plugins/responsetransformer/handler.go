package responsetransformer

import (
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// bodyKey is the per-request shared value holding the buffered JSON
// body of a response being transformed.
const bodyKey = "response-transformer.body"

// HeaderHandler is an instance that changes headers only; it takes no
// part in the body filter phase, so bodies stream through unchanged.
type HeaderHandler struct {
	remove  []string
	rename  []pair
	replace []pair
	add     []pair
	append  []pair
	// transformsJSON is set when the instance also rewrites JSON bodies.
	transformsJSON bool
}

// BodyHandler is an instance that also rewrites JSON response bodies.
type BodyHandler struct {
	*HeaderHandler
	json jsonOps
}

var (
	_ plugin.HeaderFilterer = (*HeaderHandler)(nil)
	_ plugin.BodyFilterer   = (*BodyHandler)(nil)
)

// HeaderFilter implements plugin.HeaderFilterer, in Kong's order:
// remove, rename (present headers), replace (present headers), add
// (absent headers), append. When the body of a JSON response is going
// to change, Content-Length goes and the body is buffered.
func (h *HeaderHandler) HeaderFilter(ctx plugin.Context) {
	resp := ctx.Response()
	for _, name := range h.remove {
		resp.DelHeader(name)
	}
	for _, p := range h.rename {
		values := resp.HeaderValues(p.name)
		if len(values) == 0 || p.value == "" {
			continue
		}
		moved := append([]string(nil), values...)
		resp.DelHeader(p.name)
		resp.DelHeader(p.value)
		for _, v := range moved {
			resp.AddHeader(p.value, v)
		}
	}
	for _, p := range h.replace {
		if p.value != "" && len(resp.HeaderValues(p.name)) > 0 {
			resp.SetHeader(p.name, p.value)
		}
	}
	for _, p := range h.add {
		if p.value != "" && len(resp.HeaderValues(p.name)) == 0 {
			resp.SetHeader(p.name, p.value)
		}
	}
	for _, p := range h.append {
		if p.value != "" {
			resp.AddHeader(p.name, p.value)
		}
	}
	if h.transformsJSON && isJSON(resp.Header("Content-Type")) {
		resp.DelHeader("Content-Length")
		ctx.Set(bodyKey, &bodyBuffer{})
	}
}

// isJSON reports whether a Content-Type announces JSON, the way Kong
// checks it.
func isJSON(contentType string) bool {
	return strings.Contains(strings.ToLower(contentType), "application/json")
}

// bodyBuffer collects a response body until its last chunk.
type bodyBuffer struct {
	data []byte
}

// BodyFilter implements plugin.BodyFilterer: the chunks of a JSON
// response are held back and the transformed body is sent with the last
// one. Other responses pass through chunk by chunk.
func (h *BodyHandler) BodyFilter(ctx plugin.Context, chunk []byte, eof bool) []byte {
	buf, _ := ctx.Get(bodyKey).(*bodyBuffer)
	if buf == nil {
		return chunk
	}
	// The engine reuses chunk's memory: copy it.
	buf.data = append(buf.data, chunk...)
	if !eof {
		return nil
	}
	return h.json.transform(buf.data)
}

// NonBlocking implements plugin.NonBlocking: headers are rewritten in
// memory.
func (h *HeaderHandler) NonBlocking() bool { return true }

// NonBlocking implements plugin.NonBlocking: the body is rewritten in
// memory.
func (h *BodyHandler) NonBlocking() bool { return true }
