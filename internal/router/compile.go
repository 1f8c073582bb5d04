package router

import "fmt"

// compileRoute builds one matcher per path group of route (one matcher
// when the route has no paths). regexes caches compiled regex paths by
// source, as many routes often share one.
func compileRoute(route *Route, regexes map[string]regexPath) ([]*matcher, error) {
	base := matcher{route: route, id: route.ID, methods: route.Methods}
	for _, h := range route.Hosts {
		base.hosts = append(base.hosts, parseHostRule(h))
	}
	for _, s := range route.SNIs {
		base.snis = append(base.snis, parseSNIRule(s))
	}
	if len(route.Headers) > 0 {
		rules, err := compileHeaderRules(route.Headers)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", routeLabel(route), err)
		}
		base.headers = rules
	}
	if len(route.Paths) == 0 {
		m := base
		m.prio = newPriority(route, nil)
		return []*matcher{&m}, nil
	}
	groups := groupPaths(route.Paths)
	out := make([]*matcher, 0, len(groups))
	for gi := range groups {
		g := &groups[gi]
		m := base
		m.prio = newPriority(route, g)
		if len(groups) > 1 {
			m.id = splitGroupID(route.ID, gi+1)
		}
		if !g.regex {
			m.prefixes = g.paths
		} else {
			for _, p := range g.paths {
				rp, ok := regexes[p]
				if !ok {
					var err error
					if rp, err = compileRegexPath(p); err != nil {
						return nil, fmt.Errorf("route %s: path %q: %w", routeLabel(route), p, err)
					}
					regexes[p] = rp
				}
				m.regexes = append(m.regexes, rp)
			}
		}
		out = append(out, &m)
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
