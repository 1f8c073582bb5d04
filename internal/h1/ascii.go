package h1

import (
	"bytes"
	"unsafe"
)

// tokenTable marks the bytes allowed in a token (RFC 9110 tchar): header
// names, methods and transfer codings.
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// hostTable marks the bytes allowed in a Host value: reg-name, IP
// literals, port and percent-encoding. '@' (userinfo) and '/' are left
// out on purpose.
var hostTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~!$&'()*+,;=:[]%" {
		t[c] = true
	}
	return t
}()

// validFieldValueByte reports whether c may appear in a header value:
// visible ASCII, space, tab and obs-text; no other control bytes.
func validFieldValueByte(c byte) bool {
	return c >= 0x20 && c != 0x7f || c == '\t'
}

// validTargetByte reports whether c may appear in a request target: no
// controls, no space.
func validTargetByte(c byte) bool {
	return c > 0x20 && c != 0x7f
}

// ValidHeaderName reports whether name is a non-empty token.
func ValidHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !tokenTable[name[i]] {
			return false
		}
	}
	return true
}

// ValidHeaderValue reports whether value can be written in a header line
// without changing the message framing (no CR, LF, NUL or other
// control bytes except tab).
func ValidHeaderValue(value string) bool {
	if plainFieldValue(unsafe.Slice(unsafe.StringData(value), len(value))) {
		return true
	}
	for i := 0; i < len(value); i++ {
		if !validFieldValueByte(value[i]) {
			return false
		}
	}
	return true
}

// lower folds an ASCII upper-case letter.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold compares b with s ignoring ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != s[i] && lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

// equalFoldBytes compares a with b ignoring ASCII case.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// trimOWS removes optional white space (SP, HTAB) at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseDecimal parses a non-empty run of ASCII digits into a
// non-negative int64, rejecting signs, spaces and overflow.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// hasToken reports whether the comma-separated list v contains token,
// ignoring case, surrounding white space and parameters.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var item []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			item, v = v, nil
		}
		if i := bytes.IndexByte(item, ';'); i >= 0 {
			item = item[:i]
		}
		if equalFold(trimOWS(item), token) {
			return true
		}
	}
	return false
}

// ViewString returns a string sharing b's memory, without copying. The
// string is only valid while b is: views of request or response fields
// must not be kept after the handler returns or the body is released.
func ViewString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendUint appends the decimal form of n.
func appendUint(dst []byte, n uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}
