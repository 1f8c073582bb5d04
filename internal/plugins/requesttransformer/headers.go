package requesttransformer

import "github.com/straitgw/strait/internal/plugin"

// hostHeader is never removed, renamed, added or appended; replace may
// set it.
const hostHeader = "Host"

// transformHeaders applies the header operations: remove, rename,
// replace (only present headers, and Host), add (only absent headers),
// append. Entries without a value change nothing.
func (h *Handler) transformHeaders(req plugin.Request) {
	ops := &h.headers
	for _, name := range ops.remove {
		if name != hostHeader {
			req.DelHeader(name)
		}
	}
	for _, p := range ops.rename {
		if p.name == hostHeader || p.value == "" {
			continue
		}
		values := req.HeaderValues(p.name)
		if len(values) == 0 {
			continue
		}
		// The engine's slice goes away with the old name.
		moved := append([]string(nil), values...)
		req.DelHeader(p.name)
		req.DelHeader(p.value)
		for _, v := range moved {
			req.AddHeader(p.value, v)
		}
	}
	for _, p := range ops.replace {
		if p.value != "" && (p.name == hostHeader || len(req.HeaderValues(p.name)) > 0) {
			req.SetHeader(p.name, p.value)
		}
	}
	for _, p := range ops.add {
		if p.value != "" && p.name != hostHeader && len(req.HeaderValues(p.name)) == 0 {
			req.SetHeader(p.name, p.value)
		}
	}
	for _, p := range ops.append {
		if p.value != "" && p.name != hostHeader {
			req.AddHeader(p.name, p.value)
		}
	}
}

// transformQuery applies the query string operations: remove, rename,
// replace (only present arguments), add (only absent ones), append.
func (h *Handler) transformQuery(req plugin.Request) {
	ops := &h.query
	query := parseArgs(req.RawQuery())
	for _, name := range ops.remove {
		query.del(name)
	}
	for _, p := range ops.rename {
		query.rename(p.name, p.value)
	}
	for _, p := range ops.replace {
		if query.has(p.name) {
			query.set(p.name, p.value)
		}
	}
	for _, p := range ops.add {
		if !query.has(p.name) {
			query.set(p.name, p.value)
		}
	}
	for _, p := range ops.append {
		query.appendValue(p.name, p.value)
	}
	req.SetRawQuery(query.encode())
}
