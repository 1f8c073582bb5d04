package router

import "strings"

// Match is the result of a successful Router.Match. A Match may be reused
// across requests: a successful Router.Match overwrites every field, and
// reuses the backing array of Captures.
type Match struct {
	// Route is the matched route (a pointer into the router's own table).
	Route *Route
	// Path is the normalised request path.
	Path string
	// Prefix is the part of Path that strip_path removes: the route's
	// prefix path, or the text its regex path matched. It is "" when the
	// route does not strip.
	Prefix string
	// Captures holds the groups of the regex path that matched when that
	// regex has groups: Captures[0] is the whole match, Captures[i] group
	// i ("" when the group did not participate). Nil otherwise.
	Captures []string
	// CaptureNames holds the group names of that regex, indexed like
	// Captures ("" for unnamed groups). Nil when Captures is nil.
	CaptureNames []string

	// strip reports that Prefix is removed when building the upstream path
	// (strip_path is set and a path of the route matched).
	strip bool
	// captureBuf keeps the Captures backing array for reuse.
	captureBuf []string
}

// Stripped reports whether the route's strip_path removed Prefix from the
// path sent upstream (Prefix may be "" when a regex matched empty text).
func (m *Match) Stripped() bool { return m.strip }

// UpstreamPath builds the path sent to the upstream from the service path
// (servicePath "" means the service has no path), following Kong's v0
// rules, and percent-escapes every byte outside the unreserved and
// reserved sets and '%'. The query string is not included.
func (m *Match) UpstreamPath(servicePath string) string {
	return string(m.AppendUpstreamPath(nil, servicePath))
}

// AppendUpstreamPath appends UpstreamPath(servicePath) to dst, without
// allocating when dst has room.
func (m *Match) AppendUpstreamPath(dst []byte, servicePath string) []byte {
	a, b, c := upstreamPathV0(servicePath, m.Path, m.Prefix, m.strip)
	dst = appendEscapedPath(dst, a)
	dst = appendEscapedPath(dst, b)
	return appendEscapedPath(dst, c)
}

// upstreamPathV0 implements the v0 table: base is the service path ("/"
// when empty), req the normalised request path, prefix the stripped part.
// The upstream path is the concatenation of the three parts returned.
func upstreamPathV0(base, req, prefix string, strip bool) (string, string, string) {
	if base == "" {
		base = "/"
	}
	if req == "" {
		req = "/"
	}
	if !strip {
		if strings.HasSuffix(base, "/") {
			return base, req[1:], ""
		}
		if req == "/" {
			return base, "", ""
		}
		return base, req, ""
	}
	postfix := sanitizePostfix(req[len(prefix):])
	if strings.HasSuffix(base, "/") {
		switch {
		case postfix == "":
			if base == "/" {
				return "/", "", ""
			}
			if strings.HasSuffix(req, "/") {
				return base, "", ""
			}
			return base[:len(base)-1], "", ""
		case postfix[0] == '/':
			return base[:len(base)-1], postfix, ""
		default:
			return base, postfix, ""
		}
	}
	switch {
	case postfix == "":
		if len(req) > 1 && strings.HasSuffix(req, "/") {
			return base, "/", ""
		}
		return base, "", ""
	case postfix[0] == '/':
		return base, postfix, ""
	default:
		return base, "/", postfix
	}
}

// sanitizePostfix drops a leading "./" or "../" and turns "." and ".."
// into "".
func sanitizePostfix(p string) string {
	switch {
	case p == "." || p == "..":
		return ""
	case strings.HasPrefix(p, "./"):
		return p[2:]
	case strings.HasPrefix(p, "../"):
		return p[3:]
	}
	return p
}

// keepInPath marks the bytes escapePath leaves alone: unreserved,
// reserved and '%'.
var keepInPath = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range []byte("-._~" + reservedChars) {
		t[c] = true
	}
	return t
}()

// appendEscapedPath appends p with every byte that is not in keepInPath
// percent-encoded (upper-case hex).
func appendEscapedPath(dst []byte, p string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(p); i++ {
		c := p[i]
		if keepInPath[c] {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}
