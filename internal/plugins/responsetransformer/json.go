package responsetransformer

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// jsonPair is a name:value entry of a JSON operation with its json_types
// entry ("" means string).
type jsonPair struct {
	name, value, typ string
}

// jsonOps are the JSON body operations of one instance.
type jsonOps struct {
	remove  []string
	rename  []jsonPair
	replace []jsonPair
	add     []jsonPair
	append  []jsonPair
}

func (o *jsonOps) empty() bool {
	return len(o.remove)+len(o.rename)+len(o.replace)+len(o.add)+len(o.append) == 0
}

// jsonPairs splits entries and pairs them with json_types by position.
func jsonPairs(entries, types []string) []jsonPair {
	out := make([]jsonPair, len(entries))
	for i, e := range entries {
		p := splitPair(e)
		out[i] = jsonPair{name: p.name, value: p.value}
		if i < len(types) {
			out[i].typ = types[i]
		}
	}
	return out
}

// typed converts the entry's value by its json_types entry: a number
// that does not parse, or an entry without a value, yields ok false and
// the operation is skipped.
func (p *jsonPair) typed() (any, bool) {
	if p.value == "" {
		return nil, false
	}
	switch p.typ {
	case "number":
		f, err := strconv.ParseFloat(p.value, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		if json.Valid([]byte(p.value)) {
			// Keep the number as written.
			return json.Number(p.value), true
		}
		return f, true
	case "boolean":
		return p.value == "true", true
	}
	return p.value, true
}

// transform applies remove, rename, replace (members set to something
// other than false), add (absent or false members) and append to a JSON
// object body. Anything that is not a JSON object is returned as is.
func (o *jsonOps) transform(body []byte) []byte {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return body
	}
	for _, name := range o.remove {
		delete(obj, name)
	}
	for _, p := range o.rename {
		if v, ok := obj[p.name]; ok && p.value != "" {
			delete(obj, p.name)
			obj[p.value] = v
		}
	}
	for i := range o.replace {
		p := &o.replace[i]
		if v, ok := p.typed(); ok && truthy(obj, p.name) {
			obj[p.name] = v
		}
	}
	for i := range o.add {
		p := &o.add[i]
		if v, ok := p.typed(); ok && !truthy(obj, p.name) {
			obj[p.name] = v
		}
	}
	for i := range o.append {
		p := &o.append[i]
		if v, ok := p.typed(); ok {
			obj[p.name] = appendValue(obj[p.name], v)
		}
	}
	var out bytes.Buffer
	out.Grow(len(body) + 64)
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return body
	}
	return bytes.TrimSuffix(out.Bytes(), []byte{'\n'})
}

// truthy reports whether obj[name] is set to something other than false
// (null counts as set), as a Lua test of the member would.
func truthy(obj map[string]any, name string) bool {
	v, ok := obj[name]
	return ok && v != false
}

// appendValue appends v to a member: a string becomes a list of both, a
// list grows, anything else is replaced by a list of v.
func appendValue(current, v any) any {
	switch c := current.(type) {
	case string:
		return []any{c, v}
	case []any:
		return append(c, v)
	}
	return []any{v}
}
