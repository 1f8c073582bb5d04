package snapshot

import (
	"context"
	"log/slog"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/store"
)

// Watcher keeps a Holder up to date with the store: every committed change
// triggers a rebuild. Bursts of changes coalesce into one rebuild, and a
// failed rebuild keeps the previous snapshot serving.
type Watcher struct {
	store  store.Store
	reg    *entity.Registry
	holder *Holder
	log    *slog.Logger
	dirty  chan struct{}
	// plugins is the registry plugin instances compile against; nil
	// leaves plugins out of the snapshots.
	plugins *plugin.Registry
	// balancers compiles upstreams and targets; nil leaves them out.
	balancers *balancer.Manager
}

// NewWatcher returns a watcher publishing into holder.
func NewWatcher(st store.Store, reg *entity.Registry, holder *Holder, log *slog.Logger) *Watcher {
	return &Watcher{store: st, reg: reg, holder: holder, log: log, dirty: make(chan struct{}, 1)}
}

// WithPlugins makes the watcher compile consumers, credentials and plugin
// instances against plugins. Call it before Start.
func (w *Watcher) WithPlugins(plugins *plugin.Registry) *Watcher {
	w.plugins = plugins
	return w
}

// WithBalancers makes the watcher compile upstreams and targets into the
// balancers of m, which outlives the snapshots (it keeps health state and
// runs the probes). Call it before Start.
func (w *Watcher) WithBalancers(m *balancer.Manager) *Watcher {
	w.balancers = m
	return w
}

// Start builds the first snapshot synchronously, then rebuilds in the
// background on every change until ctx ends.
func (w *Watcher) Start(ctx context.Context) error {
	unsubscribe := w.store.Subscribe(func([]store.Event) { w.markDirty() })
	if err := w.rebuild(ctx); err != nil {
		unsubscribe()
		return err
	}
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.dirty:
				if err := w.rebuild(ctx); err != nil && ctx.Err() == nil {
					w.log.Error("configuration rebuild failed; previous configuration keeps serving", "error", err)
				}
			}
		}
	}()
	return nil
}

func (w *Watcher) markDirty() {
	select {
	case w.dirty <- struct{}{}:
	default: // a rebuild is already pending and will see this change
	}
}

func (w *Watcher) rebuild(ctx context.Context) error {
	start := time.Now()
	s, err := Build(ctx, w.store, w.reg, w.plugins, w.balancers)
	if err != nil {
		return err
	}
	w.holder.Store(s)
	w.log.Debug("configuration rebuilt", "routes", len(s.Routes), "services", len(s.Services),
		"version", s.Version, "took", time.Since(start))
	return nil
}
