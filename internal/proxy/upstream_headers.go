package proxy

import (
	"strconv"

	"github.com/straitgw/strait/internal/h1"
)

// skipUpstream reports client fields that never travel upstream as sent,
// beyond the hop-by-hop ones h1.CopyEndToEnd drops: Proxy (httpoxy),
// Expect (answered by the gateway), Host and the framing fields (written
// by the client engine), and the fields the gateway computes itself.
func skipUpstream(name []byte) bool {
	switch len(name) {
	case 3:
		return eqFold(name, "Via")
	case 4:
		return eqFold(name, "Host")
	case 5:
		return eqFold(name, "Proxy")
	case 6:
		return eqFold(name, "Expect")
	case 9:
		return eqFold(name, "X-Real-IP")
	case 14:
		return eqFold(name, "Content-Length")
	case 15:
		return eqFold(name, "X-Forwarded-For")
	case 16:
		return eqFold(name, "X-Forwarded-Host") || eqFold(name, "X-Forwarded-Port") || eqFold(name, "X-Forwarded-Path")
	case 17:
		return eqFold(name, "X-Forwarded-Proto") || eqFold(name, "X-Kong-Request-Id")
	case 18:
		return eqFold(name, "X-Forwarded-Prefix")
	}
	return false
}

// skipUpstreamKeepID is skipUpstream letting the client's
// X-Kong-Request-Id through (the gateway does not send its own).
func skipUpstreamKeepID(name []byte) bool {
	return skipUpstream(name) && !eqFold(name, "X-Kong-Request-Id")
}

// buildUpstreamHeader fills ex.outHeader with the fields sent upstream:
// the client's end-to-end fields by reference, then the gateway's own
// (X-Forwarded-*, X-Real-IP, Via, X-Kong-Request-Id, TE, the websocket
// upgrade), whose values are built in ex.fwd. The gateway fields come
// last and no client field of the same name survives, so a client
// cannot shadow them.
func (p *Proxy) buildUpstreamHeader(ex *exchange) {
	dst, src := &ex.outHeader, ex.in.header
	if p.opts.UpstreamRequestID {
		h1.CopyEndToEnd(dst, src, skipUpstream)
	} else {
		h1.CopyEndToEnd(dst, src, skipUpstreamKeepID)
	}
	b := ex.fwd
	var start int
	mark := func() { start = len(b) }
	value := func() []byte { return b[start:len(b):len(b)] }

	mark()
	if src.Has("X-Forwarded-For") {
		appendJoined(&b, src, "X-Forwarded-For")
		b = append(b, ", "...)
		b = ex.in.peer.Addr().AppendTo(b)
	} else {
		b = ex.client.AppendTo(b)
	}
	dst.AppendField(nameXFF, value())

	dst.AppendField(nameXFProto, p.trustedOr(ex, "X-Forwarded-Proto", schemeBytes(ex.scheme)))

	if v := p.trusted(ex, "X-Forwarded-Host"); v != nil {
		dst.AppendField(nameXFHost, v)
	} else {
		mark()
		b = appendLower(b, ex.host)
		dst.AppendField(nameXFHost, value())
	}
	if v := p.trusted(ex, "X-Forwarded-Port"); v != nil {
		dst.AppendField(nameXFPort, v)
	} else {
		mark()
		b = strconv.AppendInt(b, int64(ex.in.localPort), 10)
		dst.AppendField(nameXFPort, value())
	}
	dst.AppendField(nameXFPath, p.trustedOr(ex, "X-Forwarded-Path", ex.in.path))
	if v := p.trusted(ex, "X-Forwarded-Prefix"); v != nil {
		dst.AppendField(nameXFPrefix, v)
	} else if ex.match.Stripped() && ex.match.Prefix != "" && ex.match.Prefix != "/" {
		mark()
		b = append(b, ex.match.Prefix...)
		dst.AppendField(nameXFPrefix, value())
	}

	mark()
	b = ex.client.AppendTo(b)
	dst.AppendField(nameXRealIP, value())

	mark()
	if src.Has("Via") {
		appendJoined(&b, src, "Via")
		b = append(b, ", "...)
	}
	switch {
	case ex.in.protoMaj == 2:
		b = append(b, '2')
	case ex.in.protoMin == 0:
		b = append(b, "1.0"...)
	default:
		b = append(b, "1.1"...)
	}
	b = append(b, p.viaToken...)
	dst.AppendField(nameVia, value())

	if p.opts.UpstreamRequestID {
		dst.AppendField(nameRequestID, ex.idBuf[:])
	}
	if headerHasToken(src, "TE", "trailers") {
		dst.AppendField(nameTE, valueTrailers)
	}
	if headerHasToken(src, "Connection", "upgrade") && headerHasToken(src, "Upgrade", "websocket") {
		dst.AppendField(nameConnection, valueUpgrade)
		dst.AppendField(nameUpgrade, valueWebsocket)
	}
	ex.fwd = b
}

// trusted returns the client's non-empty value of name when the peer is
// trusted, else nil.
func (p *Proxy) trusted(ex *exchange, name string) []byte {
	if !ex.trusted {
		return nil
	}
	if v := ex.in.header.Peek(name); len(v) > 0 {
		return v
	}
	return nil
}

// trustedOr returns the trusted client value of name, or def.
func (p *Proxy) trustedOr(ex *exchange, name string, def []byte) []byte {
	if v := p.trusted(ex, name); v != nil {
		return v
	}
	return def
}

var (
	schemeHTTP  = []byte("http")
	schemeHTTPS = []byte("https")
)

func schemeBytes(s string) []byte {
	if s == "https" {
		return schemeHTTPS
	}
	return schemeHTTP
}
