// Package filelog is the file-log plugin: it appends one JSON line per
// request (the log serializer's entry) to a file, off the request path.
package filelog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "file-log"
	Priority = 9
)

// msgInvalidFilename is Kong's message for a rejected path.
const msgInvalidFilename = "not a valid filename"

// Plugin is the file-log plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: file-log attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "path", Type: entity.TypeString, Required: true, Check: checkPath,
			Extra: map[string]any{"match": `^[^*&%%\` + "`" + `]+$`, "err": msgInvalidFilename}},
		{Name: "reopen", Type: entity.TypeBoolean, Required: true, Default: false},
		logserializer.CustomFieldsByLua(),
	}}
}

// checkPath rejects paths Kong refuses: surrounding whitespace or one of
// the characters * & % `.
func checkPath(v any) string {
	s, _ := v.(string)
	if s != strings.TrimSpace(s) || strings.ContainsAny(s, "*&%`") {
		return msgInvalidFilename
	}
	return ""
}

// Config is the typed configuration of one instance.
type Config struct {
	Path   string `json:"path"`
	Reopen bool   `json:"reopen"`
}

// New implements plugin.Plugin.
func (Plugin) New(config entity.Object) (plugin.Handler, error) {
	if err := logserializer.RejectCustomFields(config); err != nil {
		return nil, err
	}
	cfg, err := plugin.DecodeConfig[Config](config)
	if err != nil {
		return nil, err
	}
	return NewHandler(cfg)
}

// sinkOptions batch the lines of busy periods into one write.
var sinkOptions = logserializer.Options{Queue: plugin.LogQueueOptions{Size: 10000, MaxBatch: 128, FlushEvery: 20 * time.Millisecond}}

// NewHandler builds the handler of one instance. The file is opened when
// the first entry is written, so a path that cannot be opened costs
// entries (counted as failed) but never the configuration.
func NewHandler(cfg Config) (*Handler, error) {
	if msg := checkPath(cfg.Path); msg != "" || cfg.Path == "" {
		return nil, fmt.Errorf("file-log: path %q: %s", cfg.Path, msgInvalidFilename)
	}
	key := cfg.Path + "\x00" + strconv.FormatBool(cfg.Reopen)
	sink, err := logserializer.Acquire(Name, key, sinkOptions, func() (logserializer.Deliverer, error) {
		return &fileWriter{path: cfg.Path, reopen: cfg.Reopen}, nil
	})
	if err != nil {
		return nil, err
	}
	h := &Handler{sink: sink}
	logserializer.Bind(h, sink)
	return h, nil
}
