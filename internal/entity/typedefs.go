package entity

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// invalidUTF8At returns the 1-based byte position of the first invalid
// UTF-8 sequence in s, or 0.
func invalidUTF8At(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i + 1
		}
		i += size
	}
	return 0
}

// checkUTF8Name is the utf8_name typedef: ASCII letters, digits, ".", "-",
// "_", "~" or any valid UTF-8 beyond ASCII.
func checkUTF8Name(v any) string {
	s, _ := v.(string)
	if pos := invalidUTF8At(s); pos > 0 {
		return "invalid utf-8 character sequence detected at position " + strconv.Itoa(pos)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && !isNameByte(c) {
			return "invalid value '" + s + "': the only accepted ascii characters are alphanumerics or ., -, _, and ~"
		}
	}
	return ""
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == '~'
}

// checkTag is the tag typedef: printable ASCII except "," and "/", or
// valid UTF-8.
func checkTag(v any) string {
	s, _ := v.(string)
	bad := "invalid tag '" + s + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"
	if invalidUTF8At(s) > 0 {
		return bad
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c < 32 || c > 126 || c == ',' || c == '/') {
			return bad
		}
	}
	return ""
}

// checkHost is the host typedef: a hostname or IP without a port.
func checkHost(v any) string {
	s, _ := v.(string)
	p, msg := parseHost(s)
	if msg != "" && msg != "invalid port number" {
		return "invalid value: " + s
	}
	if msg != "" || p.port >= 0 {
		return "must not have a port"
	}
	return ""
}

// checkHostWithOptionalPort is the host_with_optional_port typedef.
func checkHostWithOptionalPort(v any) string {
	s, _ := v.(string)
	_, msg := parseHost(s)
	return msg
}

// checkSNI is the sni typedef: a hostname, not an IP, without a port.
func checkSNI(v any) string {
	s, _ := v.(string)
	p, msg := parseHost(s)
	if msg != "" && msg != "invalid port number" {
		return "invalid value: " + s
	}
	if msg == "" && p.kind != kindName {
		return "must not be an IP"
	}
	if msg != "" || p.port >= 0 {
		return "must not have a port"
	}
	return ""
}

// checkWildcardHost is the wildcard_host typedef: an SNI with at most one
// "*" as its first or last character.
func checkWildcardHost(v any) string {
	s, _ := v.(string)
	if idx := strings.IndexByte(s, '*'); idx >= 0 {
		if idx != 0 && idx != len(s)-1 {
			return "wildcard must be leftmost or rightmost character"
		}
		if strings.Count(s, "*") > 1 {
			return "only one wildcard must be specified"
		}
		s = strings.Replace(s, "*", "wildcard", 1)
	}
	return checkSNI(s)
}

// checkPath is the path typedef (service path, health check path): no
// empty segments, RFC 3986 characters only, well-formed %XX escapes.
func checkPath(v any) string {
	s, _ := v.(string)
	if strings.Contains(s, "//") {
		return "must not have empty segments"
	}
	if !strings.HasPrefix(s, "/") {
		return "should start with: /"
	}
	for i := 0; i < len(s); i++ {
		if !isPathByte(s[i]) {
			return "invalid path: '" + s + "' (characters outside of the reserved list of RFC 3986 found)"
		}
	}
	return checkPercentEncoding(s)
}

func isPathByte(c byte) bool {
	return isNameByte(c) || strings.IndexByte("/%:@!$&'()*+,;=", c) >= 0
}

// checkPercentEncoding reports the first "%" not starting a %XX escape as
// `invalid url-encoded value: '<% and up to two following characters>'`,
// reading past valid escapes as Kong does.
func checkPercentEncoding(s string) string {
	if !strings.Contains(s, "%") {
		return ""
	}
	var raw strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			raw.WriteString("___")
			i += 2
			continue
		}
		raw.WriteByte(s[i])
	}
	r := raw.String()
	idx := strings.IndexByte(r, '%')
	if idx < 0 {
		return ""
	}
	end := min(idx+3, len(r))
	return "invalid url-encoded value: '" + r[idx:end] + "'"
}

// checkHeaderName is the header_name typedef.
func checkHeaderName(v any) string {
	s, _ := v.(string)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "bad header name '" + s + "', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
		}
	}
	return ""
}

// checkCookieName requires an HTTP token.
func checkCookieName(v any) string {
	s, _ := v.(string)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 32 || c >= 127 || strings.IndexByte("()<>@,;:\\\"/?={}[]", c) >= 0 {
			return "contains one or more invalid characters. ASCII control characters (0-31;127), space, tab and the characters ()<>@,;:\\\"/?={}[] are not allowed."
		}
	}
	return ""
}

var upperLetters = regexp.MustCompile(`^[A-Z]+$`)

// checkHTTPMethod requires an all upper-case method name.
func checkHTTPMethod(v any) string {
	s, _ := v.(string)
	if !upperLetters.MatchString(s) {
		return "invalid value: " + s
	}
	return ""
}

// checkIPOrCIDR requires an IP address or a CIDR range.
func checkIPOrCIDR(v any) string {
	s, _ := v.(string)
	addr, bits, hasBits := strings.Cut(s, "/")
	ok := isIP(addr)
	if ok && hasBits {
		limit := 32
		if strings.Contains(addr, ":") {
			limit = 128
		}
		n, err := strconv.Atoi(bits)
		ok = err == nil && allDigits(bits) && n <= limit
	}
	if !ok {
		return "invalid ip or cidr range: '" + s + "'"
	}
	return ""
}

func isIP(s string) bool {
	if strings.Contains(s, ":") {
		return validIPv6(s)
	}
	p, msg := parseIPv4(s)
	return msg == "" && p.port < 0
}
