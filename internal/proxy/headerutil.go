package proxy

import (
	"net/http"
	"unsafe"

	"github.com/straitgw/strait/internal/h1"
)

// Header names and fixed values written by reference into h1 headers.
var (
	nameLocation        = []byte("Location")
	nameConnection      = []byte("Connection")
	nameUpgrade         = []byte("Upgrade")
	nameServer          = []byte("Server")
	nameVia             = []byte("Via")
	nameRequestID       = []byte("X-Kong-Request-Id")
	nameResponseLatency = []byte("X-Kong-Response-Latency")
	nameUpstreamLatency = []byte("X-Kong-Upstream-Latency")
	nameProxyLatency    = []byte("X-Kong-Proxy-Latency")
	nameXFF             = []byte("X-Forwarded-For")
	nameXFProto         = []byte("X-Forwarded-Proto")
	nameXFHost          = []byte("X-Forwarded-Host")
	nameXFPort          = []byte("X-Forwarded-Port")
	nameXFPath          = []byte("X-Forwarded-Path")
	nameXFPrefix        = []byte("X-Forwarded-Prefix")
	nameXRealIP         = []byte("X-Real-IP")
	nameTE              = []byte("TE")
	valueUpgrade        = []byte("Upgrade")
	valueUpgradeTLS     = []byte("TLS/1.2, HTTP/1.1")
	valueWebsocket      = []byte("websocket")
	valueTrailers       = []byte("trailers")
)

// eqFold reports whether b equals s, ignoring ASCII case.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c1, c2 := b[i], s[i]
		if c1 == c2 {
			continue
		}
		if c1|0x20 != c2|0x20 || c1|0x20 < 'a' || c1|0x20 > 'z' {
			return false
		}
	}
	return true
}

// setField replaces every field called name with one referencing value
// (no copy: value must stay valid until the head is sent).
func setField(h *h1.Header, name, value []byte) {
	h.Del(h1.ViewString(name))
	h.AppendField(name, value)
}

// joinedValue returns the values of every field called name joined with
// ", ". A single field is returned as a view; several are joined in
// scratch (appended at its end).
func joinedValue(h *h1.Header, name string, scratch *[]byte) string {
	n := 0
	var first []byte
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if eqFold(f.Name, name) {
			if n == 0 {
				first = f.Value
			}
			n++
		}
	}
	if n <= 1 {
		return h1.ViewString(first)
	}
	return h1.ViewString(appendJoined(scratch, h, name))
}

// appendJoined appends the joined values of name to *buf and returns
// the appended part.
func appendJoined(buf *[]byte, h *h1.Header, name string) []byte {
	b := *buf
	start := len(b)
	sep := false
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if !eqFold(f.Name, name) {
			continue
		}
		if sep {
			b = append(b, ", "...)
		}
		b = append(b, f.Value...)
		sep = true
	}
	*buf = b
	return b[start:len(b):len(b)]
}

// headerHasToken reports whether any comma-separated element (parameters
// after ";" ignored) of any field called name equals token, ignoring case.
func headerHasToken(h *h1.Header, name, token string) bool {
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if !eqFold(f.Name, name) {
			continue
		}
		v := f.Value
		for len(v) > 0 {
			j := 0
			for j < len(v) && v[j] != ',' {
				j++
			}
			item := v[:j]
			if j < len(v) {
				v = v[j+1:]
			} else {
				v = nil
			}
			for k := 0; k < len(item); k++ {
				if item[k] == ';' {
					item = item[:k]
					break
				}
			}
			if eqFold(trimSpace(item), token) {
				return true
			}
		}
	}
	return false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// appendLower appends s in ASCII lower case.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// reasonPhrase is the reason phrase written after a status code.
func reasonPhrase(status int) string { return http.StatusText(status) }

// viewBytes returns the bytes of s without copying; they must never be
// modified.
func viewBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
