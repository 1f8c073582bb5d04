package proxy

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/straitgw/strait/internal/h1"
)

// accessLog buffers whole JSON lines and writes them to out. A line is
// always written in one piece; Flush runs at least once per second and on
// Close, so no line is lost on an orderly shutdown.
type accessLog struct {
	mu     sync.Mutex
	out    *bufio.Writer
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

func newAccessLog(w io.Writer) *accessLog {
	l := &accessLog{out: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushLoop()
	return l
}

func (l *accessLog) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Flush()
		}
	}
}

// write appends one line (it must end with '\n').
func (l *accessLog) write(line []byte) {
	l.mu.Lock()
	if !l.closed {
		if l.out.Available() < len(line) && l.out.Buffered() > 0 {
			_ = l.out.Flush()
		}
		_, _ = l.out.Write(line)
	}
	l.mu.Unlock()
}

// Flush writes the buffered lines.
func (l *accessLog) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.out.Flush(); err != nil {
		return fmt.Errorf("flush access log: %w", err)
	}
	return nil
}

// Close stops the flusher and writes what is left; later lines are dropped.
func (l *accessLog) Close() error {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if err := l.out.Flush(); err != nil {
		return fmt.Errorf("flush access log: %w", err)
	}
	return nil
}

// finish writes the access log line of a request.
func (p *Proxy) finish(ex *exchange) {
	p.logPlugins(ex)
	if p.access == nil {
		return
	}
	if ex.status == 0 {
		ex.status = statusClientClosed
	}
	total := time.Since(ex.start)
	b := ex.buf[:0]
	b = append(b, `{"time":"`...)
	b = ex.start.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","request_id":"`...)
	b = append(b, ex.id...)
	b = append(b, `","client_ip":"`...)
	b = ex.client.AppendTo(b)
	b = append(b, `","method":`...)
	b = appendJSONString(b, ex.in.method)
	b = append(b, `,"uri":`...)
	b = appendRedactedURI(b, ex)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(ex.status), 10)
	b = append(b, `,"route":`...)
	if ex.route != nil {
		b = appendIDName(b, ex.route.ID, ex.route.Name)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"service":`...)
	if ex.service != nil {
		b = appendIDName(b, ex.service.ID, ex.service.Name)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"consumer":`...)
	if c := ex.pc.consumer; c != nil {
		b = append(b, `{"id":`...)
		b = appendJSONString(b, c.ID)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"upstream":`...)
	if ex.upstreamHost != "" {
		b = append(b, '{')
		if ex.bal != nil {
			b = append(b, `"name":`...)
			b = appendJSONString(b, ex.bal.Name())
			b = append(b, ',')
		}
		b = append(b, `"host":`...)
		b = appendJSONString(b, ex.upstreamHost)
		b = append(b, `,"ip":"`...)
		if ex.upstreamAddr.IsValid() {
			b = ex.upstreamAddr.Addr().AppendTo(b)
		}
		b = append(b, `","port":`...)
		b = strconv.AppendInt(b, int64(ex.upstreamAddr.Port()), 10)
		b = append(b, `,"scheme":"`...)
		b = append(b, ex.upstreamScheme...)
		b = append(b, `"}`...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"latencies":{"proxy":`...)
	b = strconv.AppendInt(b, ex.proxyLatency.Milliseconds(), 10)
	b = append(b, `,"upstream":`...)
	b = strconv.AppendInt(b, ex.upstreamLatency.Milliseconds(), 10)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, total.Milliseconds(), 10)
	b = append(b, `},"bytes_sent":`...)
	b = strconv.AppendInt(b, ex.bytesSent, 10)
	b = append(b, `,"tries":[`...)
	for i, t := range ex.tries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"addr":"`...)
		if t.addr.IsValid() {
			b = t.addr.AppendTo(b)
		}
		b = append(b, `","error":"`...)
		b = append(b, t.class...)
		b = append(b, `"}`...)
	}
	b = append(b, `],"error":"`...)
	b = append(b, ex.failure...)
	b = append(b, "\"}\n"...)
	ex.buf = b
	p.access.write(b)
}

func appendIDName(b []byte, id, name string) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, name)
	return append(b, '}')
}

// appendRedactedURI appends the request path plus the query sent
// upstream, as a JSON string, with every query value replaced by
// REDACTED; parameter names are kept.
func appendRedactedURI(b []byte, ex *exchange) []byte {
	query, hasQuery := h1.ViewString(ex.in.query), ex.in.hasQuery
	if ex.plugins && ex.pc.querySet {
		query, hasQuery = ex.pc.query, ex.pc.query != ""
	}
	b = append(b, '"')
	b = appendJSONStringBody(b, ex.rawPath)
	if hasQuery {
		b = append(b, '?')
	}
	first := true
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if !first {
			b = append(b, '&')
		}
		first = false
		name, _, hasValue := strings.Cut(pair, "=")
		b = appendJSONStringBody(b, name)
		if hasValue {
			b = append(b, "=REDACTED"...)
		}
	}
	return append(b, '"')
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONStringBody(b, s)
	return append(b, '"')
}

// appendJSONStringBody appends s escaped for a JSON string, without the
// quotes.
func appendJSONStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
