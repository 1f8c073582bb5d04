// Package hmacauth is the hmac-auth plugin: it authenticates a request by
// an HMAC signature over chosen headers (and the request line), computed
// with the secret of an hmacauth_credentials entity, in the scheme of
// Kong's hmac-auth (draft-cavage HTTP signatures).
package hmacauth

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "hmac-auth"
	Priority = 1030
)

// Algorithms are the signature algorithms the plugin knows.
var Algorithms = []string{"hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

// Plugin is the hmac-auth plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: hmac-auth cannot be scoped to a consumer.
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	zero := float64(0)
	algorithms := make([]any, len(Algorithms))
	for i, a := range Algorithms {
		algorithms[i] = a
	}
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "hide_credentials", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "clock_skew", Type: entity.TypeNumber, Default: float64(300), Gt: &zero},
		{Name: "anonymous", Type: entity.TypeString},
		{Name: "validate_request_body", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "enforce_headers", Type: entity.TypeArray, Default: []any{}, Elements: &entity.Field{Type: entity.TypeString}},
		{Name: "algorithms", Type: entity.TypeArray, Default: algorithms,
			Elements: &entity.Field{Type: entity.TypeString, OneOf: algorithms}},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	HideCredentials     bool     `json:"hide_credentials"`
	ClockSkew           float64  `json:"clock_skew"`
	Anonymous           *string  `json:"anonymous"`
	ValidateRequestBody bool     `json:"validate_request_body"`
	EnforceHeaders      []string `json:"enforce_headers"`
	Algorithms          []string `json:"algorithms"`
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
	h := &Handler{cfg: cfg, algorithms: map[string]bool{}}
	for _, a := range cfg.Algorithms {
		h.algorithms[a] = true
	}
	if cfg.Anonymous != nil {
		h.anonymous = *cfg.Anonymous
	}
	return h
}
