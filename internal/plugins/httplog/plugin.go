// Package httplog is the http-log plugin: it sends the log serializer's
// entries to an HTTP endpoint in batches, off the request path, retrying
// failed deliveries with a backoff and dropping (and counting) entries
// when its bounded queue is full.
package httplog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "http-log"
	Priority = 12
)

// Validation messages, as Kong words them.
const (
	msgAuthTwice   = "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed"
	msgMissingHost = "missing host in url"
	msgMissingScm  = "missing scheme in url"
	msgBadScheme   = "scheme must be http or https"
)

// Plugin is the http-log plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: http-log attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "http_endpoint", Type: entity.TypeString, Required: true, Check: checkEndpoint,
			Extra: map[string]any{"encrypted": true, "referenceable": true}},
		{Name: "method", Type: entity.TypeString, Default: "POST", OneOf: []any{"POST", "PUT", "PATCH"}},
		{Name: "content_type", Type: entity.TypeString, Default: "application/json",
			OneOf: []any{"application/json", "application/json; charset=utf-8"}},
		logserializer.MillisField("timeout", 10000),
		logserializer.MillisField("keepalive", 60000),
		{Name: "retry_count", Type: entity.TypeInteger, Deprecated: true},
		{Name: "queue_size", Type: entity.TypeInteger, Deprecated: true},
		{Name: "flush_timeout", Type: entity.TypeNumber, Deprecated: true},
		{Name: "headers", Type: entity.TypeMap, Check: checkHeaders,
			Keys:   entity.HeaderNameField(""),
			Values: &entity.Field{Type: entity.TypeString, Extra: map[string]any{"referenceable": true}}},
		logserializer.QueueField(),
		logserializer.CustomFieldsByLua(),
	}, Checks: []entity.EntityCheck{{
		Kind:   entity.CheckCustom,
		Fields: []string{"http_endpoint", "headers"},
		JSON:   map[string]any{entity.CheckCustom: map[string]any{"field_sources": []any{"http_endpoint", "headers"}}},
		Custom: func(obj entity.Object, _ entity.Operation) map[string]any {
			endpoint, _ := obj["http_endpoint"].(string)
			headers, _ := obj["headers"].(map[string]any)
			if authTwice(endpoint, headers) {
				return map[string]any{"@entity": []any{msgAuthTwice}}
			}
			return nil
		},
	}}}
}

// checkEndpoint validates http_endpoint like Kong's url typedef, and
// requires a scheme this plugin can speak.
func checkEndpoint(v any) string {
	s, _ := v.(string)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "could not parse url. " + err.Error()
	case u.Scheme == "":
		return msgMissingScm
	case u.Host == "":
		return msgMissingHost
	case u.Scheme != "http" && u.Scheme != "https":
		return msgBadScheme
	}
	return ""
}

// checkHeaders refuses the headers the plugin sets itself.
func checkHeaders(v any) string {
	m, _ := v.(map[string]any)
	for name := range m {
		switch strings.ToLower(name) {
		case "host":
			return "cannot contain 'Host' header"
		case "content-length":
			return "cannot contain 'Content-Length' header"
		case "content-type":
			return "cannot contain 'Content-Type' header"
		}
	}
	return ""
}

// authTwice reports whether both the endpoint's user info and an
// Authorization header are given.
func authTwice(endpoint string, headers map[string]any) bool {
	u, err := url.Parse(endpoint)
	if err != nil || u.User == nil {
		return false
	}
	for name := range headers {
		if strings.EqualFold(name, "authorization") {
			return true
		}
	}
	return false
}

// Config is the typed configuration of one instance.
type Config struct {
	HTTPEndpoint string                    `json:"http_endpoint"`
	Method       string                    `json:"method"`
	ContentType  string                    `json:"content_type"`
	Timeout      float64                   `json:"timeout"`
	Keepalive    float64                   `json:"keepalive"`
	RetryCount   *int                      `json:"retry_count"`
	QueueSize    *int                      `json:"queue_size"`
	FlushTimeout *float64                  `json:"flush_timeout"`
	Headers      map[string]string         `json:"headers"`
	Queue        logserializer.QueueConfig `json:"queue"`
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

// NewHandler builds the handler of one instance. Instances with the same
// configuration share one queue and one connection pool, across
// configuration changes.
func NewHandler(cfg Config) (*Handler, error) {
	if msg := checkEndpoint(cfg.HTTPEndpoint); msg != "" {
		return nil, fmt.Errorf("http-log: http_endpoint: %s", msg)
	}
	applyDeprecated(&cfg)
	if cfg.Method == "" {
		cfg.Method = "POST"
	}
	if cfg.ContentType == "" {
		cfg.ContentType = "application/json"
	}
	key, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("http-log: %w", err)
	}
	sink, err := logserializer.Acquire(Name, string(key), cfg.Queue.Options(), func() (logserializer.Deliverer, error) {
		return newSender(cfg)
	})
	if err != nil {
		return nil, err
	}
	h := &Handler{sink: sink}
	logserializer.Bind(h, sink)
	return h, nil
}

// applyDeprecated maps the fields Kong deprecated onto the queue record,
// as Kong does: queue_size sets max_batch_size and flush_timeout sets
// max_coalescing_delay when those are at their defaults; retry_count is
// ignored (the queue's retry times govern retries).
func applyDeprecated(cfg *Config) {
	if cfg.QueueSize != nil && *cfg.QueueSize > 0 && cfg.Queue.MaxBatchSize <= 1 {
		cfg.Queue.MaxBatchSize = *cfg.QueueSize
	}
	if cfg.FlushTimeout != nil && cfg.Queue.MaxCoalescingDelay == 1 {
		cfg.Queue.MaxCoalescingDelay = *cfg.FlushTimeout
	}
	cfg.RetryCount, cfg.QueueSize, cfg.FlushTimeout = nil, nil, nil
}
