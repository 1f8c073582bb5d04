package plugin

// scopeKey identifies a scope combination; "" is an unset dimension.
// Being a struct of strings it hashes without allocating.
type scopeKey struct {
	route, service, consumer string
}

// nameIndex holds the enabled instances of one plugin by scope.
type nameIndex struct {
	plugin  Plugin
	scope   Scope // plugin.Scope(), read once
	byScope map[scopeKey]*Configured
	// levels has bit l set when an instance of Level l exists, so lookups
	// for empty levels are skipped.
	levels uint16
	// consumerRoutes and consumerServices name the routes and services
	// that consumer-scoped instances (levels 1-3) are attached to; they
	// tell a route's chain whether it must resolve consumers at all.
	consumerRoutes   map[string]struct{}
	consumerServices map[string]struct{}
	// blocking is set when any instance may wait (see NonBlocking).
	blocking bool
}

func newNameIndex(p Plugin) *nameIndex {
	return &nameIndex{
		plugin:           p,
		scope:            p.Scope(),
		byScope:          map[scopeKey]*Configured{},
		consumerRoutes:   map[string]struct{}{},
		consumerServices: map[string]struct{}{},
	}
}

// add indexes c; it reports false when an instance with the same scope is
// already present.
func (n *nameIndex) add(c *Configured) bool {
	k := scopeKey{c.RouteID, c.ServiceID, c.ConsumerID}
	if _, dup := n.byScope[k]; dup {
		return false
	}
	n.byScope[k] = c
	n.levels |= 1 << c.level
	n.blocking = n.blocking || c.blocking
	if c.ConsumerID != "" {
		if c.RouteID != "" {
			n.consumerRoutes[c.RouteID] = struct{}{}
		}
		if c.ServiceID != "" {
			n.consumerServices[c.ServiceID] = struct{}{}
		}
	}
	return true
}

// has reports whether instances of level l exist.
func (n *nameIndex) has(l Level) bool { return n.levels&(1<<l) != 0 }

// at returns the instance of level l with the given scope, or nil.
func (n *nameIndex) at(l Level, route, service, consumer string) *Configured {
	if !n.has(l) {
		return nil
	}
	return n.byScope[scopeKey{route, service, consumer}]
}

// mask blanks the dimensions the plugin cannot be scoped to.
func (n *nameIndex) mask(route, service, consumer string) (string, string, string) {
	if n.scope.Has(NoRoute) {
		route = ""
	}
	if n.scope.Has(NoService) {
		service = ""
	}
	if n.scope.Has(NoConsumer) {
		consumer = ""
	}
	return route, service, consumer
}

// resolve returns the winning instance for the request's route, service
// and consumer ids ("" when absent), walking the eight levels in order.
func (n *nameIndex) resolve(route, service, consumer string) *Configured {
	route, service, consumer = n.mask(route, service, consumer)
	base := n.resolveBase(route, service)
	if consumer == "" {
		return base
	}
	return n.resolveConsumer(route, service, consumer, base)
}

// resolveBase returns the winner among the levels without a consumer
// (route+service, route, service, global); route and service are masked.
func (n *nameIndex) resolveBase(route, service string) *Configured {
	if route != "" && service != "" {
		if c := n.at(LevelRouteService, route, service, ""); c != nil {
			return c
		}
	}
	if route != "" {
		if c := n.at(LevelRoute, route, "", ""); c != nil {
			return c
		}
	}
	if service != "" {
		if c := n.at(LevelService, "", service, ""); c != nil {
			return c
		}
	}
	return n.at(LevelGlobal, "", "", "")
}

// resolveConsumer returns the winner once a consumer is known, given base,
// the winner without consumer. Levels 1-3 beat everything, route+service
// (level 4) beats consumer-only (level 5), which beats the rest.
func (n *nameIndex) resolveConsumer(route, service, consumer string, base *Configured) *Configured {
	if route != "" && service != "" {
		if c := n.at(LevelRouteServiceConsumer, route, service, consumer); c != nil {
			return c
		}
	}
	if route != "" {
		if c := n.at(LevelRouteConsumer, route, "", consumer); c != nil {
			return c
		}
	}
	if service != "" {
		if c := n.at(LevelServiceConsumer, "", service, consumer); c != nil {
			return c
		}
	}
	if base != nil && base.level == LevelRouteService {
		return base
	}
	if c := n.at(LevelConsumer, "", "", consumer); c != nil {
		return c
	}
	return base
}

// consumerAware reports whether consumer-scoped instances could apply to
// requests of the given (masked) route and service.
func (n *nameIndex) consumerAware(route, service string) bool {
	if n.scope.Has(NoConsumer) {
		return false
	}
	if n.has(LevelConsumer) {
		return true
	}
	if _, ok := n.consumerRoutes[route]; ok && route != "" {
		return true
	}
	_, ok := n.consumerServices[service]
	return ok && service != ""
}
