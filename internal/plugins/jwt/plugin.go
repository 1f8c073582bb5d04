// Package jwt is the jwt plugin: it authenticates a request by a JSON Web
// Token found in the query string, a cookie or a header, looks up the
// jwt_secrets credential its key claim names, and verifies the token's
// signature with that credential's algorithm, secret or public key.
package jwt

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "jwt"
	Priority = 1450
)

// maxExpirationLimit is the upper bound of maximum_expiration (one year).
const maxExpirationLimit = 31536000

// Plugin is the jwt plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: jwt cannot be scoped to a consumer.
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	str := func() *entity.Field { return &entity.Field{Type: entity.TypeString} }
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "uri_param_names", Type: entity.TypeSet, Default: []any{"jwt"}, Elements: str()},
		{Name: "cookie_names", Type: entity.TypeSet, Default: []any{}, Elements: str()},
		{Name: "key_claim_name", Type: entity.TypeString, Default: "iss"},
		{Name: "secret_is_base64", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "claims_to_verify", Type: entity.TypeSet,
			Elements: &entity.Field{Type: entity.TypeString, OneOf: []any{"exp", "nbf"}}},
		{Name: "anonymous", Type: entity.TypeString},
		{Name: "run_on_preflight", Type: entity.TypeBoolean, Required: true, Default: true},
		{Name: "maximum_expiration", Type: entity.TypeNumber, Default: float64(0),
			Between: &[2]float64{0, maxExpirationLimit}},
		{Name: "header_names", Type: entity.TypeSet, Default: []any{"authorization"}, Elements: str()},
		{Name: "realm", Type: entity.TypeString},
	}}
}

func init() {
	entity.RegisterPluginEntityChecks(Name, maximumExpirationCheck)
}

// maximumExpirationCheck is Kong's conditional check on the plugin
// entity: a positive maximum_expiration needs exp among the claims to
// verify.
var maximumExpirationCheck = entity.ConditionalCheck(
	"config.maximum_expiration", func(v any) bool { n, _ := v.(float64); return n > 0 },
	"config.claims_to_verify", func(v any) string {
		claims, _ := v.([]any)
		for _, c := range claims {
			if c == "exp" {
				return ""
			}
		}
		return "expected to contain: exp"
	},
	map[string]any{
		"if_field": "config.maximum_expiration", "if_match": map[string]any{"gt": float64(0)},
		"then_field": "config.claims_to_verify", "then_match": map[string]any{"contains": "exp"},
	})

// Config is the typed configuration of one instance.
type Config struct {
	URIParamNames     []string `json:"uri_param_names"`
	CookieNames       []string `json:"cookie_names"`
	HeaderNames       []string `json:"header_names"`
	KeyClaimName      string   `json:"key_claim_name"`
	SecretIsBase64    bool     `json:"secret_is_base64"`
	ClaimsToVerify    []string `json:"claims_to_verify"`
	Anonymous         *string  `json:"anonymous"`
	RunOnPreflight    bool     `json:"run_on_preflight"`
	MaximumExpiration float64  `json:"maximum_expiration"`
	Realm             *string  `json:"realm"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

// NewHandler builds the handler of one instance from its configuration.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.KeyClaimName == "" {
		return nil, fmt.Errorf("jwt: key_claim_name is empty")
	}
	for _, c := range cfg.ClaimsToVerify {
		if c != "exp" && c != "nbf" {
			return nil, fmt.Errorf("jwt: cannot verify claim %q", c)
		}
	}
	h := &Handler{cfg: cfg}
	base := "Bearer"
	if cfg.Realm != nil {
		base = `Bearer realm="` + *cfg.Realm + `"`
	}
	// Kong appends the error parameter with a space, not a comma.
	h.challenge, h.challengeInvalid = base, base+` error="invalid_token"`
	if cfg.Anonymous != nil {
		h.anonymous = *cfg.Anonymous
	}
	h.bodies = newBodies(cfg.KeyClaimName)
	return h, nil
}
