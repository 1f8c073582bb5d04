package router

import "fmt"

// candidate is a matcher while the table is built, with what orders it
// (see compareCandidates).
type candidate struct {
	m *matcher
	// key and regexPriority are the matcher's priority (see sortKey).
	key           uint64
	regexPriority int
	// id is the identifier used to break priority ties: the route id, or
	// a derived id when the route's paths were split into groups.
	id string
}

// newCandidate returns the candidate of m with priority p.
func newCandidate(m *matcher, id string, p priority) candidate {
	return candidate{m: m, key: p.sortKey(), regexPriority: p.regexPriority, id: id}
}

// compileRoute appends to out one candidate per path group of route (one
// when the route has no paths). regexes shares compiled regexes between
// routes.
func compileRoute(route *Route, regexes *regexCache, b *builder, out []candidate) ([]candidate, error) {
	base := matcher{route: route, methods: route.Methods}
	if len(route.Hosts) > 0 {
		base.hosts = b.hostRules.slice(len(route.Hosts))
		for _, h := range route.Hosts {
			base.hosts = append(base.hosts, parseHostRule(h))
		}
	}
	var more moreRules
	for _, s := range route.SNIs {
		more.snis = append(more.snis, parseSNIRule(s))
	}
	if len(route.Headers) > 0 {
		rules, err := compileHeaderRules(route.Headers)
		if err != nil {
			return out, fmt.Errorf("route %s: %w", routeLabel(route), err)
		}
		more.headers = rules
	}
	if len(more.snis) > 0 || len(more.headers) > 0 {
		base.more = &more
	}
	if len(route.Paths) == 0 {
		return append(out, newCandidate(b.matchers.one(base), route.ID, newPriority(route, nil))), nil
	}
	b.groups = groupPaths(route.Paths, b.groups[:0])
	groups := b.groups
	for gi := range groups {
		g := &groups[gi]
		m := base
		id := route.ID
		if len(groups) > 1 {
			id = splitGroupID(route.ID, gi+1)
		}
		if !g.regex {
			m.prefixes = g.paths
		} else {
			groupMore := more
			groupMore.regexes = make([]regexPath, 0, len(g.paths))
			for _, p := range g.paths {
				rp, err := regexes.regexPath(p)
				if err != nil {
					return out, fmt.Errorf("route %s: path %q: %w", routeLabel(route), p, err)
				}
				groupMore.regexes = append(groupMore.regexes, rp)
			}
			m.more = &groupMore
		}
		out = append(out, newCandidate(b.matchers.one(m), id, newPriority(route, g)))
	}
	return out, nil
}

// routeLabel names a route in error messages.
func routeLabel(r *Route) string {
	if r.Name != "" {
		return fmt.Sprintf("%q (%s)", r.Name, r.ID)
	}
	return r.ID
}
