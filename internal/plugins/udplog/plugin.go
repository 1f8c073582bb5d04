// Package udplog is the udp-log plugin: it sends each log serializer
// entry as one JSON datagram to a UDP endpoint, off the request path.
package udplog

import (
	"net"
	"strconv"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "udp-log"
	Priority = 8
)

// Plugin is the udp-log plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: udp-log attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		logserializer.HostField("host"),
		logserializer.PortField("port"),
		logserializer.MillisField("timeout", 10000),
		logserializer.CustomFieldsByLua(),
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	Host    string  `json:"host"`
	Port    int     `json:"port"`
	Timeout float64 `json:"timeout"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	if err := logserializer.RejectCustomFields(config); err != nil {
		return nil, err
	}
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

var sinkOptions = logserializer.Options{Queue: plugin.LogQueueOptions{Size: 10000, MaxBatch: 128, FlushEvery: 20 * time.Millisecond}}

// NewHandler builds the handler of one instance; the socket is opened
// when the first entry is sent.
func NewHandler(cfg Config) (*Handler, error) {
	w := &datagramWriter{
		addr:    net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		timeout: time.Duration(cfg.Timeout * float64(time.Millisecond)),
	}
	sink, err := logserializer.Acquire(Name, w.addr+"\x00"+w.timeout.String(), sinkOptions,
		func() (logserializer.Deliverer, error) { return w, nil })
	if err != nil {
		return nil, err
	}
	h := &Handler{sink: sink}
	logserializer.Bind(h, sink)
	return h, nil
}

// Handler is one configured udp-log instance.
type Handler struct {
	sink *logserializer.Sink
}

// Log implements plugin.Logger: the record is queued and sent by the
// sink's worker.
func (h *Handler) Log(rec *plugin.LogRecord) { h.sink.Enqueue(rec) }

// NonBlocking implements plugin.NonBlocking: entries are queued and sent by the sink's own goroutine.
func (h *Handler) NonBlocking() bool { return true }
