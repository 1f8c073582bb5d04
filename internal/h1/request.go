package h1

import (
	"bytes"
	"io"
	"net/netip"
)

// Request is a parsed client request. Its byte slices point into the
// connection's read buffer and are valid only until the handler returns;
// copy anything kept longer. A Request is reused for the next request on
// the same connection.
type Request struct {
	method    []byte
	target    []byte
	path      []byte
	query     []byte
	hasQuery  bool
	authority []byte // absolute-form or CONNECT authority
	absolute  bool
	host      []byte
	header    Header

	minor          int
	contentLength  int64 // -1 when chunked, 0 when there is no body
	chunked        bool
	keepAlive      bool
	upgrade        bool
	expectContinue bool

	body   Body
	remote netip.AddrPort
	local  netip.AddrPort
}

func (req *Request) reset() {
	hdr := req.header
	hdr.Reset()
	body := req.body
	*req = Request{header: hdr, body: body, remote: req.remote, local: req.local}
}

// Method returns the request method as sent ("GET").
func (req *Request) Method() []byte { return req.method }

// MethodString returns the method as a string without allocating for the
// standard methods (others are a view, see ViewString).
func (req *Request) MethodString() string {
	switch string(req.method) {
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "HEAD":
		return "HEAD"
	case "PATCH":
		return "PATCH"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	case "TRACE":
		return "TRACE"
	}
	return ViewString(req.method)
}

// IsHead reports a HEAD request.
func (req *Request) IsHead() bool { return string(req.method) == "HEAD" }

// IsConnect reports a CONNECT request; Authority holds its target.
func (req *Request) IsConnect() bool { return string(req.method) == "CONNECT" }

// Target returns the request target exactly as sent.
func (req *Request) Target() []byte { return req.target }

// Path returns the raw (still percent-encoded) path of the target,
// without the query. It is "/" for an absolute-form target without a
// path, "*" for "OPTIONS *" and empty for CONNECT.
func (req *Request) Path() []byte { return req.path }

// RawQuery returns the query without its "?".
func (req *Request) RawQuery() []byte { return req.query }

// HasQuery reports whether the target contained "?" (possibly with an
// empty query).
func (req *Request) HasQuery() bool { return req.hasQuery }

// PathAndQuery returns the origin-form of the target: path plus "?query"
// when present. For origin-form targets it is a view of the target.
func (req *Request) PathAndQuery() []byte {
	if !req.absolute {
		if req.authority != nil {
			return nil
		}
		return req.target
	}
	if len(req.path) == 1 && &req.path[0] == &slashPath[0] {
		if req.hasQuery {
			// "http://h?q": the query directly follows the authority.
			return append([]byte{'/'}, req.target[len(req.target)-len(req.query)-1:]...)
		}
		return slashPath
	}
	return req.target[len(req.target)-len(req.path)-len(req.query)-boolInt(req.hasQuery):]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Authority returns the authority of an absolute-form or CONNECT target,
// or nil.
func (req *Request) Authority() []byte { return req.authority }

// Host returns the request's host: the authority of an absolute-form
// target, else the Host header value (possibly with a port).
func (req *Request) Host() []byte { return req.host }

// HostPort splits Host into the host name and its port (0 when none was
// written). IPv6 literals keep their brackets.
func (req *Request) HostPort() (host []byte, port int) { return SplitHostPort(req.host) }

// SplitHostPort splits "host:port", "[v6]:port" or a bare host. A
// missing or malformed port is reported as 0.
func SplitHostPort(hp []byte) (host []byte, port int) {
	i := bytes.LastIndexByte(hp, ':')
	if i < 0 || bytes.IndexByte(hp[i:], ']') >= 0 {
		return hp, 0
	}
	if hp[0] != '[' && bytes.IndexByte(hp[:i], ':') >= 0 {
		return hp, 0 // bare IPv6 without brackets
	}
	n, ok := parseDecimal(hp[i+1:])
	if !ok || n > 65535 {
		return hp[:i], 0
	}
	return hp[:i], int(n)
}

// Header returns the request header fields. Handlers may change them;
// changes are visible to later readers of this request only.
func (req *Request) Header() *Header { return &req.header }

// ProtoMinor is 1 for HTTP/1.1 and 0 for HTTP/1.0.
func (req *Request) ProtoMinor() int { return req.minor }

// ContentLength is the declared body length, -1 for a chunked body and 0
// when there is no body.
func (req *Request) ContentLength() int64 { return req.contentLength }

// Chunked reports a chunked request body.
func (req *Request) Chunked() bool { return req.chunked }

// HasBody reports whether the request carries a body (chunked or a
// non-zero Content-Length).
func (req *Request) HasBody() bool { return req.chunked || req.contentLength > 0 }

// KeepAlive reports whether the client allows the connection to stay
// open after this request.
func (req *Request) KeepAlive() bool { return req.keepAlive }

// Upgrade reports a request asking for a protocol switch (Connection:
// upgrade with an Upgrade header).
func (req *Request) Upgrade() bool { return req.upgrade }

// ExpectContinue reports "Expect: 100-continue". The interim response is
// sent automatically on the first body read.
func (req *Request) ExpectContinue() bool { return req.expectContinue }

// Body returns the request body reader. It reads nothing beyond the
// request. Unread bytes are discarded (or the connection closed) after
// the handler returns.
func (req *Request) Body() *Body { return &req.body }

// RemoteAddr returns the peer address of the connection.
func (req *Request) RemoteAddr() netip.AddrPort { return req.remote }

// LocalAddr returns the local address the connection was accepted on.
func (req *Request) LocalAddr() netip.AddrPort { return req.local }

var _ io.Reader = (*Body)(nil)
