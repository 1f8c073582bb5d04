package router

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
