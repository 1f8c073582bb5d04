package entity

import "sync"

// ConfigAlias declares a deprecated flat field of a plugin's config that
// stands for a nested one, such as rate-limiting's redis_host for
// redis.host. On input an alias fills its nested field when the nested
// field is not given itself; on output the alias echoes the nested value,
// as Kong's shorthand fields with a declared replacement do.
//
// The plugin's config record must also declare each alias as an ordinary
// field (so stored entities validate and form input is coerced) and
// advertise it under "shorthand_fields" rather than "fields" in /schemas;
// ShorthandFieldsJSON and RecordFieldsJSON render both.
type ConfigAlias struct {
	// Name is the flat field name ("redis_host").
	Name string
	// Path is the nested field's path inside config (["redis", "host"]).
	Path []string
	// Type is the alias field's type, as advertised in /schemas.
	Type Type
	// Message is the deprecation message advertised in /schemas.
	Message string
}

// PluginCheck validates a whole plugin entity once its fields were
// checked. It returns field errors shaped like Error.Fields ("@entity"
// for entity messages), or nil. Checks registered this way run at the
// plugin entity's level, so their messages sit where Kong puts the
// entity checks of a plugin schema (top-level "@entity", or under
// "config").
type PluginCheck func(plugin Object, op Operation) map[string]any

// pluginExtensions holds what plugins registered about themselves.
var pluginExtensions struct {
	sync.RWMutex
	aliases      map[string][]ConfigAlias
	checks       map[string][]PluginCheck
	entityChecks map[string][]EntityCheck
}

// RegisterConfigAliases declares the config aliases of the plugin called
// plugin. It is meant for package initialisation of plugin packages.
func RegisterConfigAliases(plugin string, aliases ...ConfigAlias) {
	pluginExtensions.Lock()
	defer pluginExtensions.Unlock()
	if pluginExtensions.aliases == nil {
		pluginExtensions.aliases = map[string][]ConfigAlias{}
	}
	pluginExtensions.aliases[plugin] = append(pluginExtensions.aliases[plugin], aliases...)
}

// RegisterPluginChecks declares entity-level checks for the plugin called
// plugin. It is meant for package initialisation of plugin packages.
func RegisterPluginChecks(plugin string, checks ...PluginCheck) {
	pluginExtensions.Lock()
	defer pluginExtensions.Unlock()
	if pluginExtensions.checks == nil {
		pluginExtensions.checks = map[string][]PluginCheck{}
	}
	pluginExtensions.checks[plugin] = append(pluginExtensions.checks[plugin], checks...)
}

func init() {
	Plugins.Shorthands = append(Plugins.Shorthands, translateConfigAliases)
	Plugins.Checks = append(Plugins.Checks, EntityCheck{Kind: CheckCustom, Custom: finishPlugin})
}

// aliasesFor returns the aliases of plugin; for an update that does not
// name the plugin (""), every registered alias, the first registration of
// a name winning.
func aliasesFor(plugin string) []ConfigAlias {
	pluginExtensions.RLock()
	defer pluginExtensions.RUnlock()
	if plugin != "" {
		return pluginExtensions.aliases[plugin]
	}
	var all []ConfigAlias
	seen := map[string]bool{}
	for _, list := range pluginExtensions.aliases {
		for _, a := range list {
			if !seen[a.Name] {
				seen[a.Name] = true
				all = append(all, a)
			}
		}
	}
	return all
}

func checksFor(plugin string) []PluginCheck {
	pluginExtensions.RLock()
	defer pluginExtensions.RUnlock()
	return pluginExtensions.checks[plugin]
}

// translateConfigAliases moves alias values of the input config to their
// nested fields (unless those are given too) and drops the alias keys, so
// that on update the merged nested field is the authoritative one and the
// stored alias is only ever its echo.
func translateConfigAliases(in Object, _ Operation) map[string]any {
	cfg, ok := in["config"].(map[string]any)
	if !ok {
		return nil
	}
	name, _ := in["name"].(string)
	for _, a := range aliasesFor(name) {
		v, given := cfg[a.Name]
		if !given {
			continue
		}
		delete(cfg, a.Name)
		if v == nil || len(a.Path) == 0 {
			continue
		}
		parent := cfg
		for _, step := range a.Path[:len(a.Path)-1] {
			next, isMap := parent[step].(map[string]any)
			if !isMap {
				if parent[step] != nil {
					parent = nil // a malformed nested value: let validation report it
					break
				}
				next = map[string]any{}
				parent[step] = next
			}
			parent = next
		}
		last := a.Path[len(a.Path)-1]
		if parent != nil && parent[last] == nil {
			parent[last] = v
		}
	}
	return nil
}

// finishPlugin runs the plugin's registered checks and, on a valid
// config, echoes each alias from its nested field.
func finishPlugin(obj Object, op Operation) map[string]any {
	name, _ := obj["name"].(string)
	if name == "" {
		return nil
	}
	errs := map[string]any{}
	for _, check := range checksFor(name) {
		mergeErrors(errs, check(obj, op))
	}
	if cfg, ok := obj["config"].(map[string]any); ok {
		for _, a := range aliasesFor(name) {
			if _, declared := cfg[a.Name]; declared {
				cfg[a.Name] = valueAt(cfg, a.Path)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// valueAt returns the value at path inside m, or nil.
func valueAt(m map[string]any, path []string) any {
	var v any = m
	for _, step := range path {
		sub, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = sub[step]
	}
	return v
}

// RecordFieldsJSON renders fields as the "fields" attribute of a record in
// /schemas; a config record that declares alias fields sets it through
// Extra["fields"] to list only its real fields.
func RecordFieldsJSON(fields []*Field) []any { return fieldsJSON(fields) }

// ShorthandFieldsJSON renders aliases as Kong's "shorthand_fields" record
// attribute, which decK and go-kong read to relate each deprecated field
// to its replacement.
func ShorthandFieldsJSON(aliases []ConfigAlias) []any {
	out := make([]any, 0, len(aliases))
	for _, a := range aliases {
		path := make([]any, len(a.Path))
		for i, p := range a.Path {
			path[i] = p
		}
		out = append(out, map[string]any{a.Name: map[string]any{
			"type": string(a.Type),
			"deprecation": map[string]any{
				"message":            a.Message,
				"removal_in_version": "4.0",
				"replaced_with":      []any{map[string]any{"path": path}},
			},
		}})
	}
	return out
}
