package entity

// defaultPluginProtocols is the protocols default of plugins.
var defaultPluginProtocols = []any{"grpc", "grpcs", "http", "https"}

// Plugins is the schema of plugin instances. Its config record is
// abstract: set Plugins.Plugin to supply each plugin's config schema.
var Plugins = &Schema{
	Name:           "plugins",
	AdminPath:      "plugins",
	PrimaryKey:     "id",
	EndpointKey:    "instance_name",
	UniqueTogether: [][]string{{"name", "route", "service", "consumer"}},
	Fields: []*Field{
		idField(),
		{Name: "name", Type: TypeString, Required: true},
		utf8NameField("instance_name"),
		timestampField("created_at"),
		timestampField("updated_at"),
		foreignField("route", "routes", Cascade, false),
		foreignField("service", "services", Cascade, false),
		foreignField("consumer", "consumers", Cascade, false),
		{Name: "config", Type: TypeRecord, Required: true, Abstract: true},
		{Name: "protocols", Type: TypeSet, Required: true, Default: defaultPluginProtocols, Elements: protocolElement()},
		{Name: "enabled", Type: TypeBoolean, Required: true, Default: true},
		tagsField(),
	},
}

// pluginName is the name of the plugin being written: from the body, or
// for an update without one, from the stored entity.
func pluginName(in, existing Object, op Operation) string {
	if name, ok := in["name"].(string); ok {
		return name
	}
	if _, given := in["name"]; !given && op == OpUpdate && existing != nil {
		name, _ := existing["name"].(string)
		return name
	}
	return ""
}

// pluginFields returns the fields to validate a plugin called name with:
// the schema's fields with the plugin's config record and protocols
// default. An unknown name is reported on errs.
func (s *Schema) pluginFields(name string, errs map[string]any) ([]*Field, *PluginDef) {
	if name == "" {
		return s.Fields, nil
	}
	def, ok := s.Plugin(name)
	if !ok {
		errs["name"] = "plugin '" + name + "' not enabled; add it to the 'plugins' configuration property"
		return s.Fields, nil
	}
	fields := make([]*Field, len(s.Fields))
	for i, f := range s.Fields {
		switch {
		case f.Name == "config" && def.Config != nil:
			c := *def.Config
			c.Name, c.Type, c.Required = "config", TypeRecord, true
			fields[i] = &c
		case f.Name == "protocols" && def.Protocols != nil:
			c := *f
			c.Default = def.Protocols
			fields[i] = &c
		default:
			fields[i] = f
		}
	}
	return fields, &def
}

// checkPluginScope rejects scopes the plugin does not support.
func checkPluginScope(def PluginDef, obj Object, errs map[string]any) {
	forbidden := map[string]bool{"consumer": def.NoConsumer, "route": def.NoRoute, "service": def.NoService}
	for field, no := range forbidden {
		if _, failed := errs[field]; no && !failed && obj[field] != nil {
			errs[field] = "value must be null"
		}
	}
}

// PluginJSON renders GET /schemas/plugins/{name}: the plugin's view of
// the plugins schema (consumer, protocols and config). ok is false when
// the schema has no plugin hook or the plugin is unknown.
func (s *Schema) PluginJSON(name string) (map[string]any, bool) {
	if s.Plugin == nil {
		return nil, false
	}
	def, ok := s.Plugin(name)
	if !ok {
		return nil, false
	}
	fields, _ := s.pluginFields(name, map[string]any{})
	var out []any
	for _, name := range []string{"consumer", "protocols", "config"} {
		f := findField(fields, name)
		attrs := fieldJSON(f)
		if name == "consumer" && def.NoConsumer {
			attrs["eq"] = nil
		}
		out = append(out, map[string]any{name: attrs})
	}
	return map[string]any{"fields": out, "entity_checks": checksJSON(pluginEntityChecks(name))}, true
}
