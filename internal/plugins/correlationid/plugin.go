// Package correlationid is the correlation-id plugin: it makes sure every
// request carries an id header upstream (keeping the client's own), and
// optionally echoes it on the response.
package correlationid

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "correlation-id"
	Priority = 100001
)

// Generators, as config.generator names them.
const (
	GeneratorUUID        = "uuid"
	GeneratorUUIDCounter = "uuid#counter"
	GeneratorTracker     = "tracker"
)

// DefaultHeaderName is the default of config.header_name.
const DefaultHeaderName = "Kong-Request-ID"

// SharedKey is the per-request shared value (Context.Get) holding the
// request's correlation id, for the log record's correlation_id.
const SharedKey = "correlation_id"

// Plugin is the correlation-id plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: any scope.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "header_name", Type: entity.TypeString, Default: DefaultHeaderName},
		{Name: "generator", Type: entity.TypeString, Required: true, Default: GeneratorUUIDCounter,
			OneOf: []any{GeneratorUUID, GeneratorUUIDCounter, GeneratorTracker}},
		{Name: "echo_downstream", Type: entity.TypeBoolean, Required: true, Default: false},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	HeaderName     *string `json:"header_name"`
	Generator      string  `json:"generator"`
	EchoDownstream bool    `json:"echo_downstream"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}
