package filelog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// Handler is one configured file-log instance.
type Handler struct {
	sink *logserializer.Sink
}

// Log implements plugin.Logger: the record is queued and written by the
// sink's worker.
func (h *Handler) Log(rec *plugin.LogRecord) { h.sink.Enqueue(rec) }

// fileWriter appends JSON lines to one file. The file is opened on first
// use (append, create, mode 0644) and kept open, or opened for every
// batch when reopen is set, so that rotated files are followed.
type fileWriter struct {
	path   string
	reopen bool

	mu  sync.Mutex
	f   *os.File
	buf bytes.Buffer
}

// Deliver implements logserializer.Deliverer.
func (w *fileWriter) Deliver(_ context.Context, batch []*plugin.LogRecord) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
	for _, rec := range batch {
		if err := logserializer.AppendJSON(&w.buf, rec); err != nil {
			return err
		}
		w.buf.WriteByte('\n')
	}
	if w.f == nil || w.reopen {
		if w.f != nil {
			w.f.Close()
			w.f = nil
		}
		f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		w.f = f
	}
	if _, err := w.f.Write(w.buf.Bytes()); err != nil {
		w.f.Close()
		w.f = nil
		return fmt.Errorf("write log file %s: %w", w.path, err)
	}
	return nil
}

// Close implements logserializer.Deliverer.
func (w *fileWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// NonBlocking implements plugin.NonBlocking: entries are queued and written by the sink's own goroutine.
func (h *Handler) NonBlocking() bool { return true }
