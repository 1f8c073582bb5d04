package bundled

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/correlationid"
	"github.com/straitgw/strait/internal/plugins/cors"
	"github.com/straitgw/strait/internal/plugins/requesttransformer"
	"github.com/straitgw/strait/internal/plugins/responsetransformer"
)

// transformPlugins are the request and response transformation plugins.
func transformPlugins() []plugin.Plugin {
	return []plugin.Plugin{
		correlationid.Plugin{},
		cors.Plugin{},
		requesttransformer.Plugin{},
		responsetransformer.Plugin{},
	}
}
