// Package iprestriction is the ip-restriction plugin: it refuses clients
// whose address (after the real-IP rules) is on the deny list, or not on
// the allow list when there is one.
package iprestriction

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "ip-restriction"
	Priority = 990
)

// Plugin is the ip-restriction plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

func init() {
	entity.RegisterPluginChecks(Name, checkPlugin)
}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: the plugin can be scoped to anything.
func (Plugin) Scope() plugin.Scope { return 0 }

// protocols is the plugin's protocols default (it also serves streams in
// Kong).
var protocols = []string{"http", "https", "tcp", "tls", "grpc", "grpcs"}

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return protocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	ipOrCIDR := &entity.Field{Type: entity.TypeString, Check: checkIPOrCIDR}
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "allow", Type: entity.TypeArray, Elements: ipOrCIDR},
		{Name: "deny", Type: entity.TypeArray, Elements: ipOrCIDR},
		{Name: "status", Type: entity.TypeNumber},
		{Name: "message", Type: entity.TypeString},
	}}
}

const msgAtLeastOne = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"

// checkPlugin is the plugin-level check: allow or deny must be given.
func checkPlugin(obj entity.Object, _ entity.Operation) map[string]any {
	cfg, _ := obj["config"].(map[string]any)
	allow, _ := cfg["allow"].([]any)
	deny, _ := cfg["deny"].([]any)
	if len(allow) == 0 && len(deny) == 0 {
		return map[string]any{"@entity": []any{msgAtLeastOne}}
	}
	return nil
}

// checkIPOrCIDR validates one list element.
func checkIPOrCIDR(v any) string {
	s, _ := v.(string)
	if _, err := parsePrefix(s); err != nil {
		return "invalid ip or cidr range: '" + s + "'"
	}
	return ""
}

// Config is the typed configuration of one instance.
type Config struct {
	Allow   []string `json:"allow"`
	Deny    []string `json:"deny"`
	Status  *float64 `json:"status"`
	Message *string  `json:"message"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}
