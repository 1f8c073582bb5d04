package snapshot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/store"
)

// Sources are the stored entities a snapshot is compiled from.
type Sources struct {
	// Services, Routes and Consumers are the JSON texts of those
	// entities. The snapshot keeps each text as the entity JSON plugins
	// log and reads the fields it compiles from it, so the large entity
	// types are never decoded into entity.Objects.
	Services, Routes, Consumers []string
	// Stored says the texts are the store's own (read through a
	// store.BodyScanner) rather than encodings of objects it returned:
	// a stored text with a number literal too long to survive a float64
	// is then re-encoded for plugins, as the Admin API shows it.
	Stored bool
	// Plugins are plugin entities; the Credentials feed the
	// authentication plugins.
	Plugins   []entity.Object
	KeyAuth   []entity.Object
	BasicAuth []entity.Object
	JWT       []entity.Object
	HMACAuth  []entity.Object
	ACLs      []entity.Object
	// Upstreams and Targets feed the balancers (see CompileUpstreams).
	Upstreams []entity.Object
	Targets   []entity.Object
}

// sourceEntity is one entity type a snapshot reads: into texts or into
// objects (in ascending id order, as store.Reader.All lists them).
type sourceEntity struct {
	schema  string
	texts   *[]string
	objects *[]entity.Object
}

// entities lists the entity types a snapshot needs: plugins, consumers
// and credentials only with withPlugins, upstreams and targets only with
// withUpstreams.
func (src *Sources) entities(withPlugins, withUpstreams bool) []sourceEntity {
	list := []sourceEntity{
		{schema: "services", texts: &src.Services},
		{schema: "routes", texts: &src.Routes},
	}
	if withPlugins {
		list = append(list,
			sourceEntity{schema: "consumers", texts: &src.Consumers},
			sourceEntity{schema: "plugins", objects: &src.Plugins},
			sourceEntity{schema: "keyauth_credentials", objects: &src.KeyAuth},
			sourceEntity{schema: "basicauth_credentials", objects: &src.BasicAuth},
			sourceEntity{schema: "jwt_secrets", objects: &src.JWT},
			sourceEntity{schema: "hmacauth_credentials", objects: &src.HMACAuth},
			sourceEntity{schema: "acls", objects: &src.ACLs},
		)
	}
	if withUpstreams {
		list = append(list,
			sourceEntity{schema: "upstreams", objects: &src.Upstreams},
			sourceEntity{schema: "targets", objects: &src.Targets},
		)
	}
	return list
}

// readSources reads the entities a snapshot needs in one transaction;
// upstreams and targets only when withUpstreams is set. Entity types reg
// does not hold are skipped.
func readSources(ctx context.Context, st store.Store, reg *entity.Registry, plugins *plugin.Registry, withUpstreams bool) (Sources, error) {
	var src Sources
	var wanted []sourceEntity
	for _, e := range src.entities(plugins != nil, withUpstreams) {
		if reg.Get(e.schema) != nil {
			wanted = append(wanted, e)
		}
	}
	err := st.View(ctx, func(r store.Reader) error {
		if scanner, ok := r.(store.BodyScanner); ok {
			src.Stored = true
			return scanSources(ctx, scanner, wanted)
		}
		return readAllSources(ctx, r, reg, wanted)
	})
	return src, err
}

// scanSources reads wanted in one pass over the stored texts: texts are
// kept as they are, objects decoded and put in id order.
func scanSources(ctx context.Context, scanner store.BodyScanner, wanted []sourceEntity) error {
	type row struct {
		id  string
		obj entity.Object
	}
	byName := make(map[string]int, len(wanted))
	names := make([]string, len(wanted))
	rows := make([][]row, len(wanted))
	for i, e := range wanted {
		byName[e.schema] = i
		names[i] = e.schema
	}
	err := scanner.ScanBodies(ctx, names, func(name, body string) error {
		i, ok := byName[name]
		if !ok {
			return nil
		}
		e := wanted[i]
		if e.texts != nil {
			*e.texts = append(*e.texts, body)
			return nil
		}
		var obj entity.Object
		if err := json.Unmarshal([]byte(body), &obj); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
		rows[i] = append(rows[i], row{str(obj["id"]), obj})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the configuration: %w", err)
	}
	for i, e := range wanted {
		if e.objects == nil || len(rows[i]) == 0 {
			continue
		}
		slices.SortFunc(rows[i], func(a, b row) int { return cmp.Compare(a.id, b.id) })
		objs := make([]entity.Object, len(rows[i]))
		for j, r := range rows[i] {
			objs[j] = r.obj
		}
		*e.objects = objs
	}
	return nil
}

// readAllSources reads wanted type by type, encoding the objects of the
// text types.
func readAllSources(ctx context.Context, r store.Reader, reg *entity.Registry, wanted []sourceEntity) error {
	for _, e := range wanted {
		objs, err := r.All(ctx, reg.Get(e.schema))
		if err != nil {
			return fmt.Errorf("reading %s: %w", e.schema, err)
		}
		if e.objects != nil {
			*e.objects = objs
			continue
		}
		texts := make([]string, len(objs))
		for i, o := range objs {
			raw, err := json.Marshal(o)
			if err != nil {
				return fmt.Errorf("encoding %s %v: %w", e.schema, o["id"], err)
			}
			texts[i] = string(raw)
		}
		*e.texts = texts
	}
	return nil
}

// CompileSources builds a snapshot from stored entities. Plugin instances
// are compiled against plugins (nil: plugins are left out); every route
// gets its plugin chain.
func CompileSources(src Sources, plugins *plugin.Registry) (*Snapshot, error) {
	s := &Snapshot{BuiltAt: time.Now()}
	if err := s.compileServicesAndRoutes(&src, newLists()); err != nil {
		return nil, err
	}
	consumers := make([]plugin.Consumer, len(src.Consumers))
	compiled := make([]*plugin.Consumer, len(src.Consumers))
	for i, body := range src.Consumers {
		if err := compileConsumer(body, src.Stored, &consumers[i]); err != nil {
			return nil, err
		}
		compiled[i] = &consumers[i]
	}
	dir, err := authn.NewDirectory(authn.Sources{
		CompiledConsumers: compiled, KeyAuthCredentials: src.KeyAuth, BasicAuthCredentials: src.BasicAuth,
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
	// Chains are read-only: the routes no plugin applies to share one
	// empty chain (all routes when no plugin is configured).
	var noPlugins *plugin.Chain
	if !s.HasPlugins {
		noPlugins = s.Plugins.Chain("", "")
	}
	for _, rt := range s.Routes {
		if !s.HasPlugins {
			rt.Plugins = noPlugins
			continue
		}
		serviceID := ""
		if rt.Service != nil {
			serviceID = rt.Service.ID
		}
		rt.Plugins = s.Plugins.Chain(rt.ID, serviceID)
		if rt.Plugins.Len() == 0 {
			if noPlugins == nil {
				noPlugins = rt.Plugins
			}
			rt.Plugins = noPlugins
		}
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
