package bundled

import "github.com/straitgw/strait/internal/plugin"

// trafficPlugins are the traffic-control plugins (rate limiting, size limits, IP restriction).
func trafficPlugins() []plugin.Plugin {
	return nil
}
