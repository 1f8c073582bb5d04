package router

import (
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
//
// The Router keeps routes (Match hands out pointers to its elements)
// rather than a copy: the caller must not change the slice or what its
// elements refer to afterwards.
func New(routes []Route) (*Router, error) {
	r := &Router{
		routes:      routes,
		exactHosts:  make(map[string]*trieNode),
		suffixHosts: make(map[string]*trieNode),
		prefixHosts: make(map[string]*trieNode),
		others:      &trieNode{},
	}
	if slices.ContainsFunc(routes, func(rt Route) bool { return isStreamOnly(rt.Protocols) }) {
		r.routes = make([]Route, 0, len(routes))
		for i := range routes {
			if !isStreamOnly(routes[i].Protocols) {
				r.routes = append(r.routes, routes[i])
			}
		}
	}
	all := make([]candidate, 0, len(r.routes))
	regexes := newRegexCache()
	var b builder
	for i := range r.routes {
		var err error
		if all, err = compileRoute(&r.routes[i], regexes, &b, all); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(all, compareCandidates)
	for rank, c := range all {
		c.m.rank = rank
		r.place(c.m, &b)
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
func (r *Router) place(m *matcher, b *builder) {
	keys := indexKeys(m)
	store := func(root *trieNode) {
		for _, k := range keys {
			root.insert(k, m, b)
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
			root = b.nodes.one(trieNode{})
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
