package jwt

import (
	"net/url"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// tokenSearch gathers the distinct tokens a request carries. It keeps
// the first one and whether another, different one was seen, so that the
// common single-token case does not allocate.
type tokenSearch struct {
	first    string
	found    bool
	flag     bool // a query argument named like a token but without a value
	multiple bool
}

func (s *tokenSearch) add(token string) {
	if token == "" {
		return
	}
	switch {
	case s.flag || (s.found && token != s.first):
		s.multiple = true
	case !s.found:
		s.first, s.found = token, true
	}
}

func (s *tokenSearch) addFlag() {
	if s.found {
		s.multiple = true
	}
	s.flag = true
}

// count returns how many distinct tokens were found, capped at two.
func (s *tokenSearch) count() int {
	switch {
	case s.multiple:
		return 2
	case s.found || s.flag:
		return 1
	}
	return 0
}

// findTokens looks for tokens in the query arguments, cookies and headers
// configured, in that order (Kong's order).
func (h *Handler) findTokens(req plugin.Request) tokenSearch {
	var s tokenSearch
	if raw := req.RawQuery(); raw != "" && len(h.cfg.URIParamNames) > 0 {
		queryTokens(raw, h.cfg.URIParamNames, &s)
	}
	if len(h.cfg.CookieNames) > 0 {
		for _, header := range req.HeaderValues("Cookie") {
			for _, name := range h.cfg.CookieNames {
				if v, ok := cookieValue(header, name); ok {
					s.add(v)
				}
			}
		}
	}
	for _, name := range h.cfg.HeaderNames {
		if v := req.Header(name); v != "" {
			if tok, ok := bearerToken(v); ok {
				s.add(tok)
			}
		}
	}
	return s
}

// queryTokens adds every value of the query arguments named in names.
func queryTokens(raw string, names []string, s *tokenSearch) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, hasValue := strings.Cut(pair, "=")
		key = unescape(key)
		for _, n := range names {
			if key != n {
				continue
			}
			if !hasValue {
				s.addFlag()
			} else {
				s.add(unescape(value))
			}
			break
		}
	}
}

// unescape decodes a query component, leaving it as is when it holds no
// escapes or when it is malformed.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// cookieValue returns the value of cookie name in a Cookie header.
func cookieValue(header, name string) (string, bool) {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		part = strings.TrimLeft(part, " \t")
		k, v, ok := strings.Cut(part, "=")
		if ok && k == name {
			return strings.TrimRight(v, " \t"), true
		}
	}
	return "", false
}

// bearerToken extracts the token of a header value as Kong's pattern
// `\s*[Bb]earer\s+(.+)` does: the first "Bearer" or "bearer" followed by
// whitespace and at least one more character, anywhere in the value.
func bearerToken(v string) (string, bool) {
	for i := 0; i+6 <= len(v); i++ {
		if (v[i] != 'B' && v[i] != 'b') || v[i+1:i+6] != "earer" {
			continue
		}
		j := i + 6
		k := j
		for k < len(v) && isSpace(v[k]) {
			k++
		}
		switch {
		case k == j:
			continue
		case k < len(v):
			return v[k:], true
		case k-j >= 2:
			// The greedy whitespace gives one character back to (.+).
			return v[k-1:], true
		}
	}
	return "", false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
