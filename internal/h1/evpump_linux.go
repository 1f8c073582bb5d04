//go:build linux

package h1

import (
	"io"
	"net"
	"os"
	"sync"
)

// Response bodies streamed on the loop: bytes move from the upstream
// connection's buffer to the client's write buffer, which is flushed as
// the client takes it; reading pauses while the client lags.

// pumpBufferSize is the write buffer used while a response body streams
// through the loop, and pumpFlushAt the amount buffered before it is
// written out.
const (
	pumpBufferSize = 64 << 10
	pumpFlushAt    = 32 << 10
)

var pumpBuffers = sync.Pool{New: func() any { b := make([]byte, 0, pumpBufferSize); return &b }}

// pumpState is a response body streaming from an upstream connection.
type pumpState struct {
	active  bool
	uc      *ClientConn
	src     *Body
	filter  BodyFilter
	w       PumpWaiter
	n       int64
	scratch *[]byte
	big     *[]byte // borrowed write buffer
	normal  []byte  // the connection's own write buffer while big is used
}

// Pump streams the body of uc's current response into the response on
// the event loop, through filter when it is not nil, and tells w when the
// body has been relayed or failed. The response head must have been set
// up (WriteHeader). Output is flushed as the client takes it and reading
// the upstream pauses while the client lags, so memory stays bounded.
func (x *Exchange) Pump(uc *ClientConn, filter BodyFilter, w PumpWaiter) {
	e := x.c.ev
	p := &e.pump
	*p = pumpState{active: true, uc: uc, src: &uc.resp.body, filter: filter, w: w, big: p.big, normal: p.normal}
	uc.ev.pumpTo = e
	if filter != nil {
		p.scratch = copyScratch.Get().(*[]byte)
	}
	e.pumpStep()
}

var copyScratch = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// useBigBuffer switches the write buffer to a large one for streaming.
func (e *evState) useBigBuffer() {
	p := &e.pump
	w := &e.c.w
	if p.big != nil || cap(w.buf) >= pumpBufferSize {
		return
	}
	big := pumpBuffers.Get().(*[]byte)
	p.big = big
	p.normal = w.buf[:0]
	w.buf = append((*big)[:0], w.buf...)
}

// restoreWriteBuffer gives the large buffer back once it is empty.
func (e *evState) restoreWriteBuffer() {
	p := &e.pump
	w := &e.c.w
	if p.big == nil || len(w.buf) > 0 {
		return
	}
	*p.big = w.buf[:0]
	pumpBuffers.Put(p.big)
	p.big = nil
	w.buf = p.normal
	p.normal = nil
}

// pumpStep moves body bytes from the upstream to the client until one of
// them is not ready.
func (e *evState) pumpStep() {
	c := e.c
	x := &c.x
	p := &e.pump
	w := &c.w
	if !p.active {
		return
	}
	if !x.statusSet {
		x.WriteHeader(200)
	}
	if !x.headWritten && x.bodyAllowed {
		x.writeHead()
		_ = x.writePending()
	}
	progress := false
	for {
		if len(w.buf) >= pumpFlushAt {
			switch e.pumpFlush() {
			case flushBlocked:
				// Waiting on the client, not on the upstream.
				p.uc.stopTimer()
				return
			case flushFailed:
				return
			}
		}
		var m int
		var err error
		if p.filter != nil {
			m, err = e.pumpFiltered()
		} else {
			m, err = e.pumpRaw()
		}
		p.n += int64(m)
		progress = progress || m > 0
		switch {
		case err == nil:
			continue
		case err == errWouldBlock:
			if len(w.buf) > 0 && e.pumpFlush() == flushFailed {
				return
			}
			p.uc.waitBody(progress)
			return
		case err == io.EOF:
			e.pumpDone(nil, nil)
		case err == errBodyOverlong:
			e.pumpDone(nil, ErrBodyTooLong)
		default:
			e.pumpDone(err, nil)
		}
		return
	}
}

// flushResult is the outcome of pumpFlush.
type flushResult uint8

const (
	flushDone    flushResult = iota // all buffered output went
	flushBlocked                    // some is left for when the client takes it
	flushFailed                     // the write failed; the pump was ended
)

// pumpFlush writes the buffered body out. While some is left the client's
// write timeout runs (a flush that empties the buffer stops it); a failed
// write ends the pump, after which the caller must not touch it: its
// waiter may have started the connection's next request.
func (e *evState) pumpFlush() flushResult {
	c := e.c
	err := c.w.flush()
	switch {
	case err == nil:
		e.setTimer(0)
		return flushDone
	case err == errWouldBlock:
		if e.tm.when == 0 {
			e.setTimer(orDefault(c.srv.WriteTimeout, DefaultWriteTimeout))
		}
		return flushBlocked
	}
	e.pumpDone(nil, err)
	return flushFailed
}

// pumpRaw reads body bytes straight into the write buffer, framed as
// Copy frames them.
func (e *evState) pumpRaw() (int, error) {
	c := e.c
	x := &c.x
	w := &c.w
	src := e.pump.src
	if !x.bodyAllowed {
		var scratch [512]byte
		_, err := src.Read(scratch[:])
		return 0, err
	}
	if w.free() < x.bodyRoom() {
		e.useBigBuffer()
		if w.free() < x.bodyRoom() {
			w.buf = appendGrow(w.buf, x.bodyRoom())
		}
	}
	return x.readBody(w, src)
}

// pumpFiltered reads a chunk, passes it through the filter and writes
// the result.
func (e *evState) pumpFiltered() (int, error) {
	x := &e.c.x
	p := &e.pump
	buf := *p.scratch
	m, err := p.src.Read(buf)
	if m > 0 {
		out, ferr := p.filter.FilterBody(buf[:m], false)
		if ferr != nil {
			return m, ferr
		}
		if _, werr := x.Write(out); werr != nil {
			return m, errBodyOverlong
		}
	}
	if err == io.EOF {
		last, ferr := p.filter.FilterBody(nil, true)
		if ferr != nil {
			return m, ferr
		}
		if len(last) > 0 {
			if _, werr := x.Write(last); werr != nil {
				return m, errBodyOverlong
			}
		}
	}
	return m, err
}

// appendGrow makes room for n more bytes.
func appendGrow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), 2*cap(b)+n)
	copy(nb, b)
	return nb
}

// pumpDone ends the pump and reports to its waiter.
func (e *evState) pumpDone(srcErr, dstErr error) {
	p := &e.pump
	if !p.active {
		return
	}
	if dstErr == os.ErrDeadlineExceeded {
		dstErr = &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	w, n := p.w, p.n
	e.pumpAbandon()
	w.BodyRelayed(n, srcErr, dstErr)
}

// pumpAbandon ends the pump without a report. The upstream connection is
// left to its holder, who must not reuse it (its body was not read).
func (e *evState) pumpAbandon() {
	p := &e.pump
	if p.uc != nil {
		p.uc.ev.pumpTo = nil
		p.uc.stopTimer()
	}
	if p.scratch != nil {
		copyScratch.Put(p.scratch)
	}
	e.lp.setTimer(&e.tm, 0)
	*p = pumpState{big: p.big, normal: p.normal}
}
