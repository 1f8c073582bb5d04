package router

import (
	"fmt"
	"net/textproto"
	"regexp"
	"sort"
	"strings"
)

// headerRule is one compiled entry of a route's headers: the request must
// carry a value of header name equal to one of literals, or matching one
// of patterns, after ASCII lower-casing on both sides.
type headerRule struct {
	// name is in canonical MIME form so lookups do not allocate.
	name     string
	literals []string
	patterns []*regexp.Regexp
}

// compileHeaderRules compiles a route's headers map in a stable (sorted)
// order. Header names treat '_' and '-' alike; values starting with "~*"
// are regexes, lower-cased like literal values, and searched unanchored.
func compileHeaderRules(headers map[string][]string) ([]headerRule, error) {
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)
	rules := make([]headerRule, 0, len(names))
	for _, name := range names {
		rule := headerRule{
			name: textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-")),
		}
		for _, value := range headers[name] {
			if pattern, ok := strings.CutPrefix(value, "~*"); ok {
				re, err := regexp.Compile(asciiLower(pattern))
				if err != nil {
					return nil, fmt.Errorf("header %q: regex %q: %w", name, value, err)
				}
				rule.patterns = append(rule.patterns, re)
				continue
			}
			rule.literals = append(rule.literals, asciiLower(value))
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// allHeadersMatch reports whether every rule is satisfied by h.
func allHeadersMatch(rules []headerRule, h HeaderGetter) bool {
	if h == nil {
		return false
	}
	for i := range rules {
		if !rules[i].matches(h.Values(rules[i].name)) {
			return false
		}
	}
	return true
}

// matches reports whether any of values satisfies the rule.
func (r *headerRule) matches(values []string) bool {
	for _, v := range values {
		for _, lit := range r.literals {
			if equalLowered(v, lit) {
				return true
			}
		}
		if len(r.patterns) == 0 {
			continue
		}
		lowered := asciiLower(v)
		for _, re := range r.patterns {
			if re.MatchString(lowered) {
				return true
			}
		}
	}
	return false
}

// equalLowered reports whether v, ASCII lower-cased, equals lower.
func equalLowered(v, lower string) bool {
	if len(v) != len(lower) {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only (as Lua's string.lower does),
// returning s itself when it has none.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
