package snapshot

import (
	"context"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/store"
)

// Build compiles a snapshot from everything in the store, read in one
// consistent transaction: services and routes; with a plugins registry
// also consumers, credentials and plugin instances (credential entities
// whose schema reg does not hold are skipped); with a balancer manager
// also upstreams and targets, compiled into m's balancers. Nil plugins or
// a nil m leave those parts out.
func Build(ctx context.Context, st store.Store, reg *entity.Registry, plugins *plugin.Registry,
	m *balancer.Manager) (*Snapshot, error) {
	src, err := readSources(ctx, st, reg, plugins, m != nil)
	if err != nil {
		return nil, err
	}
	s, err := CompileSources(src, plugins)
	if err != nil {
		return nil, err
	}
	CompileUpstreams(s, src, m)
	return s, nil
}

// CompileUpstreams hands the upstreams and targets of src to m and sets
// s.Upstreams to the resulting balancers. Call it last, once the rest of
// the snapshot compiled: m is updated in place. A nil m leaves
// s.Upstreams nil.
func CompileUpstreams(s *Snapshot, src Sources, m *balancer.Manager) {
	if m == nil {
		return
	}
	s.Upstreams = m.Update(src.Upstreams, src.Targets)
}
