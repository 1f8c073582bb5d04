// Package sizelimit is the request-size-limiting plugin: it refuses
// requests whose body is larger than the configured size, judging by
// Content-Length or, for chunked bodies, by the body itself.
package sizelimit

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "request-size-limiting"
	Priority = 951
)

// Size units and their sizes in bytes.
const (
	unitMegabytes = "megabytes"
	unitKilobytes = "kilobytes"
	unitBytes     = "bytes"
)

var unitBytesOf = map[string]int64{unitMegabytes: 1 << 20, unitKilobytes: 1 << 10, unitBytes: 1}

// Plugin is the request-size-limiting plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: the plugin can be scoped to anything.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "allowed_payload_size", Type: entity.TypeInteger, Required: true, Default: float64(128)},
		{Name: "size_unit", Type: entity.TypeString, Required: true, Default: unitMegabytes,
			OneOf: []any{unitMegabytes, unitKilobytes, unitBytes}},
		{Name: "require_content_length", Type: entity.TypeBoolean, Required: true, Default: false},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	AllowedPayloadSize   int64  `json:"allowed_payload_size"`
	SizeUnit             string `json:"size_unit"`
	RequireContentLength bool   `json:"require_content_length"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}
