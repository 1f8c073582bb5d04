package cors

import (
	"fmt"
	"regexp"
	"strings"
)

// originMode is how an instance decides Access-Control-Allow-Origin.
type originMode uint8

const (
	// allowAll: no origins, or only "*": the header is "*".
	allowAll originMode = iota
	// allowFixed: one plain origin, sent as configured whatever the
	// request's Origin.
	allowFixed
	// allowListed: the request's Origin is checked against the list.
	allowListed
)

// originRule is one entry of a listed configuration: either a regular
// expression or a normalized plain origin.
type originRule struct {
	re *regexp.Regexp
	// byHost: the expression is matched against the origin's host only
	// (the entry has no ':'); otherwise against the normalized origin.
	byHost bool
	domain string
}

// plainOrigin matches entries that are not treated as regular
// expressions.
var plainOrigin = regexp.MustCompile(`^[A-Za-z0-9.:/-]+$`)

// compileOrigins classifies the configured origins and compiles their
// regular expressions.
func (h *Handler) compileOrigins(origins []string) error {
	switch {
	case len(origins) == 0 || len(origins) == 1 && origins[0] == "*":
		h.mode = allowAll
		return nil
	case len(origins) == 1 && plainOrigin.MatchString(origins[0]):
		h.mode, h.fixedOrigin = allowFixed, origins[0]
		return nil
	}
	h.mode = allowListed
	for _, entry := range origins {
		if entry == "*" {
			// Any "*" in a list allows every origin that is sent.
			h.listWildcard = true
			continue
		}
		rule := originRule{byHost: !strings.Contains(entry, ":")}
		if plainOrigin.MatchString(entry) {
			rule.domain, _ = normalizeOrigin(entry)
		} else {
			// Entries are anchored at both ends, accepting an explicit
			// "^" or "$" from the configuration.
			expr := strings.TrimPrefix(entry, "^")
			if !strings.HasSuffix(expr, "$") {
				expr += "$"
			}
			re, err := regexp.Compile("^(?:" + expr + ")")
			if err != nil {
				return fmt.Errorf("origin %q: %w", entry, err)
			}
			rule.re = re
		}
		h.rules = append(h.rules, rule)
	}
	return nil
}

// normalizeOrigin returns an origin as scheme://host[:port] with the
// default port of its scheme and any path dropped, and its host. A value
// without "scheme://host" is returned as is, as both. The common case, an
// origin already in that form, does not allocate.
func normalizeOrigin(origin string) (domain, host string) {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || scheme == "" {
		return origin, origin
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		if end := strings.IndexByte(authority, ']'); end > 0 {
			host = authority[:end+1]
			port = strings.TrimPrefix(authority[end+1:], ":")
		}
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i+1:]
	}
	if host == "" {
		return origin, origin
	}
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	}
	n := len(scheme) + 3 + len(host)
	if port != "" {
		n += 1 + len(port)
	}
	if n == len(origin) && strings.HasPrefix(origin[len(scheme)+3:], host) {
		// Nothing was dropped.
		return origin, host
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	return b.String(), host
}

// matchOrigin returns the normalized request origin when it matches one
// of the listed rules.
func (h *Handler) matchOrigin(origin string) (string, bool) {
	domain, host := normalizeOrigin(origin)
	for i := range h.rules {
		r := &h.rules[i]
		switch {
		case r.re == nil:
			if domain == r.domain {
				return domain, true
			}
		case r.byHost:
			if r.re.MatchString(host) {
				return domain, true
			}
		default:
			if r.re.MatchString(domain) {
				return domain, true
			}
		}
	}
	return "", false
}
