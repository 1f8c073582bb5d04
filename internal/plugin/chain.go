package plugin

// Chain is the precomputed, immutable list of plugins that may run for the
// requests of one route (or, for the global chain, of no route), in
// execution order. Build chains when a configuration is compiled; at
// request time a Run walks them.
type Chain struct {
	links []link
	// fixed holds the instance of every link that needs no consumer
	// resolution, in order; for the global chain it is every link.
	fixed []*Configured
	// blocking is set when an instance that may run for the chain's
	// requests may wait (see NonBlocking).
	blocking bool
}

// Blocking reports whether any instance that can run for the chain's
// requests may wait, so that the requests must be served off the event
// loops. Consumer-scoped instances count whether or not the request's
// consumer turns out to use them.
func (c *Chain) Blocking() bool { return c != nil && c.blocking }

// link is one plugin of a chain: the instance that applies without a
// consumer, and whether a consumer-scoped instance may replace it.
type link struct {
	idx  *nameIndex
	base *Configured // may be nil when only consumer-scoped instances exist
	// route and service are the chain's ids, masked by the plugin's scope.
	route, service string
	consumerAware  bool
}

// pick returns the instance of l for the request's current consumer.
func (l *link) pick(ctx Context) *Configured {
	if l.consumerAware {
		if c := ctx.Consumer(); c != nil && c.ID != "" {
			return l.idx.resolveConsumer(l.route, l.service, c.ID, l.base)
		}
	}
	return l.base
}

func (s *Set) buildGlobal() *Chain {
	ch := &Chain{}
	for _, idx := range s.ordered {
		if g := idx.at(LevelGlobal, "", "", ""); g != nil {
			ch.links = append(ch.links, link{idx: idx, base: g})
			ch.fixed = append(ch.fixed, g)
			ch.blocking = ch.blocking || g.blocking
		}
	}
	return ch
}

// Chain builds the chain of a route whose service is serviceID ("" when
// the route has none): every plugin with an instance that can apply to
// the route, global, service, route and consumer-scoped ones alike.
// Call it once per route when the configuration is compiled.
func (s *Set) Chain(routeID, serviceID string) *Chain {
	if s == nil {
		return &Chain{}
	}
	ch := &Chain{}
	for _, idx := range s.ordered {
		route, service, _ := idx.mask(routeID, serviceID, "")
		l := link{
			idx:           idx,
			base:          idx.resolveBase(route, service),
			route:         route,
			service:       service,
			consumerAware: idx.consumerAware(route, service),
		}
		if l.base == nil && !l.consumerAware {
			continue
		}
		ch.links = append(ch.links, l)
		if !l.consumerAware {
			ch.fixed = append(ch.fixed, l.base)
			ch.blocking = ch.blocking || l.base.blocking
		} else {
			ch.blocking = ch.blocking || idx.blocking
		}
	}
	return ch
}

// Len returns the number of plugins in the chain.
func (c *Chain) Len() int {
	if c == nil {
		return 0
	}
	return len(c.links)
}

// Names returns the names of the chain's plugins in execution order.
func (c *Chain) Names() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.links))
	for i := range c.links {
		out[i] = c.links[i].idx.plugin.Name()
	}
	return out
}

// Certificate runs the certificate phase of the chain's instances; it is
// meant for the global chain.
func (c *Chain) Certificate(ctx CertificateContext) {
	if c == nil {
		return
	}
	for _, cfg := range c.fixed {
		if cfg.certificater != nil {
			cfg.certificater.Certificate(ctx)
		}
	}
}
