// Package keyauth is the key-auth plugin: it authenticates a request by
// an API key sent in a header, the query string or the body, and looks
// the key up among the keyauth_credentials of the configuration.
package keyauth

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "key-auth"
	Priority = 1250
)

// Plugin is the key-auth plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: key-auth cannot be scoped to a consumer.
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	keyName := entity.HeaderNameField("")
	keyName.Required = true
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "key_names", Type: entity.TypeArray, Required: true, Default: []any{"apikey"}, Elements: keyName},
		{Name: "hide_credentials", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "anonymous", Type: entity.TypeString},
		{Name: "key_in_header", Type: entity.TypeBoolean, Required: true, Default: true},
		{Name: "key_in_query", Type: entity.TypeBoolean, Required: true, Default: true},
		{Name: "key_in_body", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "run_on_preflight", Type: entity.TypeBoolean, Required: true, Default: true},
		{Name: "realm", Type: entity.TypeString},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	KeyNames        []string `json:"key_names"`
	HideCredentials bool     `json:"hide_credentials"`
	Anonymous       *string  `json:"anonymous"`
	KeyInHeader     bool     `json:"key_in_header"`
	KeyInQuery      bool     `json:"key_in_query"`
	KeyInBody       bool     `json:"key_in_body"`
	RunOnPreflight  bool     `json:"run_on_preflight"`
	Realm           *string  `json:"realm"`
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
	if len(cfg.KeyNames) == 0 {
		return nil, fmt.Errorf("key-auth: key_names is empty")
	}
	h := &Handler{cfg: cfg, challenge: "Key"}
	if cfg.Realm != nil {
		h.challenge = `Key realm="` + *cfg.Realm + `"`
	}
	if cfg.Anonymous != nil {
		h.anonymous = *cfg.Anonymous
	}
	h.headerNames = make([]string, len(cfg.KeyNames))
	for i, n := range cfg.KeyNames {
		// Header lookups treat "_" as "-", as nginx's header table does;
		// the canonical spelling spares engines a conversion per request.
		h.headerNames[i] = textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(n, "_", "-"))
	}
	return h, nil
}
