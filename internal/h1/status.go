package h1

import (
	"net/http"
	"strconv"
)

// statusLines caches "HTTP/1.1 NNN Reason\r\n" for every code 100-599.
var statusLines = func() (t [600]string) {
	for code := 100; code < 600; code++ {
		t[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code) + "\r\n"
	}
	return t
}()

// appendStatusLine appends the HTTP/1.1 status line of code.
func appendStatusLine(dst []byte, code int) []byte {
	if code >= 100 && code < 600 {
		return append(dst, statusLines[code]...)
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = appendUint(dst, uint64(code))
	return append(dst, " \r\n"...)
}

// bodyAllowedForStatus reports whether a response with this status may
// carry a body (RFC 9110: not 1xx, 204 or 304).
func bodyAllowedForStatus(code int) bool {
	return code >= 200 && code != 204 && code != 304
}
