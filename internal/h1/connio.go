package h1

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"time"
)

// errBufferFull means a line or head did not fit in the largest buffer
// allowed.
var errBufferFull = errors.New("h1: buffer full")

// connReader buffers reads from a connection. Bytes before pin are never
// moved, so fields parsed from a message head stay valid while its body is
// read; growing the buffer copies into a new array and leaves earlier
// slices pointing at the old one, which stays intact.
type connReader struct {
	conn   net.Conn
	buf    []byte
	r, w   int
	pin    int
	maxBuf int
	// timeout is armed as the read deadline before each blocking read
	// when > 0; 0 clears the deadline and keepDeadline leaves it as is.
	timeout time.Duration
	// deadline is the read deadline armed on conn (zero: none).
	deadline time.Time
	out      *bufWriter // flushed before each blocking read when set
	err      error      // sticky read error
	total    int64      // bytes received over the connection's life
	// drained is true when the last read took less than it asked for:
	// the socket had nothing more at that moment. An event loop then
	// waits for the next readiness event instead of reading again.
	drained bool
}

func (c *connReader) buffered() int { return c.w - c.r }

// makeRoom ensures buf[w:] is not empty, compacting down to pin or
// growing up to maxBuf.
func (c *connReader) makeRoom() error {
	if c.r == c.w && c.r > c.pin {
		c.r, c.w = c.pin, c.pin
	}
	if c.w < len(c.buf) {
		return nil
	}
	if c.r > c.pin {
		n := copy(c.buf[c.pin:], c.buf[c.r:c.w])
		c.r, c.w = c.pin, c.pin+n
		return nil
	}
	if len(c.buf) >= c.maxBuf {
		return errBufferFull
	}
	nb := make([]byte, min(2*len(c.buf), c.maxBuf))
	copy(nb, c.buf[:c.w])
	c.buf = nb
	return nil
}

// beforeBlock flushes pending output and arms the read deadline.
func (c *connReader) beforeBlock() error {
	if c.out != nil {
		if err := c.out.flush(); err != nil {
			return err
		}
	}
	if c.timeout == keepDeadline {
		return nil
	}
	return c.setTimeout(c.timeout)
}

// setTimeout arms the read deadline d from now (clears it when d <= 0).
func (c *connReader) setTimeout(d time.Duration) error {
	_, err := rearm(&c.deadline, d, c.conn.SetReadDeadline)
	return err
}

