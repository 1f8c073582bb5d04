package bundled

import "github.com/straitgw/strait/internal/plugin"

// transformPlugins are the request and response transformation plugins.
func transformPlugins() []plugin.Plugin {
	return nil
}
