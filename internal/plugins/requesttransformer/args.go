package requesttransformer

import (
	"net/url"
	"strings"
)

// arg is one argument of a query string or form body: every value of
// one name, in order. A flag ("?debug") has no values.
type arg struct {
	name   string
	values []string
	flag   bool
}

// args is an ordered argument list with one entry per name, the way Kong
// sees decoded arguments (a string, a list of strings, or true).
type args []arg

// parseArgs decodes an application/x-www-form-urlencoded string.
// Undecodable escapes are kept as they are.
func parseArgs(raw string) args {
	var out args
	for raw != "" {
		var field string
		field, raw, _ = strings.Cut(raw, "&")
		if field == "" {
			continue
		}
		k, v, hasValue := strings.Cut(field, "=")
		k, v = unescape(k), unescape(v)
		if k == "" {
			continue
		}
		i := out.index(k)
		if i < 0 {
			out = append(out, arg{name: k})
			i = len(out) - 1
		}
		if hasValue {
			out[i].values = append(out[i].values, v)
			out[i].flag = false
		} else if len(out[i].values) == 0 {
			out[i].flag = true
		}
	}
	return out
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// index returns the position of name, or -1.
func (a args) index(name string) int {
	for i := range a {
		if a[i].name == name {
			return i
		}
	}
	return -1
}

// has reports whether name is present.
func (a args) has(name string) bool { return a.index(name) >= 0 }

// del removes name.
func (a *args) del(name string) {
	if i := a.index(name); i >= 0 {
		*a = append((*a)[:i], (*a)[i+1:]...)
	}
}

// set replaces every value of name with value, adding name at the end
// when absent.
func (a *args) set(name, value string) {
	if i := a.index(name); i >= 0 {
		(*a)[i].values, (*a)[i].flag = []string{value}, false
		return
	}
	*a = append(*a, arg{name: name, values: []string{value}})
}

// rename moves the values of old to name new (replacing new); it reports
// whether old was present.
func (a *args) rename(old, new string) bool {
	i := a.index(old)
	if i < 0 {
		return false
	}
	moved := (*a)[i]
	a.del(old)
	a.del(new)
	moved.name = new
	*a = append(*a, moved)
	return true
}

// appendValue adds value to name: a flag becomes that single value (as a
// Lua boolean becomes a list of the new value), a value list grows.
func (a *args) appendValue(name, value string) {
	i := a.index(name)
	if i < 0 {
		*a = append(*a, arg{name: name, values: []string{value}})
		return
	}
	if (*a)[i].flag {
		(*a)[i].values, (*a)[i].flag = nil, false
	}
	(*a)[i].values = append((*a)[i].values, value)
}

// encode renders the arguments in order, escaping like nginx's
// ngx.encode_args (spaces as %20).
func (a args) encode() string {
	var b strings.Builder
	for _, x := range a {
		if x.flag {
			sep(&b)
			b.WriteString(escape(x.name))
			continue
		}
		for _, v := range x.values {
			sep(&b)
			b.WriteString(escape(x.name))
			b.WriteByte('=')
			b.WriteString(escape(v))
		}
	}
	return b.String()
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte('&')
	}
}

func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