// fill reads at least one more byte into the buffer or returns an error.
func (c *connReader) fill() error {
	if c.err != nil {
		return c.err
	}
	if err := c.makeRoom(); err != nil {
		return err
	}
	if err := c.beforeBlock(); err != nil {
		c.err = err
		return err
	}
	for {
		room := len(c.buf) - c.w
		n, err := c.conn.Read(c.buf[c.w:])
		c.w += n
		c.total += int64(n)
		c.drained = n < room
		if err != nil {
			if err == errWouldBlock {
				return err
			}
			c.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// readDirect reads into p, bypassing the (empty) buffer.
func (c *connReader) readDirect(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if err := c.beforeBlock(); err != nil {
		c.err = err
		return 0, err
	}
	n, err := c.conn.Read(p)
	c.total += int64(n)
	c.drained = n < len(p)
	if err != nil && err != errWouldBlock {
		c.err = err
	}
	return n, err
}

// skipEmptyLines drops CRLF or LF lines in front of a message head (RFC
// 9112 section 2.2 lets a server ignore them).
func (c *connReader) skipEmptyLines() {
	for c.r < c.w {
		switch {
		case c.buf[c.r] == '\n':
			c.r++
		case c.buf[c.r] == '\r' && c.r+1 < c.w && c.buf[c.r+1] == '\n':
			c.r += 2
		default:
			return
		}
	}
}

// headEnd returns the length of the complete head at buf[r:] (up to and
// including its empty line), or -1 when the head is incomplete. from is
// where a previous scan stopped.
func headEnd(b []byte, from int) int {
	for {
		i := bytes.IndexByte(b[from:], '\n')
		if i < 0 {
			return -1
		}
		i += from
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		case i+2 >= len(b):
			// The terminator may still arrive.
			return -1
		}
		from = i + 1
	}
}

// readLine returns the next CRLF-terminated line without its CRLF. A bare
// LF is an error. The line is valid until the next read.
func (c *connReader) readLine(max int, bad error) ([]byte, error) {
	scanned := 0
	for {
		b := c.buf[c.r:c.w]
		if i := bytes.IndexByte(b[scanned:], '\n'); i >= 0 {
			i += scanned
			if i == 0 || b[i-1] != '\r' {
				return nil, bad
			}
			c.r += i + 1
			return b[:i-1], nil
		}
		scanned = len(b)
		if len(b) >= max {
			return nil, bad
		}
		if err := c.fill(); err != nil {
			if err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			if err == errBufferFull {
				return nil, bad
			}
			return nil, err
		}
	}
}

// bufWriter coalesces writes to a connection.
type bufWriter struct {
	conn    net.Conn
	buf     []byte // pending bytes; cap is the buffer size
	timeout time.Duration
	// deadline is the write deadline armed on conn (zero: none).
	deadline time.Time
	err      error
	total    int64
	// loop marks a writer owned by an event loop: it never writes on its
	// own when full but grows, and the loop flushes it when the socket
	// can take more (a partial write keeps the rest for later).
	loop bool
}

// flush writes the pending bytes. On an event-loop connection it may
// return errWouldBlock with the unwritten bytes kept.
func (w *bufWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.writeConn(w.buf)
	if err != nil {
		if err == errWouldBlock {
			w.buf = w.buf[:copy(w.buf, w.buf[n:])]
		}
		return err
	}
	w.buf = w.buf[:0]
	return nil
}

func (w *bufWriter) writeConn(p []byte) (int, error) {
	if _, err := rearm(&w.deadline, w.timeout, w.conn.SetWriteDeadline); err != nil {
		w.err = err
		return 0, err
	}
	n, err := w.conn.Write(p)
	w.total += int64(n)
	if err != nil && err != errWouldBlock {
		w.err = err
	}
	return n, err
}

// write buffers p, flushing as needed; large writes go straight out.
func (w *bufWriter) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf)+len(p) <= cap(w.buf) || w.loop {
		w.buf = append(w.buf, p...)
		return nil
	}
	if err := w.flush(); err != nil {
		return err
	}
	if len(p) >= cap(w.buf)/2 {
		_, err := w.writeConn(p)
		return err
	}
	w.buf = append(w.buf, p...)
	return nil
}

// writeString is write for strings, without converting.
func (w *bufWriter) writeString(s string) error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf)+len(s) <= cap(w.buf) || w.loop {
		w.buf = append(w.buf, s...)
		return nil
	}
	if err := w.flush(); err != nil {
		return err
	}
	for len(s) > 0 {
		n := min(len(s), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, s[:n]...)
		s = s[n:]
		if len(s) > 0 {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// free returns the unused capacity.
func (w *bufWriter) free() int { return cap(w.buf) - len(w.buf) }

// reserve flushes when fewer than n bytes are free (an event-loop
// writer grows instead).
func (w *bufWriter) reserve(n int) {
	if w.free() < n {
		if w.loop {
			w.buf = slices.Grow(w.buf, n)
			return
		}
		_ = w.flush()
	}
}

// writeField writes "name: value\r\n", appending in place when it fits.
func (w *bufWriter) writeField(name, value []byte) {
	need := len(name) + len(value) + 4
	w.reserve(need)
	if need <= w.free() {
		w.buf = appendField(w.buf, name, value)
		return
	}
	_ = w.write(name)
	_ = w.writeString(": ")
	_ = w.write(value)
	_ = w.writeString("\r\n")
}
