package plugin

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Set is the compiled plugin configuration of one snapshot: the enabled
// instances indexed by plugin name and scope. It is immutable and safe for
// concurrent use.
type Set struct {
	byName  map[string]*nameIndex
	ordered []*nameIndex // execution order
	global  *Chain
}

// Compile builds a Set from the plugin instances of a configuration.
// Disabled instances and instances whose protocols include no HTTP
// protocol are left out, so they never mask others. Each remaining
// instance's handler is built once with its defaulted config. Compile
// fails, naming every offending instance, when a plugin is not in reg,
// a handler cannot be built, or two instances share a name and scope.
func Compile(reg *Registry, instances []Instance) (*Set, error) {
	s := &Set{byName: map[string]*nameIndex{}}
	var errs []error
	log := reg.Logger()
	for _, inst := range instances {
		if !inst.Enabled || !speaksHTTP(inst.Protocols) {
			continue
		}
		p, ok := reg.Lookup(inst.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("plugin %q (id %s): not enabled on this node", inst.Name, inst.ID))
			continue
		}
		c, err := newConfigured(p, inst, log)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin %q (id %s): %w", inst.Name, inst.ID, err))
			continue
		}
		idx := s.byName[inst.Name]
		if idx == nil {
			idx = newNameIndex(p)
			s.byName[inst.Name] = idx
			s.ordered = append(s.ordered, idx)
		}
		if !idx.add(c) {
			errs = append(errs, fmt.Errorf("plugin %q (id %s): another instance has the same route, service and consumer", inst.Name, inst.ID))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("compile plugins: %w", errors.Join(errs...))
	}
	slices.SortFunc(s.ordered, func(a, b *nameIndex) int { return compareOrder(a.plugin, b.plugin) })
	s.global = s.buildGlobal()
	return s, nil
}

// speaksHTTP reports whether a protocols field lets the instance load in
// the HTTP subsystem; nil means the plugin default, which is assumed to.
func speaksHTTP(protocols []string) bool {
	if protocols == nil {
		return true
	}
	for _, p := range protocols {
		for _, h := range httpProtocols {
			if strings.EqualFold(p, h) {
				return true
			}
		}
	}
	return false
}

// Resolve returns the instance of plugin name that applies to a request
// with the given route, service and consumer ids ("" when absent), or nil.
// It performs at most nine map lookups and does not allocate.
func (s *Set) Resolve(name, routeID, serviceID, consumerID string) *Configured {
	idx := s.byName[name]
	if idx == nil {
		return nil
	}
	return idx.resolve(routeID, serviceID, consumerID)
}

// Global returns the chain of global instances: the certificate and
// rewrite phases run it, and so do the response and log phases of
// requests that never reached the access phase (no route matched).
func (s *Set) Global() *Chain {
	if s == nil {
		return nil
	}
	return s.global
}

// Names returns the names of the plugins with enabled instances, in
// execution order.
func (s *Set) Names() []string {
	out := make([]string, len(s.ordered))
	for i, idx := range s.ordered {
		out[i] = idx.plugin.Name()
	}
	return out
}
