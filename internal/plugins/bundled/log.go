package bundled

import "github.com/straitgw/strait/internal/plugin"

// logPlugins are the logging and metrics plugins.
func logPlugins() []plugin.Plugin {
	return nil
}
