package proxy

import (
	"io"
	"net"

	"github.com/straitgw/strait/internal/h1"
)

// downstream is the client side of one request as the request flow sees
// it: how the response is sent. The request itself is described by
// exchange.in. Two engines implement it: the h1 engine, which serves
// every HTTP/1.1 listener, and net/http, kept for HTTP/2 listeners.
type downstream interface {
	// header returns the response header fields to send. Values are
	// copied into the header's arena or reference memory that outlives
	// the response head.
	header() *h1.Header
	// writeHead fixes the status and sends the head. length is the body
	// length, or -1 when unknown (the body is then chunked or delimited
	// by closing). For HEAD requests and 304 the length is only announced.
	writeHead(status int, length int64)
	// write writes body bytes.
	write(p []byte) (int, error)
	// copyFrom streams src into the body, flushing whenever src would
	// block. srcErr is a read error of src; dstErr a write error.
	copyFrom(src io.Reader) (n int64, srcErr, dstErr error)
	// settle makes sure the head has been serialized, so that memory the
	// header fields reference may be released.
	settle()
	// abort ends the client connection without completing the response,
	// so that the client notices a truncated body. The connection is cut
	// once the request flow is over (after the access log line).
	abort()
	// hijack takes the connection over after a 101 head was written. It
	// returns the bytes the client already sent past the request head.
	hijack() (net.Conn, []byte, error)
	// headWritten reports whether a response head was written (fixed).
	headWritten() bool
}

// h1Downstream answers over an h1 exchange.
type h1Downstream struct {
	x *h1.Exchange
	// headPending is true while the head may still be held back by the
	// engine (unknown length, body not yet streamed).
	headPending bool
	aborted     bool
}

func (d *h1Downstream) header() *h1.Header { return d.x.ResponseHeader() }

func (d *h1Downstream) writeHead(status int, length int64) {
	if status != 101 {
		// The engine owns the Connection field of ordinary responses; a
		// value set by the gateway (426 asks for an upgrade) replaces
		// the engine's, and the connection closes after the response.
		if v := d.x.ResponseHeader().Peek("Connection"); v != nil {
			d.x.SetConnection(v)
		}
	}
	if length >= 0 {
		d.x.SetContentLength(length)
	} else {
		d.headPending = true
	}
	d.x.WriteHeader(status)
}

func (d *h1Downstream) write(p []byte) (int, error) { return d.x.Write(p) }

func (d *h1Downstream) copyFrom(src io.Reader) (int64, error, error) {
	n, srcErr, dstErr := d.x.Copy(src)
	return n, srcErr, dstErr
}

func (d *h1Downstream) settle() {
	if d.headPending {
		d.headPending = false
		_ = d.x.Flush()
	}
}

func (d *h1Downstream) abort() { d.aborted = true }

func (d *h1Downstream) headWritten() bool { return d.x.HeaderWritten() }

func (d *h1Downstream) hijack() (net.Conn, []byte, error) {
	conn, rest, err := d.x.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return conn, rest, nil
}

// finish completes the response once the request flow is over: the head
// is serialized, or the connection cut after what was written when the
// response was aborted.
func (d *h1Downstream) finish() {
	if d.aborted {
		d.x.Abort()
		return
	}
	d.settle()
}
