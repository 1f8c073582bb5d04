// Package bundled assembles the plugins shipped with the gateway: their
// registry, the entity schemas they own (credentials), and the hooks that
// let the plugins schema and the Admin API describe them.
package bundled

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

// Plugins returns the bundled plugins, gathered from one list per family
// (each family's list lives in its own file of this package).
func Plugins() []plugin.Plugin {
	var all []plugin.Plugin
	for _, family := range [][]plugin.Plugin{authPlugins(), terminationPlugins(), trafficPlugins(), transformPlugins(), logPlugins()} {
		all = append(all, family...)
	}
	return all
}

// Registry returns a registry holding the bundled plugins.
func Registry() (*plugin.Registry, error) {
	r, err := plugin.NewRegistry(Plugins()...)
	if err != nil {
		return nil, fmt.Errorf("bundled plugins: %w", err)
	}
	return r, nil
}

// Entities returns the entity schemas the bundled plugins own.
func Entities() []*entity.Schema {
	return authEntities()
}

// Install makes reg describe the plugins of plugins: the plugins schema
// is replaced by a copy that validates each plugin's config with its own
// schema and scoping rules, and the plugins' entity schemas are added.
// Call it before reg is shared (before the store opens and the Admin API
// serves).
func Install(reg *entity.Registry, plugins *plugin.Registry) {
	reg.Add(entity.PluginsWith(SchemaHook(plugins)))
	for _, s := range Entities() {
		reg.Add(s)
	}
}

// SchemaHook returns the entity.Schema.Plugin hook describing the plugins
// of plugins.
func SchemaHook(plugins *plugin.Registry) func(name string) (entity.PluginDef, bool) {
	return func(name string) (entity.PluginDef, bool) {
		p, ok := plugins.Lookup(name)
		if !ok {
			return entity.PluginDef{}, false
		}
		return Def(p), true
	}
}

// Def describes p for the plugins schema.
func Def(p plugin.Plugin) entity.PluginDef {
	scope := p.Scope()
	def := entity.PluginDef{
		Config:     p.ConfigSchema(),
		NoConsumer: scope.Has(plugin.NoConsumer),
		NoRoute:    scope.Has(plugin.NoRoute),
		NoService:  scope.Has(plugin.NoService),
	}
	if protos := p.Protocols(); protos != nil {
		def.Protocols = make([]any, len(protos))
		for i, s := range protos {
			def.Protocols[i] = s
		}
	}
	return def
}

// Priorities maps each plugin of plugins to its priority, as the Admin
// API reports them under plugins.available_on_server.
func Priorities(plugins *plugin.Registry) map[string]int {
	all := plugins.All()
	out := make(map[string]int, len(all))
	for _, p := range all {
		out[p.Name()] = p.Priority()
	}
	return out
}
