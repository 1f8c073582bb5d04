package snapshot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/store"
)

// Sources are the stored entities a snapshot is compiled from.
type Sources struct {
	Services, Routes []entity.Object
	// Plugins are plugin entities; the Credentials and Consumers feed the
	// authentication plugins.
	Plugins   []entity.Object
	Consumers []entity.Object
	KeyAuth   []entity.Object
	BasicAuth []entity.Object
	JWT       []entity.Object
	HMACAuth  []entity.Object
	ACLs      []entity.Object
	// Upstreams and Targets feed the balancers (see CompileUpstreams).
	Upstreams []entity.Object
	Targets   []entity.Object
}

// readSources reads the entities a snapshot needs in one transaction;
// upstreams and targets only when withUpstreams is set.
func readSources(ctx context.Context, st store.Store, reg *entity.Registry, plugins *plugin.Registry, withUpstreams bool) (Sources, error) {
	var src Sources
	read := []struct {
		schema string
		into   *[]entity.Object
		needed bool
	}{
		{"services", &src.Services, true},
		{"routes", &src.Routes, true},
		{"consumers", &src.Consumers, plugins != nil},
		{"plugins", &src.Plugins, plugins != nil},
		{"keyauth_credentials", &src.KeyAuth, plugins != nil},
		{"basicauth_credentials", &src.BasicAuth, plugins != nil},
		{"jwt_secrets", &src.JWT, plugins != nil},
		{"hmacauth_credentials", &src.HMACAuth, plugins != nil},
		{"acls", &src.ACLs, plugins != nil},
		{"upstreams", &src.Upstreams, withUpstreams},
		{"targets", &src.Targets, withUpstreams},
	}
	err := st.View(ctx, func(r store.Reader) error {
		for _, e := range read {
			s := reg.Get(e.schema)
			if !e.needed || s == nil {
				continue
			}
			objs, err := r.All(ctx, s)
			if err != nil {
				return fmt.Errorf("reading %s: %w", e.schema, err)
			}
			*e.into = objs
		}
		return nil
	})
	return src, err
}

// CompileSources builds a snapshot from stored entities. Plugin instances
// are compiled against plugins (nil: plugins are left out); every route
// gets its plugin chain.
func CompileSources(src Sources, plugins *plugin.Registry) (*Snapshot, error) {
	s, err := Compile(src.Services, src.Routes)
	if err != nil {
		return nil, err
	}
	dir, err := authn.NewDirectory(authn.Sources{
		Consumers: src.Consumers, KeyAuthCredentials: src.KeyAuth, BasicAuthCredentials: src.BasicAuth,
		JWTSecrets: src.JWT, HMACAuthCredentials: src.HMACAuth, ACLs: src.ACLs,
	})
	if err != nil {
		return nil, fmt.Errorf("compiling credentials: %w", err)
	}
	s.Directory = dir
	if plugins != nil {
		instances := make([]plugin.Instance, 0, len(src.Plugins))
		for _, o := range src.Plugins {
			instances = append(instances, pluginInstance(o))
		}
		set, err := plugin.Compile(plugins, instances)
		if err != nil {
			return nil, err
		}
		s.Plugins = set
		s.HasPlugins = len(set.Names()) > 0
	}
	for _, rt := range s.Routes {
		serviceID := ""
		if rt.Service != nil {
			serviceID = rt.Service.ID
		}
		rt.Plugins = s.Plugins.Chain(rt.ID, serviceID)
	}
	if err := attachInfo(s, src); err != nil {
		return nil, err
	}
	return s, nil
}

// pluginInstance converts a stored plugin entity.
func pluginInstance(o entity.Object) plugin.Instance {
	inst := plugin.Instance{
		ID:         str(o["id"]),
		Name:       str(o["name"]),
		RouteID:    refID(o["route"]),
		ServiceID:  refID(o["service"]),
		ConsumerID: refID(o["consumer"]),
		Enabled:    o["enabled"] != false,
	}
	if _, ok := o["protocols"].([]any); ok {
		inst.Protocols = strs(o["protocols"])
	}
	inst.Config, _ = o["config"].(map[string]any)
	return inst
}

func refID(v any) string {
	ref, _ := v.(map[string]any)
	return str(ref["id"])
}

// attachInfo gives routes and services the read-only views plugins see,
// with the entity JSON the Admin API returns.
func attachInfo(s *Snapshot, src Sources) error {
	for _, o := range src.Services {
		svc := s.Services[str(o["id"])]
		if svc == nil {
			continue
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("encoding service %s: %w", svc.ID, err)
		}
		svc.Info = &plugin.ServiceInfo{ID: svc.ID, Name: svc.Name, Protocol: svc.Protocol, Host: svc.Host,
			Port: svc.Port, Path: svc.Path, Tags: strs(o["tags"]), JSON: raw}
	}
	for _, o := range src.Routes {
		rt := s.Routes[str(o["id"])]
		if rt == nil {
			continue
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("encoding route %s: %w", rt.ID, err)
		}
		rt.Info = &plugin.RouteInfo{ID: rt.ID, Name: rt.Name, Protocols: rt.Protocols, Tags: strs(o["tags"]), JSON: raw}
	}
	return nil
}
