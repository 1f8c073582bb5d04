package plugin

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/straitgw/strait/internal/entity"
)

// Registry holds the plugins available on a node, by name. The program's
// wiring fills it explicitly at start-up; it is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	plugins map[string]Plugin
	log     *slog.Logger
}

// SetLogger makes log the logger handed to InstanceFactory plugins when
// their instances are built (the node's logger); nil restores
// slog.Default.
func (r *Registry) SetLogger(log *slog.Logger) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = log
}

// Logger returns the logger set by SetLogger, or slog.Default.
func (r *Registry) Logger() *slog.Logger {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.log == nil {
		return slog.Default()
	}
	return r.log
}

// NewRegistry returns a registry holding the given plugins; it fails like
// Register on the first invalid or duplicate one.
func NewRegistry(plugins ...Plugin) (*Registry, error) {
	r := &Registry{plugins: make(map[string]Plugin, len(plugins))}
	for _, p := range plugins {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds p under p.Name(). It refuses an empty name, a name already
// registered, and a config schema that is not a record named "config".
func (r *Registry) Register(p Plugin) error {
	name := p.Name()
	if name == "" {
		return fmt.Errorf("register plugin: empty name")
	}
	if err := checkConfigSchema(p.ConfigSchema()); err != nil {
		return fmt.Errorf("register plugin %q: %w", name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plugins == nil {
		r.plugins = map[string]Plugin{}
	}
	if _, dup := r.plugins[name]; dup {
		return fmt.Errorf("register plugin %q: already registered", name)
	}
	r.plugins[name] = p
	return nil
}

func checkConfigSchema(f *entity.Field) error {
	switch {
	case f == nil:
		return fmt.Errorf("config schema is nil")
	case f.Type != entity.TypeRecord:
		return fmt.Errorf("config schema has type %q, want record", f.Type)
	case f.Name != "config":
		return fmt.Errorf("config schema is named %q, want \"config\"", f.Name)
	}
	return nil
}

// Lookup returns the plugin registered under name.
func (r *Registry) Lookup(name string) (Plugin, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.plugins[name]
	return p, ok
}

// All returns the registered plugins sorted by name.
func (r *Registry) All() []Plugin {
	r.mu.RLock()
	out := make([]Plugin, 0, len(r.plugins))
	for _, p := range r.plugins {
		out = append(out, p)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Plugin) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}
