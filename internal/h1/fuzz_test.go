package h1

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// readerConn is a net.Conn reading from a fixed byte stream.
type readerConn struct {
	discardConn
	r io.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// serializeRequest writes req back as a request head.
func serializeRequest(req *Request) []byte {
	var b []byte
	b = append(b, req.method...)
	b = append(b, ' ')
	b = append(b, req.target...)
	b = append(b, " HTTP/1."...)
	b = append(b, byte('0'+req.minor))
	b = append(b, "\r\n"...)
	for _, f := range req.header.fields {
		b = appendField(b, f.Name, f.Value)
	}
	return append(b, "\r\n"...)
}

// FuzzParseRequest checks that parsing never panics, that a parsed head
// serialized again parses to the same request, and that body decoding
// never reads past the data it was given.
func FuzzParseRequest(f *testing.F) {
	seeds := []string{
		benchRequestHead,
		"GET http://a.example:81/x?y HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: 1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
		"GET / HTTP/1.0\n\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	lim := limits{maxURI: 1024, maxFields: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		end := headEnd(data, 0)
		if end < 0 {
			return
		}
		var req Request
		if err := parseRequestHead(data[:end], &req, lim); err != nil {
			if _, ok := err.(*RequestError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		again := serializeRequest(&req)
		var req2 Request
		if err := parseRequestHead(again, &req2, lim); err != nil {
			t.Fatalf("reparse of %q: %v", again, err)
		}
		if !bytes.Equal(serializeRequest(&req2), again) || req2.contentLength != req.contentLength ||
			req2.chunked != req.chunked || !bytes.Equal(req2.host, req.host) || !bytes.Equal(req2.path, req.path) ||
			!bytes.Equal(req2.query, req.query) || req2.keepAlive != req.keepAlive {
			t.Fatalf("unstable: %q became %q", data[:end], serializeRequest(&req2))
		}

		// Decode the body from the rest of the input; the reader must
		// stop at the end of the body.
		rest := data[end:]
		cr := &connReader{conn: readerConn{r: bytes.NewReader(rest)}, buf: make([]byte, 64), maxBuf: 4096}
		var body Body
		switch {
		case req.chunked:
			body.reset(cr, bodyChunked, 0)
		case req.contentLength > 0:
			body.reset(cr, bodyFixed, req.contentLength)
		default:
			body.reset(cr, bodyNone, 0)
		}
		got, err := io.ReadAll(&body)
		if err == nil && !req.chunked && int64(len(got)) != max(req.contentLength, 0) {
			t.Fatalf("fixed body of %d bytes, declared %d", len(got), req.contentLength)
		}
		if cr.total > int64(len(rest)) {
			t.Fatal("read past the input")
		}
		if err == nil && req.chunked && int64(len(got)) > int64(len(rest)) {
			t.Fatal("chunked body longer than its encoding")
		}
	})
}

var _ net.Conn = readerConn{}
