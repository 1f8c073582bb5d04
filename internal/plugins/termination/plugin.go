// Package termination is the request-termination plugin: it answers
// requests itself with a configured status and message or body, or echoes
// the request back, optionally only when a trigger header or query
// argument is present.
package termination

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "request-termination"
	Priority = 2
)

// Plugin is the request-termination plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: request-termination may be scoped to
// anything, consumers included.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "status_code", Type: entity.TypeInteger, Required: true, Default: float64(503), Between: &[2]float64{100, 599}},
		{Name: "message", Type: entity.TypeString},
		{Name: "content_type", Type: entity.TypeString},
		{Name: "body", Type: entity.TypeString},
		{Name: "echo", Type: entity.TypeBoolean, Required: true, Default: false},
		entity.HeaderNameField("trigger"),
	}, Check: checkCombination}
}

// checkCombination is the config record's validator (Kong's
// custom_validator): it rejects the combinations Kong rejects, reported
// as the message of the config field itself.
func checkCombination(v any) string {
	obj, _ := v.(map[string]any)
	present := func(name string) bool {
		s, _ := obj[name].(string)
		return s != ""
	}
	switch {
	case present("message") && (present("content_type") || present("body")):
		return "message cannot be used with content_type or body"
	case present("content_type") && !present("body"):
		return "content_type requires a body"
	case obj["echo"] == true && (present("content_type") || present("body")):
		return "echo cannot be used with content_type and body"
	}
	return ""
}

// Config is the typed configuration of one instance.
type Config struct {
	StatusCode  int     `json:"status_code"`
	Message     *string `json:"message"`
	ContentType *string `json:"content_type"`
	Body        *string `json:"body"`
	Echo        bool    `json:"echo"`
	Trigger     *string `json:"trigger"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg), nil
}
