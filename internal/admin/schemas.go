package admin

import (
	"net/http"

	"github.com/straitgw/strait/internal/entity"
)

var validationOK = map[string]string{"message": "schema validation successful"}

// entitySchema serves GET /schemas/{name} (DAO names, not admin paths).
func (a *API) entitySchema(rc *request) error {
	s, err := a.schemaNamed(rc.params[0])
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, s.JSON())
	return nil
}

// validateEntity serves POST /schemas/{name}/validate: schema validation
// only, without uniqueness or foreign-key checks.
func (a *API) validateEntity(rc *request) error {
	s, err := a.schemaNamed(rc.params[0])
	if err != nil {
		return err
	}
	return a.validate(rc, s)
}

func (a *API) schemaNamed(name string) (*entity.Schema, error) {
	s := a.reg.Get(name)
	if s == nil {
		return nil, message(http.StatusNotFound, "No entity named '"+name+"'")
	}
	return s, nil
}

func (a *API) validate(rc *request, s *entity.Schema) error {
	b, err := rc.readBody()
	if err != nil {
		return err
	}
	in := coerce(s, b, nil)
	if name, ok := in["name"].(string); ok && s.Name == "plugins" {
		if _, known := a.opts.Plugins[name]; !known {
			return noPlugin(name)
		}
	}
	stripForeign(s, in)
	if perr := s.Validate(in); perr != nil {
		return perr
	}
	writeJSON(rc.w, http.StatusOK, validationOK)
	return nil
}

func noPlugin(name string) error {
	return message(http.StatusNotFound, "No plugin named '"+name+"'")
}

// pluginSchemaDoc returns the /schemas/plugins/{name} document.
func (a *API) pluginSchemaDoc(name string) (map[string]any, error) {
	if _, ok := a.opts.Plugins[name]; !ok {
		return nil, noPlugin(name)
	}
	if a.opts.PluginSchema != nil {
		if doc, ok := a.opts.PluginSchema(name); ok {
			return doc, nil
		}
	}
	s := a.reg.Get("plugins")
	if s == nil {
		return nil, noPlugin(name)
	}
	if doc, ok := s.PluginJSON(name); ok {
		return doc, nil
	}
	return s.JSON(), nil
}

// pluginSchema serves GET /schemas/plugins/{name}.
func (a *API) pluginSchema(rc *request) error {
	doc, err := a.pluginSchemaDoc(rc.params[0])
	if err != nil {
		return err
	}
	writeJSON(rc.w, http.StatusOK, doc)
	return nil
}

// pluginConfigSchema serves the deprecated GET /plugins/schema/{name}: only
// the config record of the plugin's schema.
func (a *API) pluginConfigSchema(rc *request) error {
	doc, err := a.pluginSchemaDoc(rc.params[0])
	if err != nil {
		return err
	}
	if cfg, ok := configField(doc["fields"]); ok {
		writeJSON(rc.w, http.StatusOK, cfg)
		return nil
	}
	return noPlugin(rc.params[0])
}

// validatePlugin serves POST /schemas/plugins/validate.
func (a *API) validatePlugin(rc *request) error {
	s := a.reg.Get("plugins")
	if s == nil {
		return errNotFound
	}
	return a.validate(rc, s)
}

// configField finds the "config" entry of a schema document's field list.
func configField(fields any) (any, bool) {
	var list []map[string]any
	switch t := fields.(type) {
	case []map[string]any:
		list = t
	case []any:
		for _, f := range t {
			if m, ok := f.(map[string]any); ok {
				list = append(list, m)
			}
		}
	}
	for _, m := range list {
		if cfg, ok := m["config"]; ok {
			return cfg, true
		}
	}
	return nil, false
}
