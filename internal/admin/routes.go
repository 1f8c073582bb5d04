package admin

import (
	"net/http"
)

// credentialCollections are plugin-owned collections that clients list
// even when the plugin is absent; until a schema serves one, it is empty.
var credentialCollections = []string{"key-auths", "basic-auths", "jwts", "acls", "hmac-auths", "oauth2"}

// disabledParentRoutes are /{entity}/{e}/{field} routes Kong does not
// serve ("schema.field").
var disabledParentRoutes = map[string]bool{"snis.certificate": true}

// registerRoutes builds the routing table: node endpoints, placeholders
// for absent optional collections, then the generated entity endpoints.
func (a *API) registerRoutes() {
	m := a.mux
	m.handle("/", http.MethodGet, a.info)
	m.handle("/status", http.MethodGet, a.status)
	m.handle("/endpoints", http.MethodGet, a.endpoints)
	m.handle("/schemas/{name}", http.MethodGet, a.entitySchema)
	m.handle("/schemas/{name}/validate", http.MethodPost, a.validateEntity)
	m.handle("/schemas/plugins/{name}", http.MethodGet, a.pluginSchema)
	m.handle("/schemas/plugins/validate", http.MethodPost, a.validatePlugin)
	m.handle("/plugins/enabled", http.MethodGet, a.enabledPlugins)
	m.handle("/plugins/schema/{name}", http.MethodGet, a.pluginConfigSchema)
	m.handle("/tags", http.MethodGet, a.listTags)
	m.handle("/tags/{tags}", http.MethodGet, a.listTags)
	m.handle("/config", http.MethodGet, a.config)
	m.handle("/config", http.MethodPost, a.config)

	wasmOff := fixed(message(http.StatusBadRequest, "this endpoint is only available when wasm is enabled"))
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		m.handle("/filter-chains", method, wasmOff)
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		m.handle("/filter-chains/{filter_chains}", method, wasmOff)
	}
	for _, path := range credentialCollections {
		if a.reg.ByAdminPath(path) == nil {
			m.handle("/"+path, http.MethodGet, emptyList)
		}
	}

	for _, s := range a.reg.All() {
		if s.AdminPath == "" || s.Name == "tags" {
			continue
		}
		coll := "/" + s.AdminPath
		item := coll + "/{" + s.AdminPath + "}"
		m.handle(coll, http.MethodGet, a.listEntities(s))
		m.handle(coll, http.MethodPost, a.createEntity(s))
		m.handle(item, http.MethodGet, a.getEntity(s))
		m.handle(item, http.MethodPut, a.upsertEntity(s))
		m.handle(item, http.MethodPatch, a.updateEntity(s))
		m.handle(item, http.MethodDelete, a.deleteEntity(s))

		for _, ref := range a.reg.ReferencesTo(s.Name) {
			name := ref.Schema.Nested()
			if name == "" {
				continue
			}
			n := &nested{api: a, parent: s, child: ref.Schema, fk: ref.Field.Name}
			base := item + "/" + name
			m.handle(base, http.MethodGet, n.list)
			m.handle(base, http.MethodPost, n.create)
			one := base + "/{" + name + "}"
			m.handle(one, http.MethodGet, n.get)
			m.handle(one, http.MethodPut, n.put)
			m.handle(one, http.MethodPatch, n.patch)
			m.handle(one, http.MethodDelete, n.remove)
		}

		for _, f := range s.ForeignFields() {
			parent := a.reg.Get(f.Reference)
			if parent == nil || parent.AdminPath == "" || disabledParentRoutes[s.Name+"."+f.Name] {
				continue
			}
			p := &parentOf{api: a, schema: s, field: f.Name, parent: parent}
			path := item + "/" + f.Name
			m.handle(path, http.MethodGet, p.get)
			m.handle(path, http.MethodPut, p.put)
			m.handle(path, http.MethodPatch, p.patch)
			m.handle(path, http.MethodDelete, p.remove)
		}
	}
	a.registerHealthRoutes()
}

// fixed answers every request with err.
func fixed(err error) handlerFunc {
	return func(*request) error { return err }
}

// emptyList answers an empty collection.
func emptyList(rc *request) error {
	writeJSON(rc.w, http.StatusOK, map[string]any{"data": []any{}, "next": nil})
	return nil
}

// endpoints serves GET /endpoints: every served path pattern.
func (a *API) endpoints(rc *request) error {
	writeJSON(rc.w, http.StatusOK, map[string]any{"data": a.mux.patterns()})
	return nil
}

// config serves /config: declarative configuration exists only without a
// database.
func (a *API) config(rc *request) error {
	if a.opts.Database == "off" && a.opts.DeclarativeConfig != nil {
		rc.r.Body = http.MaxBytesReader(rc.w, rc.r.Body, a.opts.MaxBodyBytes)
		a.opts.DeclarativeConfig.ServeHTTP(rc.w, rc.r)
		return nil
	}
	return message(http.StatusBadRequest, "this endpoint is only available when Kong is configured to not use a database")
}
