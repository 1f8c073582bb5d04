// Package prometheus is the prometheus plugin: it records Kong's request
// metrics (kong_http_requests_total, the kong_*_latency_ms histograms,
// kong_bandwidth_bytes) into the process's Exporter, which also reports
// node metrics (kong_node_info, kong_datastore_reachable, connection
// counts) and serves them in the Prometheus text format.
package prometheus

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "prometheus"
	Priority = 13
)

// Plugin is the prometheus plugin kind. Its instances record into
// Exporter, or into Default when Exporter is nil.
type Plugin struct {
	Exporter *Exporter
}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: prometheus attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// flagNames are the config booleans, in Kong's schema order; all default
// to false.
var flagNames = []string{"per_consumer", "status_code_metrics", "ai_metrics", "latency_metrics",
	"bandwidth_metrics", "upstream_health_metrics", "wasm_metrics"}

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	fields := make([]*entity.Field, len(flagNames))
	for i, name := range flagNames {
		fields[i] = &entity.Field{Name: name, Type: entity.TypeBoolean, Default: false}
	}
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: fields}
}

// Config is the typed configuration of one instance.
type Config struct {
	PerConsumer           bool `json:"per_consumer"`
	StatusCodeMetrics     bool `json:"status_code_metrics"`
	AIMetrics             bool `json:"ai_metrics"`
	LatencyMetrics        bool `json:"latency_metrics"`
	BandwidthMetrics      bool `json:"bandwidth_metrics"`
	UpstreamHealthMetrics bool `json:"upstream_health_metrics"`
	WasmMetrics           bool `json:"wasm_metrics"`
}

// New implements plugin.Plugin.
func (p Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	exp := p.Exporter
	if exp == nil {
		exp = Default
	}
	if cfg.UpstreamHealthMetrics {
		exp.upstreams.enabled.Store(true)
	}
	return &Handler{cfg: cfg, exp: exp}, nil
}
