package router

import (
	"fmt"
	"slices"
	"strings"
)

// Router is a compiled, immutable route table.
//
// Matchers are indexed first by host and then, in a radix tree, by the
// text every matching path starts with; Match only tests the matchers
// found along the request's host and path, in priority order.
type Router struct {
	routes []Route
	// exactHosts, suffixHosts and prefixHosts index the matchers that have
	// hosts, under each of their host entries: "a.b" under "a.b", "*.b"
	// under ".b", "a.*" under "a.".
	exactHosts  map[string]*trieNode
	suffixHosts map[string]*trieNode
	prefixHosts map[string]*trieNode
	// suffixLengths and prefixLengths hold the key lengths present in
	// suffixHosts and prefixHosts, to skip lookups that cannot hit.
	suffixLengths lengthSet
	prefixLengths lengthSet
	// others holds the matchers without hosts, and those with a wildcard
	// entry that does not end at a dot.
	others *trieNode
}

// streamProtocols are the protocols of routes that the HTTP router does not
// serve.
var streamProtocols = map[string]bool{"tcp": true, "tls": true, "udp": true, "tls_passthrough": true}

// New compiles routes into a Router. Routes whose protocols are all stream
// protocols (tcp, tls, udp, tls_passthrough) are left out. The error names
// the route and the path or header whose regex does not compile.
func New(routes []Route) (*Router, error) {
	r := &Router{
		routes:      make([]Route, 0, len(routes)),
		exactHosts:  make(map[string]*trieNode),
		suffixHosts: make(map[string]*trieNode),
		prefixHosts: make(map[string]*trieNode),
		others:      &trieNode{},
	}
	for i := range routes {
		if isStreamOnly(routes[i].Protocols) {
			continue
		}
		r.routes = append(r.routes, routes[i])
	}
	var all []*matcher
	regexes := make(map[string]regexPath)
	for i := range r.routes {
		ms, err := compileRoute(&r.routes[i], regexes)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	slices.SortFunc(all, compareMatchers)
	for rank, m := range all {
		m.rank = rank
		r.place(m)
	}
	r.others.finish()
	for _, index := range []map[string]*trieNode{r.exactHosts, r.suffixHosts, r.prefixHosts} {
		for _, n := range index {
			n.finish()
		}
	}
	return r, nil
}

// isStreamOnly reports whether protocols is non-empty and holds only
// stream protocols.
func isStreamOnly(protocols []string) bool {
	for _, p := range protocols {
		if !streamProtocols[p] {
			return false
		}
	}
	return len(protocols) > 0
}

// place stores m in the indexes that can find it.
func (r *Router) place(m *matcher) {
	keys := indexKeys(m)
	store := func(root *trieNode) {
		for _, k := range keys {
			root.insert(k, m)
		}
	}
	if len(m.hosts) == 0 || slices.ContainsFunc(m.hosts, func(h hostRule) bool { return !isIndexableHost(h) }) {
		store(r.others)
		return
	}
	for i, h := range m.hosts {
		if slices.ContainsFunc(m.hosts[:i], func(prev hostRule) bool {
			return prev.kind == h.kind && prev.value == h.value
		}) {
			continue
		}
		switch h.kind {
		case hostSuffix:
			r.suffixLengths.add(len(h.value))
		case hostPrefix:
			r.prefixLengths.add(len(h.value))
		}
		index := r.hostIndex(h.kind)
		root := index[h.value]
		if root == nil {
			root = &trieNode{}
			index[h.value] = root
		}
		store(root)
	}
}

// hostIndex returns the index for host rules of kind.
func (r *Router) hostIndex(kind hostKind) map[string]*trieNode {
	switch kind {
	case hostSuffix:
		return r.suffixHosts
	case hostPrefix:
		return r.prefixHosts
	}
	return r.exactHosts
}

// isIndexableHost reports whether Match can find h by looking up the
// request host (exact), or its parts cut at a dot (wildcards).
func isIndexableHost(h hostRule) bool {
	switch h.kind {
	case hostSuffix:
		return strings.HasPrefix(h.value, ".")
	case hostPrefix:
		return strings.HasSuffix(h.value, ".")
	}
	return true
}

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

// Match finds the route for req and fills m. It reports false when no
// route matches (m is then left untouched).
func (r *Router) Match(req *Request, m *Match) bool {
	path := NormalizePath(req.Path)
	host := req.Host
	var best *matcher
	if len(r.exactHosts) > 0 {
		if root := r.exactHosts[host]; root != nil {
			best = root.search(req, path, best)
		}
	}
	if len(r.suffixHosts) > 0 || len(r.prefixHosts) > 0 {
		best = r.searchWildcardHosts(req, path, best)
	}
	best = r.others.search(req, path, best)
	if best == nil {
		return false
	}
	best.fill(path, m)
	return true
}

// searchWildcardHosts looks up every ".suffix" (with at least one byte
// before it) and "prefix." of the request host in the wildcard indexes.
func (r *Router) searchWildcardHosts(req *Request, path string, best *matcher) *matcher {
	host := req.Host
	for i := 0; i < len(host); i++ {
		if host[i] != '.' {
			continue
		}
		if i > 0 && r.suffixLengths.has(len(host)-i) {
			if root := r.suffixHosts[host[i:]]; root != nil {
				best = root.search(req, path, best)
			}
		}
		if r.prefixLengths.has(i + 1) {
			if root := r.prefixHosts[host[:i+1]]; root != nil {
				best = root.search(req, path, best)
			}
		}
	}
	return best
}

// Len returns the number of routes the router serves.
func (r *Router) Len() int { return len(r.routes) }

// lengthSet is a set of string lengths; lengths of 256 and more are
// folded into one "long" member.
type lengthSet struct {
	bits [4]uint64
	long bool
}

func (s *lengthSet) add(n int) {
	if n >= 256 {
		s.long = true
		return
	}
	s.bits[n>>6] |= 1 << (n & 63)
}

func (s *lengthSet) has(n int) bool {
	if n >= 256 {
		return s.long
	}
	return s.bits[n>>6]&(1<<(n&63)) != 0
}
