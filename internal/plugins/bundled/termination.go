package bundled

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/termination"
)

// terminationPlugins are the plugins that answer requests themselves.
func terminationPlugins() []plugin.Plugin {
	return []plugin.Plugin{termination.Plugin{}}
}
