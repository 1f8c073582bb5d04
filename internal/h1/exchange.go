package h1

import (
	"errors"
	"io"
	"net"
	"time"
	"unsafe"
)

// Exchange is one request and its response on a server connection. It is
// reused for the next request on the connection; it must not be kept
// after the handler returns.
//
// The response is written in this order: set ResponseHeader fields,
// optionally SetContentLength, then WriteHeader (implied by the first
// Write or Copy) and the body. Framing headers (Content-Length,
// Transfer-Encoding, and Connection except on 101) are produced by the
// engine and ignored in ResponseHeader. A Date field is added unless the
// handler set one.
type Exchange struct {
	req        Request
	respHeader Header
	c          *serverConn

	status        int
	contentLength int64 // -1 unknown
	headWritten   bool  // head serialized into the write buffer
	statusSet     bool
	bodyAllowed   bool
	chunked       bool
	closeAfter    bool
	hijacked      bool
	aborted       bool
	written       int64
	// connection replaces the engine's Connection field (SetConnection).
	connection []byte
}

func (x *Exchange) reset() {
	x.req.reset()
	x.respHeader.Reset()
	x.status = 0
	x.contentLength = -1
	x.headWritten = false
	x.statusSet = false
	x.bodyAllowed = false
	x.chunked = false
	x.closeAfter = false
	x.hijacked = false
	x.aborted = false
	x.written = 0
	x.connection = nil
}

// Request returns the client request.
func (x *Exchange) Request() *Request { return &x.req }

// ResponseHeader returns the response header fields to send.
func (x *Exchange) ResponseHeader() *Header { return &x.respHeader }

// SetContentLength declares the response body length; call it before
// WriteHeader. Without it, a body is sent chunked (HTTP/1.1) or
// delimited by closing the connection (HTTP/1.0), except that a small
// body written entirely before the handler returns gets a
// Content-Length. For HEAD and 304 responses the length is announced but
// no body is sent.
func (x *Exchange) SetContentLength(n int64) {
	if !x.headWritten {
		x.contentLength = n
	}
}

// CloseAfter asks for the connection to be closed after this response
// (a "Connection: close" field is sent if the head is not yet written).
func (x *Exchange) CloseAfter() { x.closeAfter = true }

// SetConnection sends value as the response's Connection field in place
// of the engine's own (a gateway asking the client to upgrade, for
// example) and closes the connection after the response. The value is
// referenced, not copied, until the head is written. Call it before
// WriteHeader.
func (x *Exchange) SetConnection(value []byte) {
	x.connection = value
	x.closeAfter = true
}

// Status returns the response status, 0 before WriteHeader.
func (x *Exchange) Status() int { return x.status }

// BytesWritten returns the number of body bytes written so far.
func (x *Exchange) BytesWritten() int64 { return x.written }

// HeaderWritten reports whether the response status has been fixed.
func (x *Exchange) HeaderWritten() bool { return x.statusSet }

// WriteHeader fixes the response status. Later calls are ignored.
// Interim 1xx statuses other than 101 are not supported here (100
// Continue is sent by the engine).
func (x *Exchange) WriteHeader(status int) {
	if x.statusSet || x.hijacked {
		return
	}
	if status < 100 || status > 999 || (status < 200 && status != 101) {
		status = 500
	}
	x.status = status
	x.statusSet = true
	x.bodyAllowed = bodyAllowedForStatus(status) && !x.req.IsHead()
	if x.contentLength >= 0 {
		x.writeHead()
	}
}

