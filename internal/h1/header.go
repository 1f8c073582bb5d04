package h1

import "errors"

// ErrInvalidHeader is returned when a header name is not a token or a
// value contains bytes that would break the message framing.
var ErrInvalidHeader = errors.New("h1: invalid header name or value")

// Field is one header line. Name and Value are views into memory owned by
// the Header or by the connection buffer the message was parsed from.
type Field struct {
	Name  []byte
	Value []byte
}

// Header is an ordered list of header fields with case-insensitive
// lookup. Parsed headers reference the connection's read buffer; values
// added with Add or Set are copied into the Header's own arena, so a
// Header reused across messages stops allocating once it has grown.
//
// The zero value is an empty header ready to use.
type Header struct {
	fields []Field
	arena  []byte
}

// Reset empties h, keeping its storage.
func (h *Header) Reset() {
	clear(h.fields) // drop references to old buffers
	h.fields = h.fields[:0]
	h.arena = h.arena[:0]
}

// Len returns the number of fields.
func (h *Header) Len() int { return len(h.fields) }

// At returns field i (0 <= i < Len).
func (h *Header) At(i int) Field { return h.fields[i] }

// Peek returns the value of the first field called name, or nil.
func (h *Header) Peek(name string) []byte {
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) {
			return h.fields[i].Value
		}
	}
	return nil
}

// Get returns the value of the first field called name as a string view
// (see ViewString), or "".
func (h *Header) Get(name string) string { return ViewString(h.Peek(name)) }

// Has reports whether a field called name exists.
func (h *Header) Has(name string) bool {
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) {
			return true
		}
	}
	return false
}

// Count returns the number of fields called name.
func (h *Header) Count(name string) int {
	n := 0
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) {
			n++
		}
	}
	return n
}

// Values returns copies of every value of name, in order. It allocates;
// it exists so that a Header can serve as a router.HeaderGetter.
func (h *Header) Values(name string) []string {
	var out []string
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) {
			out = append(out, string(h.fields[i].Value))
		}
	}
	return out
}

// Range calls fn for each field in order until fn returns false.
func (h *Header) Range(fn func(name, value []byte) bool) {
	for i := range h.fields {
		if !fn(h.fields[i].Name, h.fields[i].Value) {
			return
		}
	}
}

// HasToken reports whether any field called name holds token in its
// comma-separated list (case-insensitive), as in "Connection: close".
func (h *Header) HasToken(name, token string) bool {
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) && hasToken(h.fields[i].Value, token) {
			return true
		}
	}
	return false
}

// Add appends a field, copying name and value into h's arena.
func (h *Header) Add(name, value string) error {
	if !ValidHeaderName(name) || !ValidHeaderValue(value) {
		return ErrInvalidHeader
	}
	h.add(name, value)
	return nil
}

// add appends a validated field.
func (h *Header) add(name, value string) {
	start := len(h.arena)
	h.arena = append(h.arena, name...)
	mid := len(h.arena)
	h.arena = append(h.arena, value...)
	end := len(h.arena)
	// Full slice expressions keep later appends from writing into
	// earlier fields.
	h.fields = append(h.fields, Field{Name: h.arena[start:mid:mid], Value: h.arena[mid:end:end]})
}

// Set replaces every field called name with one field holding value.
// The new field takes the position of the first replaced one, or the end.
func (h *Header) Set(name, value string) error {
	if !ValidHeaderName(name) || !ValidHeaderValue(value) {
		return ErrInvalidHeader
	}
	first := -1
	for i := range h.fields {
		if equalFold(h.fields[i].Name, name) {
			first = i
			break
		}
	}
	if first < 0 {
		h.add(name, value)
		return nil
	}
	h.delFrom(name, first+1)
	start := len(h.arena)
	h.arena = append(h.arena, value...)
	end := len(h.arena)
	h.fields[first].Value = h.arena[start:end:end]
	return nil
}

// Del removes every field called name.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

func (h *Header) delFrom(name string, from int) {
	out := from
	for i := from; i < len(h.fields); i++ {
		if equalFold(h.fields[i].Name, name) {
			continue
		}
		h.fields[out] = h.fields[i]
		out++
	}
	clear(h.fields[out:])
	h.fields = h.fields[:out]
}

// AppendField appends a field that references name and value without
// copying. The caller guarantees both stay unchanged and valid (already
// validated, as parsed fields are) for as long as h is used, for example
// when copying a client request's fields into the upstream request.
func (h *Header) AppendField(name, value []byte) {
	h.fields = append(h.fields, Field{Name: name, Value: value})
}

// hopByHop names the fields that describe one connection only (RFC 9110
// section 7.6.1) and never travel through a proxy.
var hopByHop = [...]string{
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade",
}

// IsHopByHop reports whether name is a standard hop-by-hop field.
func IsHopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return equalFold(name, "TE")
	case 7:
		return equalFold(name, "Trailer") || equalFold(name, "Upgrade")
	case 10:
		return equalFold(name, "Connection") || equalFold(name, "Keep-Alive")
	case 16:
		return equalFold(name, "Proxy-Connection")
	case 17:
		return equalFold(name, "Transfer-Encoding")
	}
	return false
}

// CopyEndToEnd appends to dst, by reference, every field of src that is
// neither a standard hop-by-hop field nor named in one of src's
// Connection fields, nor accepted by skip (which may be nil). It does
// not allocate once dst has grown.
func CopyEndToEnd(dst, src *Header, skip func(name []byte) bool) {
	listed := false // some Connection field names other fields
	for i := range src.fields {
		f := &src.fields[i]
		if len(f.Name) == 10 && equalFold(f.Name, "Connection") && len(f.Value) > 0 {
			listed = true
			break
		}
	}
	for i := range src.fields {
		f := src.fields[i]
		if IsHopByHop(f.Name) || listed && src.connectionListed(f.Name) || (skip != nil && skip(f.Name)) {
			continue
		}
		dst.fields = append(dst.fields, f)
	}
}

// connectionListed reports whether name appears as a token of any
// Connection field.
func (h *Header) connectionListed(name []byte) bool {
	for i := range h.fields {
		if !equalFold(h.fields[i].Name, "Connection") {
			continue
		}
		v := h.fields[i].Value
		for len(v) > 0 {
			var item []byte
			j := 0
			for j < len(v) && v[j] != ',' {
				j++
			}
			item, v = v[:j], v[min(j+1, len(v)):]
			if equalFoldBytes(trimOWS(item), name) {
				return true
			}
		}
	}
	return false
}
