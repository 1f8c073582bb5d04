package router

import "strings"

// matcher is one route (or one path group of a route) compiled for
// matching. Every field of the route must match (AND); within a field one
// entry is enough (OR).
type matcher struct {
	route *Route
	// rank is the position in the global priority order (0 is best).
	rank int

	methods  []string
	hosts    []hostRule
	prefixes []string
	// more holds the fields few routes set; nil when none is set.
	more *moreRules
}

// moreRules are the rules of a matcher that most routes do not have.
type moreRules struct {
	snis    []hostRule
	headers []headerRule
	regexes []regexPath
}

// regexPaths returns the regex paths of m.
func (m *matcher) regexPaths() []regexPath {
	if m.more == nil {
		return nil
	}
	return m.more.regexes
}

// matches reports whether req, whose normalised path is path, satisfies
// every field of m. Cheap checks run first, regexes last.
func (m *matcher) matches(req *Request, path string) bool {
	if len(m.prefixes) > 0 && m.matchedPrefix(path) < 0 {
		return false
	}
	if len(m.hosts) > 0 && !anyHostMatches(m.hosts, req.Host, req.Port) {
		return false
	}
	if len(m.methods) > 0 && !containsString(m.methods, req.Method) {
		return false
	}
	if x := m.more; x != nil {
		if len(x.snis) > 0 && req.Scheme == "https" &&
			!anyHostMatches(x.snis, trimFQDNDot(req.SNI), 0) {
			return false
		}
		if len(x.headers) > 0 && !allHeadersMatch(x.headers, req.Headers) {
			return false
		}
		if len(x.regexes) > 0 && x.matchedRegex(path) < 0 {
			return false
		}
	}
	return true
}

// matchedPrefix returns the index of the first prefix path of m that path
// starts with, or -1.
func (m *matcher) matchedPrefix(path string) int {
	for i, p := range m.prefixes {
		if strings.HasPrefix(path, p) {
			return i
		}
	}
	return -1
}

// matchedRegex returns the index of the first regex path of x that
// matches path, or -1.
func (x *moreRules) matchedRegex(path string) int {
	for i := range x.regexes {
		rp := &x.regexes[i]
		if rp.match(path) {
			return i
		}
	}
	return -1
}

// fill records in out the details of m matching path.
func (m *matcher) fill(path string, out *Match) {
	out.Route = m.route
	out.Path = path
	out.Prefix = ""
	out.strip = false
	out.Captures = nil
	out.CaptureNames = nil
	strip := m.route.StripPath
	switch {
	case len(m.prefixes) > 0:
		if strip {
			out.Prefix = m.prefixes[m.matchedPrefix(path)]
			out.strip = true
		}
	case len(m.regexPaths()) > 0:
		rp := &m.more.regexes[m.more.matchedRegex(path)]
		re := rp.re
		if !strip && re.NumSubexp() == 0 {
			break
		}
		loc := rp.submatchIndex(path)
		if strip {
			out.Prefix = path[:loc[1]]
			out.strip = true
		}
		if re.NumSubexp() > 0 {
			captures := out.captureBuf[:0]
			for i := 0; i < len(loc); i += 2 {
				capture := ""
				if loc[i] >= 0 {
					capture = path[loc[i]:loc[i+1]]
				}
				captures = append(captures, capture)
			}
			out.captureBuf = captures
			out.Captures = captures
			out.CaptureNames = re.SubexpNames()
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
