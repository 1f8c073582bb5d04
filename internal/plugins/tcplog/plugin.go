// Package tcplog is the tcp-log plugin: it writes the log serializer's
// entries, one JSON line each, to a TCP (optionally TLS) endpoint over a
// kept-alive connection, off the request path.
package tcplog

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
	Name     = "tcp-log"
	Priority = 7
)

// Plugin is the tcp-log plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: tcp-log attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		logserializer.HostField("host"),
		logserializer.PortField("port"),
		logserializer.MillisField("timeout", 10000),
		logserializer.MillisField("keepalive", 60000),
		{Name: "tls", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "tls_sni", Type: entity.TypeString},
		logserializer.CustomFieldsByLua(),
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	Host      string  `json:"host"`
	Port      int     `json:"port"`
	Timeout   float64 `json:"timeout"`
	Keepalive float64 `json:"keepalive"`
	TLS       bool    `json:"tls"`
	TLSSNI    *string `json:"tls_sni"`
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

// sinkOptions batch the lines of busy periods into one write; a failed
// write is retried once on a new connection, then the batch is counted
// as failed.
var sinkOptions = logserializer.Options{Queue: plugin.LogQueueOptions{Size: 10000, MaxBatch: 128, FlushEvery: 20 * time.Millisecond}}

// NewHandler builds the handler of one instance; the connection is made
// when the first entry is written.
func NewHandler(cfg Config) (*Handler, error) {
	sni := ""
	if cfg.TLSSNI != nil {
		sni = *cfg.TLSSNI
	}
	w := &streamWriter{
		addr:      net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		timeout:   time.Duration(cfg.Timeout * float64(time.Millisecond)),
		keepalive: time.Duration(cfg.Keepalive * float64(time.Millisecond)),
		tls:       cfg.TLS,
		sni:       sni,
	}
	key := w.addr + "\x00" + strconv.FormatBool(cfg.TLS) + "\x00" + sni + "\x00" + w.timeout.String() + "\x00" + w.keepalive.String()
	sink, err := logserializer.Acquire(Name, key, sinkOptions, func() (logserializer.Deliverer, error) { return w, nil })
	if err != nil {
		return nil, err
	}
	h := &Handler{sink: sink}
	logserializer.Bind(h, sink)
	return h, nil
}

// Handler is one configured tcp-log instance.
type Handler struct {
	sink *logserializer.Sink
}

// Log implements plugin.Logger: the record is queued and written by the
// sink's worker.
func (h *Handler) Log(rec *plugin.LogRecord) { h.sink.Enqueue(rec) }

// NonBlocking implements plugin.NonBlocking: entries are queued and sent by the sink's own goroutine.
func (h *Handler) NonBlocking() bool { return true }
