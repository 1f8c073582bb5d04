// Package router matches requests to routes exactly as Kong's default
// router flavor, traditional_compatible, does: hosts (exact and wildcard),
// paths (prefix and "~" regex), methods, headers and SNIs, ordered by
// Kong's priority rules. It also normalises request paths and builds the
// upstream path (strip_path, path_handling v0).
//
// A Router is compiled once from a route list and is immutable afterwards,
// so it can be shared by any number of goroutines without locks.
package router

// Route is the routing-relevant part of a route entity.
type Route struct {
	ID            string
	Name          string
	Protocols     []string
	Methods       []string
	Hosts         []string
	Paths         []string
	Headers       map[string][]string
	SNIs          []string
	RegexPriority int
	StripPath     bool
	PreserveHost  bool
	// PathHandling is "v0" or "v1"; traditional_compatible always uses v0.
	PathHandling string
	// Data is an opaque value the caller attaches (its compiled route).
	Data any
}

// HeaderGetter returns the values of a request header; http.Header
// implements it.
type HeaderGetter interface {
	Values(name string) []string
}

// Request is what the router looks at.
type Request struct {
	Method string
	// Host is the Host header without its port; Port is the port written in
	// the Host header, or the listener port when none was written.
	Host string
	Port int
	// Path is the raw request path without the query string (not yet
	// normalised; Match normalises it).
	Path    string
	Headers HeaderGetter
	// Scheme is "http" or "https"; SNI is the TLS server name, if any.
	Scheme string
	SNI    string
}
