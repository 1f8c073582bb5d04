// Package requesttransformer is the request-transformer plugin: it
// rewrites the request sent upstream (path, method, headers, query string
// and form, JSON or multipart body) with Kong's remove, rename, replace,
// add and append operations, in Kong's order.
//
// Values are literal: Kong's $(...) templates are not evaluated.
package requesttransformer

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "request-transformer"
	Priority = 801
)

// Plugin is the request-transformer plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: any scope.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// pairPattern is the shape of name:value entries, advertised as Kong's
// match attribute.
const pairPattern = "^[^:]+:.*$"

// array returns a required string array defaulting to [] whose elements
// are checked by check (nil for none).
func array(name string, check entity.Validator, match string) *entity.Field {
	el := &entity.Field{Type: entity.TypeString, Check: check}
	if match != "" {
		el.Extra = map[string]any{"match": match}
	}
	return &entity.Field{Name: name, Type: entity.TypeArray, Required: true, Default: []any{}, Elements: el}
}

// section returns the record of one operation with its body, headers and
// querystring arrays.
func section(name string, body, headers, query *entity.Field, extra ...*entity.Field) *entity.Field {
	body.Name, headers.Name, query.Name = "body", "headers", "querystring"
	return &entity.Field{Name: name, Type: entity.TypeRecord, Required: true,
		Fields: append([]*entity.Field{body, headers, query}, extra...)}
}

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	valued := func() *entity.Field { return array("", checkValued, "") }
	headerValued := func() *entity.Field { return array("", checkHeaderPair, pairPattern) }
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "http_method", Type: entity.TypeString, Check: checkMethod, Extra: map[string]any{"match": "^%u+$"}},
		section("remove", array("", nil, ""), array("", checkHeaderName, ""), array("", nil, "")),
		section("rename", valued(), array("", checkHeaderRename, pairPattern), valued()),
		section("replace", valued(), headerValued(), valued(), &entity.Field{Name: "uri", Type: entity.TypeString}),
		section("add", valued(), headerValued(), valued()),
		section("append", valued(), headerValued(), valued()),
	}}
}

// Operations lists the entries of one operation (remove, rename, ...).
type Operations struct {
	Body        []string `json:"body"`
	Headers     []string `json:"headers"`
	Querystring []string `json:"querystring"`
	// URI is replace.uri, the path sent upstream.
	URI *string `json:"uri,omitempty"`
}

// Config is the typed configuration of one instance.
type Config struct {
	HTTPMethod *string    `json:"http_method"`
	Remove     Operations `json:"remove"`
	Rename     Operations `json:"rename"`
	Replace    Operations `json:"replace"`
	Add        Operations `json:"add"`
	Append     Operations `json:"append"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}
