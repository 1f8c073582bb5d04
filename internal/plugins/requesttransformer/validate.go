package requesttransformer

import (
	"regexp"
	"strings"
)

// headerName is Kong's rule for header names in transformer configs.
var headerName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// pair is one name:value entry; value is "" when the entry has none.
type pair struct {
	name, value string
}

// splitPair splits an entry like Kong's "^([^:]+):*(.-)$": the name runs
// to the first ':', every ':' after it is skipped, the rest is the value.
func splitPair(entry string) pair {
	name, value, _ := strings.Cut(entry, ":")
	return pair{name: name, value: strings.TrimLeft(value, ":")}
}

func notValidHeader(s string) string { return "'" + s + "' is not a valid header" }

// checkHeaderName checks the name part of a header entry.
func checkHeaderName(v any) string {
	s, _ := v.(string)
	if p := splitPair(s); !headerName.MatchString(p.name) {
		return notValidHeader(p.name)
	}
	return ""
}

// checkHeaderRename checks an old:new entry: both must be header names.
func checkHeaderRename(v any) string {
	s, _ := v.(string)
	if !hasPairShape(s) {
		return "invalid value: " + s
	}
	p := splitPair(s)
	switch {
	case !headerName.MatchString(p.name):
		return notValidHeader(p.name)
	case !headerName.MatchString(p.value):
		return notValidHeader(p.value)
	}
	return ""
}

// checkHeaderPair checks a name:value header entry. Values holding CR or
// LF are refused: they would split the header.
func checkHeaderPair(v any) string {
	s, _ := v.(string)
	if !hasPairShape(s) {
		return "invalid value: " + s
	}
	p := splitPair(s)
	if !headerName.MatchString(p.name) {
		return notValidHeader(p.name)
	}
	if strings.ContainsAny(p.value, "\r\n") {
		return "header '" + p.name + "' has a value with CR or LF characters"
	}
	return ""
}

// checkValued checks a name:value entry of the body or query string.
func checkValued(v any) string {
	s, _ := v.(string)
	if strings.HasPrefix(s, ":") {
		return "invalid value: " + s
	}
	if p := splitPair(s); p.value == "" {
		return "key '" + p.name + "' has no value"
	}
	return ""
}

// hasPairShape reports whether s matches "^[^:]+:.*$".
func hasPairShape(s string) bool {
	i := strings.IndexByte(s, ':')
	return i > 0
}

// checkMethod is Kong's http_method typedef: upper-case letters only.
func checkMethod(v any) string {
	s, _ := v.(string)
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return "invalid value: " + s
		}
	}
	return ""
}
