package syslog

import (
	"fmt"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// Handler is one configured syslog instance.
type Handler struct {
	sink *logserializer.Sink
	// priority is the syslog PRI value (facility*8 + severity) for
	// successful, client-error and server-error responses; -1 when the
	// severity is below log_level and the entry is not sent.
	priority [3]int
}

var sinkOptions = logserializer.Options{Queue: plugin.LogQueueOptions{Size: 10000, MaxBatch: 128, FlushEvery: 20 * time.Millisecond}}

// NewHandler builds the handler of one instance. Instances with the same
// priorities share one connection to the local syslog socket.
func NewHandler(cfg Config) (*Handler, error) {
	facility, ok := facilities[cfg.Facility]
	if !ok {
		return nil, fmt.Errorf("syslog: unknown facility %q", cfg.Facility)
	}
	threshold, err := severityOf(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	h := &Handler{}
	for i, name := range []string{cfg.SuccessfulSeverity, cfg.ClientErrorsSeverity, cfg.ServerErrorsSeverity} {
		sev, err := severityOf(name)
		if err != nil {
			return nil, err
		}
		h.priority[i] = -1
		if sev <= threshold {
			h.priority[i] = facility*8 + sev
		}
	}
	path := socketPath()
	key := fmt.Sprint(path, h.priority)
	sink, err := logserializer.Acquire(Name, key, sinkOptions, func() (logserializer.Deliverer, error) {
		return newWriter(path, h.priority), nil
	})
	if err != nil {
		return nil, err
	}
	h.sink = sink
	logserializer.Bind(h, sink)
	return h, nil
}

// Log implements plugin.Logger: an entry whose severity passes log_level
// is queued.
func (h *Handler) Log(rec *plugin.LogRecord) {
	if priorityOf(h.priority, rec.Response.Status) >= 0 {
		h.sink.Enqueue(rec)
	}
}

// priorityOf picks the priority of a response status from a table of
// successful, client-error and server-error priorities.
func priorityOf(table [3]int, status int) int {
	switch {
	case status >= 500:
		return table[2]
	case status >= 400:
		return table[1]
	}
	return table[0]
}

// NonBlocking implements plugin.NonBlocking: entries are queued and sent by the sink's own goroutine.
func (h *Handler) NonBlocking() bool { return true }
