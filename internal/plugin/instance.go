package plugin

import (
	"log/slog"

	"github.com/straitgw/strait/internal/entity"
)

// Build is what an InstanceFactory receives when one plugin instance is
// compiled: the instance's identity and scope, its config with every
// schema default filled, and the node's logger.
type Build struct {
	// Instance is the plugin entity being built: its id and the route,
	// service and consumer it is scoped to ("" when unset).
	Instance Instance
	// Config is the instance's config with every schema default filled.
	Config entity.Object
	// Logger is the node's logger; never nil.
	Logger *slog.Logger
}

// InstanceFactory is implemented by plugins whose handlers depend on the
// instance they serve rather than on the request alone, such as counters
// keyed by the instance's own scope, or that report through the node's
// logger. When a plugin implements it, Compile builds its handlers with
// NewInstance instead of Plugin.New.
type InstanceFactory interface {
	NewInstance(b Build) (Handler, error)
}
