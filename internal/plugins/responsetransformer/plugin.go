// Package responsetransformer is the response-transformer plugin: it
// rewrites response headers and the members of JSON response bodies with
// Kong's remove, rename, replace, add and append operations.
package responsetransformer

import (
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "response-transformer"
	Priority = 800
)

// Plugin is the response-transformer plugin kind.
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

// jsonTypes are the accepted json_types entries.
var jsonTypes = []any{"boolean", "number", "string"}

func array(name string, check entity.Validator, match string) *entity.Field {
	el := &entity.Field{Type: entity.TypeString, Check: check}
	if match != "" {
		el.Extra = map[string]any{"match": match}
	}
	return &entity.Field{Name: name, Type: entity.TypeArray, Required: true, Default: []any{}, Elements: el}
}

func record(name string, fields ...*entity.Field) *entity.Field {
	return &entity.Field{Name: name, Type: entity.TypeRecord, Required: true, Fields: fields}
}

// valued is the record of replace, add and append.
func valued(name string) *entity.Field {
	return record(name,
		array("json", checkPair, pairPattern),
		&entity.Field{Name: "json_types", Type: entity.TypeArray, Required: true, Default: []any{},
			Elements: &entity.Field{Type: entity.TypeString, OneOf: jsonTypes}},
		array("headers", checkHeaderPair, pairPattern),
	)
}

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		record("remove", array("json", nil, ""), array("headers", nil, "")),
		record("rename", array("json", checkPair, pairPattern), array("headers", checkHeaderRename, pairPattern)),
		valued("replace"),
		valued("add"),
		valued("append"),
	}}
}

// headerName is Kong's rule for header names in transformer configs.
var headerName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// checkPair requires the name:value shape.
func checkPair(v any) string {
	s, _ := v.(string)
	if strings.IndexByte(s, ':') <= 0 {
		return "invalid value: " + s
	}
	return ""
}

// checkHeaderRename checks an old:new entry: both must be header names.
func checkHeaderRename(v any) string {
	s, _ := v.(string)
	if msg := checkPair(s); msg != "" {
		return msg
	}
	p := splitPair(s)
	for _, n := range []string{p.name, p.value} {
		if !headerName.MatchString(n) {
			return "'" + n + "' is not a valid header"
		}
	}
	return ""
}

// checkHeaderPair checks a name:value header entry. Entries holding CR
// or LF are refused: they would split the header.
func checkHeaderPair(v any) string {
	s, _ := v.(string)
	if msg := checkPair(s); msg != "" {
		return msg
	}
	if strings.ContainsAny(s, "\r\n") {
		return "header '" + splitPair(s).name + "' has a value with CR or LF characters"
	}
	return ""
}

// Operations lists the entries of one operation.
type Operations struct {
	JSON      []string `json:"json"`
	JSONTypes []string `json:"json_types"`
	Headers   []string `json:"headers"`
}

// Config is the typed configuration of one instance.
type Config struct {
	Remove  Operations `json:"remove"`
	Rename  Operations `json:"rename"`
	Replace Operations `json:"replace"`
	Add     Operations `json:"add"`
	Append  Operations `json:"append"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

// pair is one name:value entry; value is "" when the entry has none.
type pair struct {
	name, value string
}

// splitPair splits an entry like Kong's "^([^:]+):*(.-)$".
func splitPair(entry string) pair {
	name, value, _ := strings.Cut(entry, ":")
	return pair{name: name, value: strings.TrimLeft(value, ":")}
}

// NewHandler builds the handler of one instance. Without JSON operations
// it returns a handler that only filters headers, so responses keep
// streaming untouched.
func NewHandler(cfg Config) (plugin.Handler, error) {
	hf := &HeaderHandler{
		remove:  make([]string, len(cfg.Remove.Headers)),
		rename:  headerPairs(cfg.Rename.Headers),
		replace: headerPairs(cfg.Replace.Headers),
		add:     headerPairs(cfg.Add.Headers),
		append:  headerPairs(cfg.Append.Headers),
	}
	for i, n := range cfg.Remove.Headers {
		hf.remove[i] = textproto.CanonicalMIMEHeaderKey(splitPair(n).name)
	}
	for _, list := range [][]pair{hf.replace, hf.add, hf.append} {
		for _, p := range list {
			if strings.ContainsAny(p.value, "\r\n") {
				return nil, fmt.Errorf("response-transformer: header %q has a value with CR or LF characters", p.name)
			}
		}
	}
	jt := jsonOps{
		remove:  make([]string, len(cfg.Remove.JSON)),
		rename:  jsonPairs(cfg.Rename.JSON, nil),
		replace: jsonPairs(cfg.Replace.JSON, cfg.Replace.JSONTypes),
		add:     jsonPairs(cfg.Add.JSON, cfg.Add.JSONTypes),
		append:  jsonPairs(cfg.Append.JSON, cfg.Append.JSONTypes),
	}
	for i, n := range cfg.Remove.JSON {
		jt.remove[i] = splitPair(n).name
	}
	if jt.empty() {
		return hf, nil
	}
	hf.transformsJSON = true
	return &BodyHandler{HeaderHandler: hf, json: jt}, nil
}

func headerPairs(entries []string) []pair {
	out := make([]pair, len(entries))
	for i, e := range entries {
		out[i] = splitPair(e)
		out[i].name = textproto.CanonicalMIMEHeaderKey(out[i].name)
	}
	return out
}
