package h1

// Response is an upstream response head and body read by a ClientConn.
// Its byte slices point into the connection's buffer and are valid until
// the connection is released.
type Response struct {
	status        int
	reason        []byte
	minor         int
	header        Header
	contentLength int64
	chunked       bool
	keepAlive     bool
	body          Body
}

func (r *Response) reset() {
	hdr := r.header
	hdr.Reset()
	*r = Response{header: hdr}
}

// Status returns the status code.
func (r *Response) Status() int { return r.status }

// Reason returns the reason phrase.
func (r *Response) Reason() []byte { return r.reason }

// ProtoMinor is 1 for HTTP/1.1 and 0 for HTTP/1.0.
func (r *Response) ProtoMinor() int { return r.minor }

// Header returns the response header fields.
func (r *Response) Header() *Header { return &r.header }

// ContentLength is the declared body length, or -1 when the body is
// chunked or delimited by the connection closing. A HEAD or 304 response
// reports the length the upstream announced although no body follows.
func (r *Response) ContentLength() int64 { return r.contentLength }

// Chunked reports a chunked body.
func (r *Response) Chunked() bool { return r.chunked }

// KeepAlive reports whether the connection may carry another request
// after this response.
func (r *Response) KeepAlive() bool { return r.keepAlive }

// BodyAllowed reports whether a body follows the head.
func (r *Response) BodyAllowed() bool { return r.body.mode != bodyNone }

// Body returns the body reader. Read errors are *UpstreamError.
func (r *Response) Body() *Body { return &r.body }
