package h1

import (
	"io"
)

type bodyMode uint8

const (
	bodyNone bodyMode = iota
	bodyFixed
	bodyChunked
	bodyUntilClose
)

type chunkState uint8

const (
	chunkSize chunkState = iota
	chunkData
	chunkCRLF
	chunkTrailer
)

// Limits of the chunked decoder.
const (
	maxChunkLine    = 4096
	maxTrailerBytes = 16 << 10
	directReadMin   = 2048
)

// Body streams one message body from its connection. It never reads past
// the end of the message, so the next message on the connection stays
// intact. A Body belongs to its connection and is reused for the next
// message; it must not be used after the handler returns or the upstream
// connection is released.
type Body struct {
	cr        *connReader
	mode      bodyMode
	state     chunkState
	remaining int64 // fixed: bytes left; chunked: bytes left in the chunk
	err       error // sticky; io.EOF once the body is complete
	read      int64

	// continueOut, when set, receives "100 Continue" before the first
	// read (a client that sent Expect: 100-continue waits for it).
	continueOut *bufWriter

	// upstream marks a response body: errors become *UpstreamError.
	upstream bool
}

func (b *Body) reset(cr *connReader, mode bodyMode, length int64) {
	*b = Body{cr: cr, mode: mode, remaining: length}
	if mode == bodyNone || (mode == bodyFixed && length == 0) {
		b.err = io.EOF
	}
}

// Done reports whether the whole body has been read.
func (b *Body) Done() bool { return b.err == io.EOF }

// BytesRead returns the number of body bytes returned so far (without
// chunk framing).
func (b *Body) BytesRead() int64 { return b.read }

// Buffered returns how many body bytes can be read without blocking
// (a lower bound for chunked bodies).
func (b *Body) Buffered() int {
	if b.err != nil || b.cr == nil {
		return 0
	}
	n := b.cr.buffered()
	switch b.mode {
	case bodyFixed:
		return int(min(int64(n), b.remaining))
	case bodyChunked:
		if b.state != chunkData {
			return 0
		}
		return int(min(int64(n), b.remaining))
	case bodyUntilClose:
		return n
	}
	return 0
}

