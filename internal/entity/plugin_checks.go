package entity

// RegisterPluginEntityChecks declares the entity checks of the plugin
// called plugin, as a Kong plugin schema declares its entity_checks: their
// Fields are dotted paths from the plugin entity ("config.allow"), they
// run against the whole plugin entity after its fields were validated,
// their entity messages land in the top-level "@entity" list and field
// messages at their nested path ("config" → "claims_to_verify"), and GET
// /schemas/plugins/{name} advertises them under entity_checks (each
// check's JSON, or {kind: fields} when JSON is nil). It is meant for
// package initialisation of plugin packages.
func RegisterPluginEntityChecks(plugin string, checks ...EntityCheck) {
	pluginExtensions.Lock()
	defer pluginExtensions.Unlock()
	if pluginExtensions.entityChecks == nil {
		pluginExtensions.entityChecks = map[string][]EntityCheck{}
	}
	pluginExtensions.entityChecks[plugin] = append(pluginExtensions.entityChecks[plugin], checks...)
}

// pluginEntityChecks returns the entity checks registered for plugin.
func pluginEntityChecks(plugin string) []EntityCheck {
	pluginExtensions.RLock()
	defer pluginExtensions.RUnlock()
	return pluginExtensions.entityChecks[plugin]
}
