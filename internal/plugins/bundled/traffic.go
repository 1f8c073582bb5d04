package bundled

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/iprestriction"
	"github.com/straitgw/strait/internal/plugins/ratelimiting"
	"github.com/straitgw/strait/internal/plugins/sizelimit"
)

// trafficPlugins are the traffic-control plugins (rate limiting, size limits, IP restriction).
func trafficPlugins() []plugin.Plugin {
	return []plugin.Plugin{ratelimiting.Plugin{}, sizelimit.Plugin{}, iprestriction.Plugin{}}
}
