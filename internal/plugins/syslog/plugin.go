// Package syslog is the syslog plugin: it sends the log serializer's
// entry of each request to the local syslog daemon (the /dev/log socket,
// or the path set with SetSocketPath), with a severity chosen by the
// response status and a configurable facility, off the request path.
package syslog

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
	"github.com/straitgw/strait/internal/version"
)

// Name and Priority are the plugin's name and Kong priority.
const (
	Name     = "syslog"
	Priority = 4
)

// severities are syslog's levels, most severe first: the index is the
// level's numeric value.
var severities = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// facilities maps facility names to their numeric codes.
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// facilityNames lists the facilities in the order Kong's schema does.
var facilityNames = []any{"auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news",
	"syslog", "user", "uucp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

// Plugin is the syslog plugin kind.
type Plugin struct{}

var _ plugin.Plugin = Plugin{}

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Priority implements plugin.Plugin.
func (Plugin) Priority() int { return Priority }

// Version implements plugin.Plugin.
func (Plugin) Version() string { return version.Kong }

// Scope implements plugin.Plugin: syslog attaches anywhere.
func (Plugin) Scope() plugin.Scope { return 0 }

// Protocols implements plugin.Plugin.
func (Plugin) Protocols() []string { return plugin.DefaultProtocols }

func severityField(name string) *entity.Field {
	oneOf := []any{"debug", "info", "notice", "warning", "err", "crit", "alert", "emerg"}
	return &entity.Field{Name: name, Type: entity.TypeString, Required: true, Default: "info", OneOf: oneOf}
}

// ConfigSchema implements plugin.Plugin.
func (Plugin) ConfigSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		severityField("log_level"),
		severityField("successful_severity"),
		severityField("client_errors_severity"),
		severityField("server_errors_severity"),
		logserializer.CustomFieldsByLua(),
		{Name: "facility", Type: entity.TypeString, Required: true, Default: "user", OneOf: facilityNames},
	}}
}

// Config is the typed configuration of one instance.
type Config struct {
	LogLevel             string `json:"log_level"`
	SuccessfulSeverity   string `json:"successful_severity"`
	ClientErrorsSeverity string `json:"client_errors_severity"`
	ServerErrorsSeverity string `json:"server_errors_severity"`
	Facility             string `json:"facility"`
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

func severityOf(name string) (int, error) {
	for i, s := range severities {
		if s == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("syslog: unknown severity %q", name)
}
