package router

// reservedChars are the bytes whose percent-encoded form keeps its meaning:
// normalisation leaves their triplets encoded (with upper-case hex).
const reservedChars = "!*'();:@&=+$,/?%#[]"

// isReserved reports, per byte value, membership in reservedChars.
var isReserved = func() (t [256]bool) {
	for i := 0; i < len(reservedChars); i++ {
		t[reservedChars[i]] = true
	}
	return t
}()

// NormalizePath returns the form of a raw request path (query string
// already removed) that routing and upstream path building work on:
//
//   - every %XX triplet whose byte is not reserved is decoded; reserved
//     triplets stay encoded with upper-case hex digits;
//   - a '%' that does not start a valid triplet is encoded as "%25", so
//     that decoding can never assemble a new triplet and a second pass
//     never decodes anything (the result is idempotent);
//   - "." and ".." segments are removed and repeated slashes merged;
//   - the result always starts with "/"; a trailing slash, or a trailing
//     dot segment, leaves a trailing slash.
//
// A path that is already normalised is returned unchanged, without copying.
func NormalizePath(raw string) string {
	if isNormalized(raw) {
		return raw
	}
	return normalizeSlow(raw)
}

// isNormalized reports whether NormalizePath would return raw unchanged.
func isNormalized(s string) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2]) {
				return false
			}
			if !isReserved[unhex(s[i+1])<<4|unhex(s[i+2])] {
				return false
			}
			i += 2
		case '/':
			rest := s[i+1:]
			if len(rest) == 0 {
				continue
			}
			if rest[0] == '/' || isDotSegmentStart(rest) {
				return false
			}
		}
	}
	return true
}

// isDotSegmentStart reports whether rest (the text after a '/') begins
// with a "." or ".." segment.
func isDotSegmentStart(rest string) bool {
	if rest[0] != '.' {
		return false
	}
	if len(rest) == 1 || rest[1] == '/' {
		return true
	}
	return rest[1] == '.' && (len(rest) == 2 || rest[2] == '/')
}

// normalizeSlow decodes, then removes dot segments and empty segments in
// place; short paths are worked on in a stack buffer so that the returned
// string is the only allocation.
func normalizeSlow(raw string) string {
	var stack [256]byte
	buf := stack[:0]
	if 3*len(raw)+1 > len(stack) {
		buf = make([]byte, 0, 3*len(raw)+1)
	}
	buf = appendDecoded(buf, raw)
	// buf starts with '/'. Each segment is read from after its '/' and
	// written back at w, which never passes the read position.
	w := 0
	trailingSlash := false
	for start := 1; start <= len(buf); {
		end := start
		for end < len(buf) && buf[end] != '/' {
			end++
		}
		switch seg := buf[start:end]; {
		case len(seg) == 0 || (len(seg) == 1 && seg[0] == '.'):
			trailingSlash = true
		case len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			trailingSlash = true
			if i := lastSlash(buf[:w]); i >= 0 {
				w = i
			}
		default:
			trailingSlash = false
			buf[w] = '/'
			w += 1 + copy(buf[w+1:], seg)
		}
		start = end + 1
	}
	if w == 0 {
		return "/"
	}
	if trailingSlash {
		buf[w] = '/'
		w++
	}
	return string(buf[:w])
}

// lastSlash returns the index of the last '/' in b, or -1.
func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}

// appendDecoded appends s to buf with a leading '/' when s lacks one,
// decoding the triplets of non-reserved bytes, upper-casing the hex of
// reserved triplets and encoding stray '%' bytes as "%25".
func appendDecoded(buf []byte, s string) []byte {
	if len(s) == 0 || s[0] != '/' {
		buf = append(buf, '/')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			buf = append(buf, c)
			continue
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isReserved[b] {
				buf = append(buf, '%', upperHex(s[i+1]), upperHex(s[i+2]))
			} else {
				buf = append(buf, b)
			}
			i += 2
			continue
		}
		buf = append(buf, '%', '2', '5')
	}
	return buf
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isUpperHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('A' <= c && c <= 'F')
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
