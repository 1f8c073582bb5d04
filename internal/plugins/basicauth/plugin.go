// Package basicauth is the basic-auth plugin: it authenticates a request
// by the username and password of an HTTP Basic Authorization (or
// Proxy-Authorization) header, checked against the basicauth_credentials
// of the configuration.
package basicauth

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "basic-auth"
	Priority = 1100
)

// Plugin is the basic-auth plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: basic-auth cannot be scoped to a
// consumer.
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "anonymous", Type: entity.TypeString},
		{Name: "hide_credentials", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "realm", Type: entity.TypeString, Required: true, Default: "service"},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	Anonymous       *string `json:"anonymous"`
	HideCredentials bool    `json:"hide_credentials"`
	Realm           string  `json:"realm"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg), nil
}

// NewHandler builds the handler of one instance from its configuration.
func NewHandler(cfg Config) *Handler {
	h := &Handler{cfg: cfg, challenge: `Basic realm="` + cfg.Realm + `"`}
	if cfg.Anonymous != nil {
		h.anonymous = *cfg.Anonymous
	}
	return h
}
