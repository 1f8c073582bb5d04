package bundled

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/filelog"
	"github.com/straitgw/strait/internal/plugins/httplog"
	"github.com/straitgw/strait/internal/plugins/prometheus"
	"github.com/straitgw/strait/internal/plugins/syslog"
	"github.com/straitgw/strait/internal/plugins/tcplog"
	"github.com/straitgw/strait/internal/plugins/udplog"
)

// logPlugins are the logging and metrics plugins.
func logPlugins() []plugin.Plugin {
	return []plugin.Plugin{
		filelog.Plugin{}, httplog.Plugin{}, tcplog.Plugin{}, udplog.Plugin{}, syslog.Plugin{},
		prometheus.Plugin{},
	}
}
