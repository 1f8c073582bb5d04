package bundled

import "github.com/straitgw/strait/internal/plugin"

// terminationPlugins are the plugins that answer requests themselves.
func terminationPlugins() []plugin.Plugin {
	return nil
}
