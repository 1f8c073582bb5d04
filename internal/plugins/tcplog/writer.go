package tcplog

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// streamWriter writes JSON lines to one TCP endpoint. The connection is
// reused while it is used more often than the keepalive interval.
type streamWriter struct {
	addr      string
	timeout   time.Duration
	keepalive time.Duration
	tls       bool
	sni       string

	mu       sync.Mutex
	conn     net.Conn
	lastUsed time.Time
	buf      bytes.Buffer
}

// Deliver implements logserializer.Deliverer.
func (w *streamWriter) Deliver(ctx context.Context, batch []*plugin.LogRecord) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
	for _, rec := range batch {
		if err := logserializer.AppendJSON(&w.buf, rec); err != nil {
			return err
		}
		w.buf.WriteByte('\n')
	}
	if w.conn != nil && w.keepalive > 0 && time.Since(w.lastUsed) > w.keepalive {
		w.drop()
	}
	reused := w.conn != nil
	err := w.write(ctx)
	if err != nil && reused {
		// The kept connection may have been closed by the peer: try once
		// more on a fresh one.
		err = w.write(ctx)
	}
	return err
}

func (w *streamWriter) write(ctx context.Context) error {
	if w.conn == nil {
		conn, err := w.dial(ctx)
		if err != nil {
			return err
		}
		w.conn = conn
	}
	if w.timeout > 0 {
		w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	}
	if _, err := w.conn.Write(w.buf.Bytes()); err != nil {
		w.drop()
		return fmt.Errorf("write to %s: %w", w.addr, err)
	}
	w.lastUsed = time.Now()
	return nil
}

func (w *streamWriter) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: w.timeout}
	if !w.tls {
		conn, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", w.addr, err)
		}
		return conn, nil
	}
	sni := w.sni
	if sni == "" {
		sni, _, _ = net.SplitHostPort(w.addr)
	}
	td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: sni, MinVersion: tls.VersionTLS12}}
	conn, err := td.DialContext(ctx, "tcp", w.addr)
	if err != nil {
		return nil, fmt.Errorf("connect with tls to %s: %w", w.addr, err)
	}
	return conn, nil
}

func (w *streamWriter) drop() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// Close implements logserializer.Deliverer.
func (w *streamWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.drop()
	return nil
}
