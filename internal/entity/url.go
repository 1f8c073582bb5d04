package entity

import "strings"

// luaURL holds the parts of a URL split the way Kong's url shorthand
// (LuaSocket's url.parse) splits them.
type luaURL struct {
	scheme, host, port, path string
}

// parseLuaURL splits scheme, authority, path, dropping the fragment, the
// query and ";params". The scheme needs a letter then letters, digits,
// "+", "-" or "."; the authority needs "//".
func parseLuaURL(s string) luaURL {
	var u luaURL
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) {
		u.scheme, s = s[:i], s[i+1:]
	}
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		authority := rest[:end]
		s = rest[end:]
		// A query or params inside the authority end it.
		if i := strings.IndexAny(authority, "?;"); i >= 0 {
			authority = authority[:i]
		}
		if i := strings.LastIndexByte(authority, '@'); i >= 0 {
			authority = authority[i+1:]
		}
		if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.ContainsAny(authority[i+1:], ":]") {
			u.port, authority = authority[i+1:], authority[:i]
		}
		if strings.HasPrefix(authority, "[") && strings.HasSuffix(authority, "]") && len(authority) > 2 {
			authority = authority[1 : len(authority)-1]
		}
		u.host = authority
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	u.path = s
	return u
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter && !(c >= '0' && c <= '9') {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