// Read reads body bytes; it returns io.EOF at the end of the body. Framing
// errors are returned as *RequestError (the connection is then unusable).
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		if b.upstream && b.err != io.EOF {
			if _, ok := b.err.(*UpstreamError); !ok {
				b.err = classify("read", b.err, true, false)
			}
		}
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.continueOut != nil {
		_ = b.continueOut.writeString("HTTP/1.1 100 Continue\r\n\r\n")
		b.continueOut = nil
	}
	var n int
	var err error
	switch b.mode {
	case bodyFixed:
		n, err = b.readFixed(p)
	case bodyChunked:
		n, err = b.readChunked(p)
	case bodyUntilClose:
		n, err = b.readUntilClose(p)
	default:
		err = io.EOF
	}
	b.read += int64(n)
	if err == errWouldBlock {
		// An event-loop connection has nothing more for now; the read is
		// retried when the socket is ready.
		return n, err
	}
	if err != nil && err != io.EOF && b.upstream {
		err = classify("read", err, true, false)
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// readLimited reads up to min(len(p), limit) bytes from the buffer, or
// straight from the connection when the buffer is empty and p is large.
func (b *Body) readLimited(p []byte, limit int64) (int, error) {
	if int64(len(p)) > limit {
		p = p[:limit]
	}
	cr := b.cr
	if cr.buffered() == 0 {
		if len(p) >= directReadMin {
			return cr.readDirect(p)
		}
		if err := cr.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, cr.buf[cr.r:cr.w])
	cr.r += n
	return n, nil
}

func (b *Body) readFixed(p []byte) (int, error) {
	n, err := b.readLimited(p, b.remaining)
	b.remaining -= int64(n)
	if b.remaining == 0 {
		return n, io.EOF
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && n > 0 {
		// Report the bytes now and the error on the next call.
		if err != errWouldBlock {
			b.err = err
		}
		return n, nil
	}
	return n, err
}

func (b *Body) readUntilClose(p []byte) (int, error) {
	n, err := b.readLimited(p, int64(len(p)))
	if err != nil && n > 0 {
		if err != errWouldBlock {
			b.err = err
		}
		return n, nil
	}
	return n, err
}

func (b *Body) readChunked(p []byte) (int, error) {
	for {
		switch b.state {
		case chunkSize:
			line, err := b.cr.readLine(maxChunkLine, errChunkLine)
			if err != nil {
				return 0, err
			}
			size, err := parseChunkSize(line)
			if err != nil {
				return 0, err
			}
			if size == 0 {
				b.state = chunkTrailer
				continue
			}
			b.remaining = size
			b.state = chunkData
		case chunkData:
			n, err := b.readLimited(p, b.remaining)
			b.remaining -= int64(n)
			if b.remaining == 0 {
				b.state = chunkCRLF
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if n > 0 {
				if err != nil {
					if err != errWouldBlock {
						b.err = err
					}
				} else if b.state == chunkCRLF {
					// Consume the framing that is already buffered so
					// the end of the body is seen without another read.
					b.consumeBuffered()
				}
				return n, nil
			}
			return 0, err
		case chunkCRLF:
			cr := b.cr
			for cr.buffered() < 2 {
				if err := cr.fill(); err != nil {
					if err == io.EOF {
						err = io.ErrUnexpectedEOF
					}
					return 0, err
				}
			}
			if cr.buf[cr.r] != '\r' || cr.buf[cr.r+1] != '\n' {
				return 0, errChunkTerminator
			}
			cr.r += 2
			b.state = chunkSize
		case chunkTrailer:
			if err := b.readTrailers(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
	}
}

// consumeBuffered advances through chunk framing already in the buffer:
// the CRLF after data, a following size line and, for the last chunk, an
// empty trailer section. It stops at anything incomplete.
func (b *Body) consumeBuffered() {
	cr := b.cr
	if b.state == chunkCRLF {
		if cr.buffered() < 2 || cr.buf[cr.r] != '\r' || cr.buf[cr.r+1] != '\n' {
			return
		}
		cr.r += 2
		b.state = chunkSize
	}
	// "0\r\n\r\n" is the common end of a body.
	if cr.buffered() >= 5 && string(cr.buf[cr.r:cr.r+5]) == "0\r\n\r\n" {
		cr.r += 5
		b.err = io.EOF
	}
}

// readTrailers reads and discards the trailer section, validating each
// field like a header line.
func (b *Body) readTrailers() error {
	total := 0
	for {
		line, err := b.cr.readLine(maxChunkLine, errTrailer)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		total += len(line) + 2
		if total > maxTrailerBytes {
			return errTrailer
		}
		if _, _, err := splitField(line); err != nil {
			return errTrailer
		}
	}
}

// parseChunkSize parses "hex[ws][;ext]".
func parseChunkSize(line []byte) (int64, error) {
	var n int64
	i := 0
	for ; i < len(line); i++ {
		c := line[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			goto rest
		}
		if n > (1<<59)-1 {
			return 0, errChunkSize
		}
		n = n<<4 | int64(d)
	}
rest:
	if i == 0 {
		return 0, errChunkSize
	}
	ext := line[i:]
	for len(ext) > 0 && (ext[0] == ' ' || ext[0] == '\t') {
		ext = ext[1:]
	}
	if len(ext) == 0 {
		return n, nil
	}
	if ext[0] != ';' {
		return 0, errChunkSize
	}
	for _, c := range ext {
		if !validFieldValueByte(c) {
			return 0, errChunkLine
		}
	}
	return n, nil
}

// drain discards the rest of the body, up to limit bytes, and reports
// whether the body ended.
func (b *Body) drain(limit int64) bool {
	var scratch [512]byte
	for limit > 0 && b.err == nil {
		// Discard straight from the buffer when possible.
		if b.mode == bodyFixed && b.cr.buffered() > 0 {
			n := int(min(int64(b.cr.buffered()), b.remaining))
			b.cr.r += n
			b.remaining -= int64(n)
			limit -= int64(n)
			if b.remaining == 0 {
				b.err = io.EOF
			}
			continue
		}
		n, _ := b.Read(scratch[:])
		limit -= int64(n)
	}
	return b.err == io.EOF
}

var _ io.Reader = (*Body)(nil)
