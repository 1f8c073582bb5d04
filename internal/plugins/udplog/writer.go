package udplog

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// redialEvery makes the writer resolve the endpoint's name again from
// time to time, so that a moved collector is followed.
const redialEvery = time.Minute

// datagramWriter sends one datagram per entry to a UDP endpoint.
type datagramWriter struct {
	addr    string
	timeout time.Duration

	mu     sync.Mutex
	conn   net.Conn
	dialed time.Time
	buf    bytes.Buffer
}

// Deliver implements logserializer.Deliverer. Every entry is attempted;
// the first error is returned.
func (w *datagramWriter) Deliver(ctx context.Context, batch []*plugin.LogRecord) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil && time.Since(w.dialed) > redialEvery {
		w.conn.Close()
		w.conn = nil
	}
	if w.conn == nil {
		d := net.Dialer{Timeout: w.timeout}
		conn, err := d.DialContext(ctx, "udp", w.addr)
		if err != nil {
			return fmt.Errorf("open udp socket to %s: %w", w.addr, err)
		}
		w.conn, w.dialed = conn, time.Now()
	}
	var first error
	for _, rec := range batch {
		w.buf.Reset()
		if err := logserializer.AppendJSON(&w.buf, rec); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		if w.timeout > 0 {
			w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
		}
		if _, err := w.conn.Write(w.buf.Bytes()); err != nil {
			first = cmp.Or(first, fmt.Errorf("send to %s: %w", w.addr, err))
		}
	}
	return first
}

// Close implements logserializer.Deliverer.
func (w *datagramWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	return err
}
