package admin

import (
	"net/url"
	"sort"
	"strings"
)

// handlerFunc serves one method of one route. A returned error is rendered
// by API.writeError; success responses are written by the handler.
type handlerFunc func(rc *request) error

// route is one path pattern ("/services/{services}/routes") and its methods.
type route struct {
	pattern string
	methods map[string]handlerFunc
}

// allow lists the route's methods plus HEAD (with GET) and OPTIONS, sorted
// and joined the way Kong prints them.
func (rt *route) allow() string {
	names := make([]string, 0, len(rt.methods)+2)
	for m := range rt.methods {
		names = append(names, m)
	}
	if rt.methods["GET"] != nil {
		names = append(names, "HEAD")
	}
	names = append(names, "OPTIONS")
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// node is one path segment of the routing trie. Static children win over
// the placeholder child when both match.
type node struct {
	static map[string]*node
	param  *node
	route  *route
}

// mux routes request paths to routes by segment.
type mux struct {
	root   *node
	routes []*route
}

func newMux() *mux { return &mux{root: &node{}} }

// handle registers fn for method on pattern; placeholders are written
// {name}. Registering a method twice replaces the earlier handler.
func (m *mux) handle(pattern, method string, fn handlerFunc) {
	n := m.root
	for _, seg := range splitPath(pattern) {
		if strings.HasPrefix(seg, "{") {
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
			continue
		}
		if n.static == nil {
			n.static = map[string]*node{}
		}
		child := n.static[seg]
		if child == nil {
			child = &node{}
			n.static[seg] = child
		}
		n = child
	}
	if n.route == nil {
		n.route = &route{pattern: pattern, methods: map[string]handlerFunc{}}
		m.routes = append(m.routes, n.route)
	}
	n.route.methods[method] = fn
}

// match finds the route for an escaped request path. It returns the
// percent-decoded placeholder values and their raw (escaped) forms. A
// trailing slash is ignored.
func (m *mux) match(escapedPath string) (*route, []string, []string) {
	segs := splitPath(escapedPath)
	var raw []string
	rt := m.root.find(segs, &raw)
	if rt == nil {
		return nil, nil, nil
	}
	params := make([]string, len(raw))
	for i, s := range raw {
		v, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, nil
		}
		params[i] = v
	}
	return rt, params, raw
}

func (n *node) find(segs []string, raw *[]string) *route {
	if len(segs) == 0 {
		return n.route
	}
	if child := n.static[segs[0]]; child != nil {
		if rt := child.find(segs[1:], raw); rt != nil {
			return rt
		}
	}
	if n.param != nil && segs[0] != "" {
		*raw = append(*raw, segs[0])
		if rt := n.param.find(segs[1:], raw); rt != nil {
			return rt
		}
		*raw = (*raw)[:len(*raw)-1]
	}
	return nil
}

// splitPath splits "/a/b/" into ["a","b"]; "/" yields no segments.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// patterns returns every registered pattern sorted segment by segment.
func (m *mux) patterns() []string {
	out := make([]string, 0, len(m.routes))
	for _, rt := range m.routes {
		out = append(out, rt.pattern)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := splitPath(out[i]), splitPath(out[j])
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	return out
}
