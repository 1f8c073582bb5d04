package entity

import (
	"regexp"
	"strings"
)

// checkRouteHost validates a route host: a hostname or IP with optional
// port and at most one "*" as the leftmost or rightmost label.
func checkRouteHost(v any) string {
	s, _ := v.(string)
	if strings.Count(s, "*") > 1 {
		return "invalid wildcard: must have at most one wildcard"
	}
	if strings.Contains(s, "*") && !strings.HasPrefix(s, "*.") && !strings.HasSuffix(s, ".*") {
		return "invalid wildcard: must be placed at leftmost or rightmost label"
	}
	return checkHostWithOptionalPort(strings.ReplaceAll(s, "*", "abc"))
}

// checkRouteHeaderName validates a route header key: not "host", and a
// valid header name.
func checkRouteHeaderName(v any) string {
	s, _ := v.(string)
	if strings.EqualFold(s, "host") {
		return "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
	}
	return checkHeaderName(s)
}

// checkRouterPath validates a route path: "/prefix" paths must be in
// normalized form, "~/regex" paths must compile.
func checkRouterPath(v any) string {
	s, _ := v.(string)
	if strings.Contains(s, "//") {
		return "must not have empty segments"
	}
	if !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "~/") {
		return "should start with: / (fixed path) or ~/ (regex path)"
	}
	if re, isRegex := strings.CutPrefix(s, "~"); isRegex {
		if _, err := regexp.Compile(re); err != nil {
			return "invalid regex: '" + re + "' (PCRE returned: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ") + ")"
		}
		return ""
	}
	rfcClean := true
	for i := 0; i < len(s); i++ {
		if !isPathByte(s[i]) {
			rfcClean = false
			break
		}
	}
	if rfcClean {
		if msg := checkPercentEncoding(s); msg != "" {
			return msg
		}
	}
	if normalized := NormalizePath(s); normalized != s {
		return "non-normalized path, consider use '" + normalized + "' instead"
	}
	return ""
}

// NormalizePath puts a request or route path in the normal form used for
// matching: %XX escapes of unreserved characters decoded, other escapes
// upper-cased, "//" merged and "." / ".." segments resolved.
func NormalizePath(p string) string {
	if strings.Contains(p, "%") {
		p = normalizeEscapes(p)
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if strings.Contains(p, ".") {
		p = removeDotSegments(p)
	}
	return p
}

func normalizeEscapes(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(p[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments resolves "." and ".." segments (RFC 3986 5.2.4).
func removeDotSegments(p string) string {
	segments := strings.Split(p, "/")
	out := make([]string, 0, len(segments))
	for i, seg := range segments {
		last := i == len(segments)-1
		switch seg {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	res := strings.Join(out, "/")
	if !strings.HasPrefix(res, "/") && strings.HasPrefix(p, "/") {
		res = "/" + res
	}
	return res
}
