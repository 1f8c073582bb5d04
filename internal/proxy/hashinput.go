package proxy

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/straitgw/strait/internal/h1"
)

// hashInput hands a balancer the request values consistent hashing keys
// on. It points back at its exchange; the strings it returns are views
// valid while the request is served, and a balancer only reads them
// during Pick.
type hashInput struct{ ex *exchange }

// Consumer is the authenticated consumer's id, else the credential's.
func (h *hashInput) Consumer() string {
	pc := &h.ex.pc
	if pc.consumer != nil {
		return pc.consumer.ID
	}
	if pc.credential != nil {
		return pc.credential.ID
	}
	return ""
}

// ClientIP is the client address after real-ip processing.
func (h *hashInput) ClientIP() string {
	ex := h.ex
	start := len(ex.fwd)
	ex.fwd = ex.client.AppendTo(ex.fwd)
	return h1.ViewString(ex.fwd[start:])
}

// Header is a request header's value, multiple fields joined by ", ".
func (h *hashInput) Header(name string) string {
	return joinedValue(h.ex.in.header, name, &h.ex.fwd)
}

// Cookie is a request cookie's value, or the value generated for a
// request that lacked the hash cookie.
func (h *hashInput) Cookie(name string) string {
	if c := &h.ex.hashCookie; c.value != "" && c.name == name {
		return c.value
	}
	return requestCookie(h.ex.in.header, name)
}

// Path is the normalised request path.
func (h *hashInput) Path() string { return h.ex.match.Path }

// QueryArg is a query argument's decoded value; repeated arguments are
// sorted and joined by ",".
func (h *hashInput) QueryArg(name string) string {
	ex := h.ex
	query := h1.ViewString(ex.in.query)
	if ex.plugins && ex.pc.querySet {
		query = ex.pc.query
	}
	var values []string
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			if dk, err := url.QueryUnescape(k); err != nil || dk != name {
				continue
			}
		}
		if strings.ContainsAny(v, "%+") {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
		}
		values = append(values, v)
	}
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	slices.Sort(values)
	return strings.Join(values, ",")
}

// URICapture is a named or numbered capture of the matched route path.
func (h *hashInput) URICapture(name string) string {
	m := &h.ex.match
	if i, err := strconv.Atoi(name); err == nil {
		if i >= 0 && i < len(m.Captures) {
			return m.Captures[i]
		}
		return ""
	}
	for i, n := range m.CaptureNames {
		if n == name && i < len(m.Captures) {
			return m.Captures[i]
		}
	}
	return ""
}

// hashCookie is the cookie consistent hashing keys on, generated for a
// request that did not carry it and set on the response.
type hashCookie struct {
	name, value, path string
}

// prepareHashCookie generates the hash cookie when the upstream hashes on
// a cookie the request lacks.
func prepareHashCookie(ex *exchange) {
	name, path := ex.bal.HashCookie()
	if name == "" || requestCookie(ex.in.header, name) != "" {
		return
	}
	ex.hashCookie = hashCookie{name: name, value: uuid.NewString(), path: path}
}

// setHashCookie adds "Set-Cookie: name=value; Path=path" for a generated
// hash cookie.
func setHashCookie(ex *exchange, h *h1.Header) {
	c := &ex.hashCookie
	if c.value == "" {
		return
	}
	b := ex.respBuf
	start := len(b)
	b = append(b, c.name...)
	b = append(b, '=')
	b = append(b, c.value...)
	if c.path != "" {
		b = append(b, "; Path="...)
		b = append(b, c.path...)
	}
	ex.respBuf = b
	h.AppendField(nameSetCookie, b[start:len(b):len(b)])
}

var nameSetCookie = []byte("Set-Cookie")

// requestCookie finds a cookie in the request's Cookie fields.
func requestCookie(hdr *h1.Header, name string) string {
	if hdr == nil {
		return ""
	}
	for i := 0; i < hdr.Len(); i++ {
		f := hdr.At(i)
		if !eqFold(f.Name, "Cookie") {
			continue
		}
		v := f.Value
		for len(v) > 0 {
			var pair []byte
			if j := bytes.IndexByte(v, ';'); j >= 0 {
				pair, v = v[:j], v[j+1:]
			} else {
				pair, v = v, nil
			}
			pair = bytes.TrimSpace(pair)
			if k, val, ok := bytes.Cut(pair, []byte{'='}); ok && string(k) == name {
				return h1.ViewString(bytes.Trim(val, `"`))
			}
		}
	}
	return ""
}
