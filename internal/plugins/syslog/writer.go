package syslog

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// ident is the program name the messages carry, as Kong's plugin sends.
const ident = "kong"

// defaultSocketPaths are tried in order when no path was set.
var defaultSocketPaths = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

var configuredPath atomic.Pointer[string]

// SetSocketPath makes instances built afterwards send to the syslog
// socket at path (a Unix datagram or stream socket); "" restores the
// default search of /dev/log, /var/run/syslog and /var/run/log.
func SetSocketPath(path string) { configuredPath.Store(&path) }

// socketPath is the path set with SetSocketPath, or "" for the default
// search.
func socketPath() string {
	if p := configuredPath.Load(); p != nil {
		return *p
	}
	return ""
}

// writer sends RFC 3164 messages ("<PRI>Mmm dd hh:mm:ss kong[pid]: json")
// to a local syslog socket, as the C library's syslog(3) does.
type writer struct {
	path     string
	priority [3]int

	mu     sync.Mutex
	conn   net.Conn
	stream bool
	buf    bytes.Buffer
}

func newWriter(path string, priority [3]int) *writer {
	return &writer{path: path, priority: priority}
}

// Deliver implements logserializer.Deliverer: one message per entry.
func (w *writer) Deliver(_ context.Context, batch []*plugin.LogRecord) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		if err := w.connect(); err != nil {
			return err
		}
	}
	pid := strconv.Itoa(os.Getpid())
	for _, rec := range batch {
		pri := priorityOf(w.priority, rec.Response.Status)
		if pri < 0 {
			continue
		}
		w.buf.Reset()
		w.buf.WriteString("<" + strconv.Itoa(pri) + ">")
		w.buf.WriteString(time.Now().Format(time.Stamp))
		w.buf.WriteString(" " + ident + "[" + pid + "]: ")
		if err := logserializer.AppendJSON(&w.buf, rec); err != nil {
			return err
		}
		if w.stream {
			w.buf.WriteByte(0)
		}
		if _, err := w.conn.Write(w.buf.Bytes()); err != nil {
			w.conn.Close()
			w.conn = nil
			return fmt.Errorf("write to syslog: %w", err)
		}
	}
	return nil
}

// connect opens the socket, datagram first then stream, as syslog(3).
func (w *writer) connect() error {
	paths := defaultSocketPaths
	if w.path != "" {
		paths = []string{w.path}
	}
	var lastErr error
	for _, p := range paths {
		for _, network := range []string{"unixgram", "unix"} {
			conn, err := net.DialTimeout(network, p, time.Second)
			if err == nil {
				w.conn, w.stream = conn, network == "unix"
				return nil
			}
			lastErr = err
		}
	}
	return fmt.Errorf("connect to syslog: %w", lastErr)
}

// Close implements logserializer.Deliverer.
func (w *writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	return err
}
