// Package ratelimiting is the rate-limiting plugin: it counts the
// requests of each client (consumer, credential, IP, service, header or
// path) in per-second to per-year windows, answers 429 past a limit and
// tells clients where they stand through X-RateLimit-* and RateLimit-*
// headers. Counters live in this process (policy local) or in Redis,
// shared by every node (policy redis).
package ratelimiting

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "rate-limiting"
	Priority = 910
)

// Plugin is the rate-limiting plugin kind.
type Plugin struct{}

var (
	_ plugin.Plugin          = Plugin{}
	_ plugin.InstanceFactory = Plugin{}
)

func init() {
	entity.RegisterConfigAliases(Name, redisAliases...)
	entity.RegisterPluginEntityChecks(Name, pluginChecks()...)
}

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
func (Plugin) ConfigSchema() *entity.Field { return configSchema() }

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

// NewInstance implements plugin.InstanceFactory: the handler keys its
// counters by the instance's route and service scope and warns through
// the node's logger.
func (Plugin) NewInstance(b plugin.Build) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](b.Config)
	if err != nil {
		return nil, err
	}
	return NewScopedHandler(cfg, b.Instance.RouteID, b.Instance.ServiceID, b.Logger)
}
