// Package acl is the acl plugin: it lets a request through or rejects it
// by the groups of its authenticated consumer (the acls entities), against
// an allow list or a deny list.
package acl

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "acl"
	Priority = 950
)

// Plugin is the acl plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: acl cannot be scoped to a consumer.
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// listFields are the allow and deny lists as paths from the plugin entity.
var listFields = []string{"config.allow", "config.deny"}

func init() {
	// Kong declares these on the plugin schema, not on its config record,
	// so their messages are top-level entity messages.
	entity.RegisterPluginEntityChecks(Name,
		entity.EntityCheck{Kind: entity.CheckExactlyOneOf, Fields: listFields},
		entity.EntityCheck{Kind: entity.CheckAtLeastOneOf, Fields: listFields},
	)
}

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	groups := func(name string) *entity.Field {
		return &entity.Field{Name: name, Type: entity.TypeArray, Elements: &entity.Field{Type: entity.TypeString}}
	}
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		groups("allow"),
		groups("deny"),
		{Name: "hide_groups_header", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "always_use_authenticated_groups", Type: entity.TypeBoolean, Required: true, Default: false},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	Allow                        []string `json:"allow"`
	Deny                         []string `json:"deny"`
	HideGroupsHeader             bool     `json:"hide_groups_header"`
	AlwaysUseAuthenticatedGroups bool     `json:"always_use_authenticated_groups"`
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
// A non-empty deny list makes it a deny list, as in Kong.
func NewHandler(cfg Config) (*Handler, error) {
	h := &Handler{cfg: cfg, listed: map[string]struct{}{}}
	list := cfg.Allow
	if len(cfg.Deny) > 0 {
		h.deny, list = true, cfg.Deny
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("acl: neither allow nor deny lists a group")
	}
	for _, g := range list {
		h.listed[g] = struct{}{}
	}
	return h, nil
}
