package httplog

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// Handler is one configured http-log instance.
type Handler struct {
	sink *logserializer.Sink
}

// Log implements plugin.Logger: the record is queued, never sent on the
// request path.
func (h *Handler) Log(rec *plugin.LogRecord) { h.sink.Enqueue(rec) }

// NonBlocking implements plugin.NonBlocking: entries are queued and sent by the sink's own goroutine.
func (h *Handler) NonBlocking() bool { return true }
