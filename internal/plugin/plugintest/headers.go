package plugintest

import "strings"

// Headers is an ordered list of header fields with case-insensitive
// names.
type Headers struct {
	fields []field
}

type field struct{ name, value string }

// Get returns the first value of name, or "".
func (h *Headers) Get(name string) string {
	for _, f := range h.fields {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// Values returns every value of name in order.
func (h *Headers) Values(name string) []string {
	var out []string
	for _, f := range h.fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// Range calls fn for each field until it returns false.
func (h *Headers) Range(fn func(name, value string) bool) {
	for _, f := range h.fields {
		if !fn(f.name, f.value) {
			return
		}
	}
}

// Set replaces every value of name.
func (h *Headers) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

// Add appends a value to name.
func (h *Headers) Add(name, value string) {
	h.fields = append(h.fields, field{name, value})
}

// Del removes name.
func (h *Headers) Del(name string) {
	kept := h.fields[:0]
	for _, f := range h.fields {
		if !strings.EqualFold(f.name, name) {
			kept = append(kept, f)
		}
	}
	clear(h.fields[len(kept):])
	h.fields = kept
}

// Len returns the number of fields.
func (h *Headers) Len() int { return len(h.fields) }
