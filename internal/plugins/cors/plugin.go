// Package cors is the cors plugin: it answers CORS preflight requests
// itself and adds the Access-Control-* headers to other responses, with
// Kong's rules for deciding which origin is allowed.
package cors

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "cors"
	Priority = 2000
)

// allMethods is the default of config.methods and the set it accepts.
var allMethods = []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

// Plugin is the cors plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: cors cannot be scoped to a consumer
// (it runs before any authentication).
func (Plugin) Scope() plugin.Scope { return plugin.NoConsumer }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	str := func() *entity.Field { return &entity.Field{Type: entity.TypeString} }
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "origins", Type: entity.TypeArray, Elements: &entity.Field{Type: entity.TypeString, Check: checkOrigin}},
		{Name: "headers", Type: entity.TypeArray, Elements: str()},
		{Name: "exposed_headers", Type: entity.TypeArray, Elements: str()},
		{Name: "methods", Type: entity.TypeArray, Default: allMethods,
			Elements: &entity.Field{Type: entity.TypeString, OneOf: allMethods}},
		{Name: "max_age", Type: entity.TypeNumber},
		{Name: "credentials", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "private_network", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "preflight_continue", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "allow_origin_absent", Type: entity.TypeBoolean, Required: true, Default: true},
	}}
}

// checkOrigin accepts "*" or anything that compiles as a regular
// expression (plain origins are valid regular expressions too).
func checkOrigin(v any) string {
	s, _ := v.(string)
	if s == "*" {
		return ""
	}
	if _, err := regexp.Compile(s); err != nil {
		return "'" + s + "' is not a valid regex"
	}
	return ""
}

// Config is the typed configuration of one instance.
type Config struct {
	Origins           []string `json:"origins"`
	Headers           []string `json:"headers"`
	ExposedHeaders    []string `json:"exposed_headers"`
	Methods           []string `json:"methods"`
	MaxAge            *float64 `json:"max_age"`
	Credentials       bool     `json:"credentials"`
	PrivateNetwork    bool     `json:"private_network"`
	PreflightContinue bool     `json:"preflight_continue"`
	AllowOriginAbsent bool     `json:"allow_origin_absent"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

// NewHandler builds the handler of one instance: the origin rules are
// classified and their regular expressions compiled here, once.
func NewHandler(cfg Config) (*Handler, error) {
	h := &Handler{cfg: cfg}
	if err := h.compileOrigins(cfg.Origins); err != nil {
		return nil, fmt.Errorf("cors: %w", err)
	}
	if len(cfg.Headers) > 0 {
		h.allowHeaders = strings.Join(cfg.Headers, ",")
	}
	h.allowMethods = defaultMethods
	if cfg.Methods != nil {
		h.allowMethods = strings.Join(cfg.Methods, ",")
	}
	if len(cfg.ExposedHeaders) > 0 {
		h.exposeHeaders = strings.Join(cfg.ExposedHeaders, ",")
	}
	if cfg.MaxAge != nil {
		h.maxAge = entity.FormatNumber(*cfg.MaxAge)
	}
	return h, nil
}

// defaultMethods is Access-Control-Allow-Methods when methods is null.
const defaultMethods = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"
