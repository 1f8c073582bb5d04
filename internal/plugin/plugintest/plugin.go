package plugintest

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

// Plugin is a plugin.Plugin assembled from values, for tests. Build
// defaults to returning nil (a handler without phases).
type Plugin struct {
	PluginName     string
	PluginPriority int
	PluginVersion  string
	Schema         *entity.Field
	Scoping        plugin.Scope
	Protos         []string
	Build          func(config entity.Object) (plugin.Handler, error)
}

var _ plugin.Plugin = (*Plugin)(nil)

// EmptySchema returns a config schema without fields.
func EmptySchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true}
}

// Name implements plugin.Plugin.
func (p *Plugin) Name() string { return p.PluginName }

// Priority implements plugin.Plugin.
func (p *Plugin) Priority() int { return p.PluginPriority }

// Version implements plugin.Plugin.
func (p *Plugin) Version() string { return p.PluginVersion }

// ConfigSchema implements plugin.Plugin; nil Schema means EmptySchema.
func (p *Plugin) ConfigSchema() *entity.Field {
	if p.Schema == nil {
		return EmptySchema()
	}
	return p.Schema
}

// Scope implements plugin.Plugin.
func (p *Plugin) Scope() plugin.Scope { return p.Scoping }

// Protocols implements plugin.Plugin; nil Protos means the default.
func (p *Plugin) Protocols() []string {
	if p.Protos == nil {
		return plugin.DefaultProtocols
	}
	return p.Protos
}

// New implements plugin.Plugin.
func (p *Plugin) New(config entity.Object) (plugin.Handler, error) {
	if p.Build == nil {
		return nil, nil
	}
	return p.Build(config)
}