// writeHead serializes the status line and header fields into the write
// buffer, choosing the framing.
func (x *Exchange) writeHead() {
	c := x.c
	w := &c.w
	if x.headWritten {
		return
	}
	x.headWritten = true
	req := &x.req
	if !x.req.keepAlive || c.srv.shuttingDown() || c.lastRequest() || req.IsConnect() && x.status != 101 {
		x.closeAfter = true
	}
	// A body the client is still sending and that will not be read is
	// better refused by closing than drained at length.
	if !req.body.Done() && (req.expectContinue && req.body.continueOut != nil || req.chunked || req.body.remaining > maxDrain) {
		x.closeAfter = true
	}
	if x.contentLength < 0 && x.bodyAllowed {
		if req.minor == 1 {
			x.chunked = true
		} else {
			x.closeAfter = true
		}
	}

	w.reserve(len(statusLines[200]) + 16)
	w.buf = appendStatusLine(w.buf, x.status)
	hasDate := false
	for i := range x.respHeader.fields {
		f := &x.respHeader.fields[i]
		if skipResponseField(f.Name, x.status) {
			continue
		}
		if !hasDate && equalFold(f.Name, "Date") {
			hasDate = true
		}
		w.writeField(f.Name, f.Value)
	}
	w.reserve(128)
	buf := w.buf
	if !hasDate {
		buf = append(buf, "Date: "...)
		buf = append(buf, c.date()...)
		buf = append(buf, "\r\n"...)
	}
	switch {
	case x.status == 101 || x.status == 204 || x.status < 200:
	case x.contentLength >= 0:
		buf = append(buf, "Content-Length: "...)
		buf = appendUint(buf, uint64(x.contentLength))
		buf = append(buf, "\r\n"...)
	case x.chunked:
		buf = append(buf, "Transfer-Encoding: chunked\r\n"...)
	}
	switch {
	case x.status == 101:
	case x.connection != nil:
		buf = append(buf, "Connection: "...)
		buf = append(buf, x.connection...)
		buf = append(buf, "\r\n"...)
	case x.closeAfter:
		buf = append(buf, "Connection: close\r\n"...)
	case req.minor == 0:
		buf = append(buf, "Connection: keep-alive\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	w.buf = buf
}

// skipResponseField reports engine-owned fields.
func skipResponseField(name []byte, status int) bool {
	switch len(name) {
	case 10:
		return status != 101 && equalFold(name, "Connection")
	case 14:
		return equalFold(name, "Content-Length")
	case 17:
		return equalFold(name, "Transfer-Encoding")
	}
	return false
}

func appendField(buf, name, value []byte) []byte {
	buf = append(buf, name...)
	buf = append(buf, ':', ' ')
	buf = append(buf, value...)
	return append(buf, '\r', '\n')
}

// Write writes body bytes, implying WriteHeader(200).
func (x *Exchange) Write(p []byte) (int, error) {
	if x.hijacked {
		return 0, ErrHijacked
	}
	if !x.statusSet {
		x.WriteHeader(200)
	}
	if !x.bodyAllowed {
		return len(p), nil
	}
	c := x.c
	if !x.headWritten {
		// Unknown length: keep small bodies back so that the final
		// length can be announced.
		if len(c.pend)+len(p) <= cap(c.pend) {
			c.pend = append(c.pend, p...)
			x.written += int64(len(p))
			return len(p), nil
		}
		x.writeHead()
		if err := x.writePending(); err != nil {
			return 0, err
		}
	}
	if x.contentLength >= 0 && x.written+int64(len(p)) > x.contentLength {
		x.closeAfter = true
		return 0, ErrBodyTooLong
	}
	if x.chunked {
		if len(p) == 0 {
			return 0, nil
		}
		var hdr [18]byte
		if err := c.w.write(appendChunkHeader(hdr[:0], len(p))); err != nil {
			return 0, err
		}
	}
	if err := c.w.write(p); err != nil {
		return 0, err
	}
	if x.chunked {
		if err := c.w.writeString("\r\n"); err != nil {
			return 0, err
		}
	}
	x.written += int64(len(p))
	return len(p), nil
}

// writePending emits the body bytes held back before the head was written.
func (x *Exchange) writePending() error {
	c := x.c
	if len(c.pend) == 0 {
		return nil
	}
	p := c.pend
	c.pend = c.pend[:0]
	if x.chunked {
		var hdr [18]byte
		if err := c.w.write(appendChunkHeader(hdr[:0], len(p))); err != nil {
			return err
		}
		if err := c.w.write(p); err != nil {
			return err
		}
		return c.w.writeString("\r\n")
	}
	return c.w.write(p)
}

func appendChunkHeader(dst []byte, n int) []byte {
	const hex = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hex[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	dst = append(dst, tmp[i:]...)
	return append(dst, '\r', '\n')
}

// chunkHeaderWidth is the fixed width of the size line Copy writes in
// front of each chunk ("%06x\r\n"; leading zeros are valid chunk-size
// syntax).
const chunkHeaderWidth = 8

// Copy streams src into the response body, reading straight into the
// connection's write buffer. Buffered bytes are flushed whenever src would
// block, so streamed responses (server-sent events) reach the client
// promptly. srcErr is a read error of src (not io.EOF); dstErr a write
// error towards the client.
func (x *Exchange) Copy(src io.Reader) (n int64, srcErr, dstErr error) {
	if x.hijacked {
		return 0, nil, ErrHijacked
	}
	if !x.statusSet {
		x.WriteHeader(200)
	}
	c := x.c
	w := &c.w
	if !x.bodyAllowed {
		var scratch [512]byte
		for {
			_, err := src.Read(scratch[:])
			if err == io.EOF {
				return 0, nil, nil
			}
			if err != nil {
				return 0, err, nil
			}
		}
	}
	if !x.headWritten {
		x.writeHead()
		if err := x.writePending(); err != nil {
			return 0, nil, err
		}
	}
	body, _ := src.(*Body)
	for {
		if body != nil && body.Buffered() == 0 && len(w.buf) > 0 && !body.Done() {
			if err := w.flush(); err != nil {
				return n, nil, err
			}
		}
		if w.free() < x.bodyRoom() {
			if err := w.flush(); err != nil {
				return n, nil, err
			}
		}
		m, err := x.readBody(w, src)
		n += int64(m)
		switch {
		case err == errBodyOverlong:
			return n, nil, ErrBodyTooLong
		case err == io.EOF:
			return n, nil, nil
		case err != nil:
			return n, err, nil
		}
	}
}

// minBodyRead is the least room a body read gets in the write buffer.
const minBodyRead = 1024

// bodyRoom is the free space the write buffer needs before readBody:
// room for a read and, for a chunked body, its framing.
func (x *Exchange) bodyRoom() int {
	if x.chunked {
		return minBodyRead + chunkHeaderWidth + 2
	}
	return minBodyRead
}

// errBodyOverlong: the source has more bytes than the declared length.
var errBodyOverlong = errors.New("h1: body longer than its Content-Length")

// readBody reads the next body bytes from src straight into w's free
// space, framed as the response requires (a chunk of their own, or
// within the declared length). It returns the bytes read and src's error,
// io.EOF at the end of the body, or errBodyOverlong (the connection is
// then closed after the response) when src goes on past the declared
// length.
func (x *Exchange) readBody(w *bufWriter, src io.Reader) (int, error) {
	start := len(w.buf)
	room := w.buf[start:cap(w.buf)]
	if x.chunked {
		room = w.buf[start+chunkHeaderWidth : cap(w.buf)-2]
	}
	if x.contentLength >= 0 {
		left := x.contentLength - x.written
		if left == 0 {
			// Anything more from src is an error.
			var one [1]byte
			m, err := src.Read(one[:])
			if m > 0 {
				x.closeAfter = true
				return 0, errBodyOverlong
			}
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		if int64(len(room)) > left {
			room = room[:left]
		}
	}
	m, err := src.Read(room)
	if m > 0 {
		if x.chunked {
			putChunkHeader(w.buf[start:start+chunkHeaderWidth], m)
			w.buf = w.buf[:start+chunkHeaderWidth+m]
			w.buf = append(w.buf, '\r', '\n')
		} else {
			w.buf = w.buf[:start+m]
		}
		x.written += int64(m)
	}
	return m, err
}

// putChunkHeader writes "%06x\r\n" into dst (8 bytes).
func putChunkHeader(dst []byte, n int) {
	const hex = "0123456789abcdef"
	for i := 5; i >= 0; i-- {
		dst[i] = hex[n&15]
		n >>= 4
	}
	dst[6], dst[7] = '\r', '\n'
}

// Flush sends the head (if the status is set) and all buffered bytes.
func (x *Exchange) Flush() error {
	if x.hijacked {
		return ErrHijacked
	}
	if x.statusSet && !x.headWritten {
		x.writeHead()
		if err := x.writePending(); err != nil {
			return err
		}
	}
	return x.c.w.flush()
}

// SetWriteTimeout replaces the server's per-write timeout for the rest of
// this response (0 disables it).
func (x *Exchange) SetWriteTimeout(d time.Duration) { x.c.w.timeout = d }

// SetBodyReadTimeout replaces the server's timeout between two reads of
// the request body for this request.
func (x *Exchange) SetBodyReadTimeout(d time.Duration) { x.c.r.timeout = d }

// Conn returns the underlying connection, for inspection only (TLS state,
// addresses). Reading or writing it directly corrupts the exchange; use
// Hijack to take it over.
func (x *Exchange) Conn() net.Conn { return x.c.conn }

// Hijack takes the connection over, for protocol switches (websocket)
// and CONNECT tunnels. Anything written so far is flushed first. It
// returns the connection, with deadlines cleared, and a copy of the bytes
// already read past the request head. After Hijack the engine no longer
// touches the connection and the Exchange must not be used for writing.
func (x *Exchange) Hijack() (net.Conn, []byte, error) {
	if x.hijacked {
		return nil, nil, ErrHijacked
	}
	if err := x.Flush(); err != nil {
		return nil, nil, err
	}
	x.hijacked = true
	c := x.c
	c.r.out = nil
	var rest []byte
	if n := c.r.buffered(); n > 0 {
		rest = append([]byte(nil), c.r.buf[c.r.r:c.r.w]...)
		c.r.r = c.r.w
	}
	_ = c.conn.SetDeadline(time.Time{})
	c.r.deadline, c.w.deadline = time.Time{}, time.Time{}
	if c.ev != nil {
		c.hijackedOffLoop()
	}
	return c.conn, rest, nil
}

// Abort ends the response without completing it: what was written so
// far is sent, then the connection is closed, so that the client can
// tell that the body is truncated.
func (x *Exchange) Abort() {
	x.aborted = true
	x.closeAfter = true
}

// finish completes the response after the handler returned.
func (x *Exchange) finish() {
	if x.aborted {
		return
	}
	if !x.statusSet {
		x.WriteHeader(200)
	}
	if !x.headWritten {
		if x.bodyAllowed || x.contentLength < 0 {
			x.contentLength = int64(len(x.c.pend))
			if !x.bodyAllowed {
				// HEAD/304 without a declared length: announce none.
				x.contentLength = -1
			}
		}
		x.writeHead()
		_ = x.writePending()
	}
	if x.chunked {
		_ = x.c.w.writeString("0\r\n\r\n")
	}
	if x.bodyAllowed && x.contentLength >= 0 && x.written < x.contentLength {
		// Truncated body: the client can only notice if we close.
		x.closeAfter = true
	}
}

// WriteString is Write for a string, without copying it first.
func (x *Exchange) WriteString(s string) (int, error) {
	return x.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}
