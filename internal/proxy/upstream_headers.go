package proxy

import (
	"strconv"

	"github.com/straitgw/strait/internal/h1"
)

// Client fields the upstream header construction looks at.
const (
	hasXFF        = 1 << iota // X-Forwarded-For
	hasVia                    // Via
	hasTE                     // TE
	hasConnection             // Connection
	hasUpgrade                // Upgrade
)

// classifyUpstream tells what becomes of a client field in the upstream
// request: skip is set for the fields that never travel as sent, beyond
// the hop-by-hop ones: Proxy (httpoxy), Expect (answered by the gateway),
// Host and the framing fields (written by the client engine), and the
// fields the gateway computes itself (X-Kong-Request-Id only when the
// gateway sends its own, sendID). seen flags the fields the gateway's own
// values depend on.
func classifyUpstream(name []byte, sendID bool) (skip bool, seen int) {
	switch len(name) {
	case 2:
		if eqFold(name, "TE") {
			return false, hasTE
		}
	case 3:
		if eqFold(name, "Via") {
			return true, hasVia
		}
	case 4:
		return eqFold(name, "Host"), 0
	case 5:
		return eqFold(name, "Proxy"), 0
	case 6:
		return eqFold(name, "Expect"), 0
	case 7:
		if eqFold(name, "Upgrade") {
			return false, hasUpgrade
		}
	case 9:
		return eqFold(name, "X-Real-IP"), 0
	case 10:
		if eqFold(name, "Connection") {
			return false, hasConnection
		}
	case 14:
		return eqFold(name, "Content-Length"), 0
	case 15:
		if eqFold(name, "X-Forwarded-For") {
			return true, hasXFF
		}
	case 16:
		return eqFold(name, "X-Forwarded-Host") || eqFold(name, "X-Forwarded-Port") || eqFold(name, "X-Forwarded-Path"), 0
	case 17:
		return eqFold(name, "X-Forwarded-Proto") || sendID && eqFold(name, "X-Kong-Request-Id"), 0
	case 18:
		return eqFold(name, "X-Forwarded-Prefix"), 0
	}
	return false, 0
}

// buildUpstreamHeader fills ex.outHeader with the fields sent upstream:
// the client's end-to-end fields by reference, then the gateway's own
// (X-Forwarded-*, X-Real-IP, Via, X-Kong-Request-Id, TE, the websocket
// upgrade), whose values are built in ex.fwd. The gateway fields come
// last and no client field of the same name survives, so a client
// cannot shadow them. The client fields are walked once.
func (p *Proxy) buildUpstreamHeader(ex *exchange) {
	dst, src := &ex.outHeader, ex.in.header
	sendID := p.opts.UpstreamRequestID
	listed := src.Has("Connection") // fields it names are hop-by-hop too
	seen := 0
	for i := 0; i < src.Len(); i++ {
		f := src.At(i)
		skip, s := classifyUpstream(f.Name, sendID)
		seen |= s
		if skip || h1.IsHopByHop(f.Name) || listed && src.HasToken("Connection", h1.ViewString(f.Name)) {
			continue
		}
		dst.AppendField(f.Name, f.Value)
	}

	b := ex.fwd
	var start int
	mark := func() { start = len(b) }
	value := func() []byte { return b[start:len(b):len(b)] }

	mark()
	b = ex.client.AppendTo(b)
	client := value()
	if seen&hasXFF != 0 {
		mark()
		appendJoined(&b, src, "X-Forwarded-For")
		b = append(b, ',', ' ')
		b = ex.in.peer.Addr().AppendTo(b)
		dst.AppendField(nameXFF, value())
	} else {
		dst.AppendField(nameXFF, client)
	}

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

	dst.AppendField(nameXRealIP, client)

	mark()
	if seen&hasVia != 0 {
		appendJoined(&b, src, "Via")
		b = append(b, ',', ' ')
	}
	switch {
	case ex.in.protoMaj == 2:
		b = append(b, '2')
	case ex.in.protoMin == 0:
		b = append(b, '1', '.', '0')
	default:
		b = append(b, '1', '.', '1')
	}
	b = append(b, p.viaToken...)
	dst.AppendField(nameVia, value())

	if sendID {
		dst.AppendField(nameRequestID, ex.idBuf[:])
	}
	if seen&hasTE != 0 && headerHasToken(src, "TE", "trailers") {
		dst.AppendField(nameTE, valueTrailers)
	}
	if seen&(hasConnection|hasUpgrade) == hasConnection|hasUpgrade &&
		headerHasToken(src, "Connection", "upgrade") && headerHasToken(src, "Upgrade", "websocket") {
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
