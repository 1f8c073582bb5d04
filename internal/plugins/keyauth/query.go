package keyauth

import (
	"net/url"
	"strings"
)

// queryValue scans a raw query string for argument name and returns its
// first value and the number of values given with "=". Flag arguments
// ("?apikey") carry no key and are not counted. It allocates only to
// unescape an escaped name or value.
func queryValue(raw, name string) (string, int) {
	first, n := "", 0
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, hasValue := strings.Cut(pair, "=")
		if !hasValue || !queryNameIs(k, name) {
			continue
		}
		if n == 0 {
			first = unescapeQuery(v)
		}
		n++
	}
	return first, n
}

// stripQuery removes every argument called name from raw, keeping the
// other arguments byte for byte.
func stripQuery(raw, name string) (string, bool) {
	var b strings.Builder
	changed := false
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, _, _ := strings.Cut(pair, "=")
		if queryNameIs(k, name) {
			changed = true
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pair)
	}
	if !changed {
		return raw, false
	}
	return b.String(), true
}

func queryNameIs(escaped, name string) bool {
	if escaped == name {
		return true
	}
	if !strings.ContainsAny(escaped, "%+") {
		return false
	}
	return unescapeQuery(escaped) == name
}

func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}
