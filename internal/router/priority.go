package router

import (
	"strconv"

	"github.com/google/uuid"
)

// maxHeaderCount caps the header count used for ordering, as Kong does.
const maxHeaderCount = 255

// maxPrefixLength masks the prefix length used for ordering (19 bits in
// Kong's priority word).
const maxPrefixLength = 0x7FFFF

// splitRouteNamespace is the UUID v5 namespace Kong uses to derive the ids
// of the matchers a multi-group route is split into.
var splitRouteNamespace = uuid.MustParse("7f145bf9-0dce-4f91-98eb-debbce4b9f6b")

// priority orders matchers as traditional_compatible does; fields are
// listed from most to least significant, larger first.
type priority struct {
	// attributes counts the non-empty fields among methods, hosts,
	// headers, snis and paths.
	attributes int
	// plainHostsOnly: hosts is set (even empty) and has no wildcard.
	plainHostsOnly bool
	headerCount    int
	regex          bool
	// regexPriority is the route's regex_priority for regex groups, else 0.
	regexPriority int
	// prefixLength is the length of the prefix paths of a prefix group.
	prefixLength int
}

// newPriority computes the priority of route restricted to one path group
// (group is nil when the route has no paths).
func newPriority(r *Route, group *pathGroup) priority {
	var p priority
	if len(r.Methods) > 0 {
		p.attributes++
	}
	if len(r.Hosts) > 0 {
		p.attributes++
	}
	if len(r.Headers) > 0 {
		p.attributes++
		p.headerCount = min(len(r.Headers), maxHeaderCount)
	}
	if len(r.SNIs) > 0 {
		p.attributes++
	}
	if r.Hosts != nil {
		p.plainHostsOnly = true
		for _, h := range r.Hosts {
			if !isPlainHost(h) {
				p.plainHostsOnly = false
				break
			}
		}
	}
	if group != nil {
		p.attributes++
		if group.regex {
			p.regex = true
			p.regexPriority = r.RegexPriority
		} else {
			p.prefixLength = len(group.paths[0]) & maxPrefixLength
		}
	}
	return p
}

// sortKey packs the fields of p that order matchers, except
// regexPriority, into one number that is larger for the matcher that
// wins: attributes, plainHostsOnly, headerCount, regex, then
// prefixLength. prefixLength may sit below regex although regexPriority
// ranks between them: a regex group has no prefix length and a prefix
// group no regex priority, so between matchers whose regex bits are
// equal one of the two fields is always 0 on both sides.
func (p priority) sortKey() uint64 {
	k := uint64(p.attributes)<<30 | uint64(p.headerCount)<<20 | uint64(p.prefixLength)
	if p.plainHostsOnly {
		k |= 1 << 29
	}
	if p.regex {
		k |= 1 << 19
	}
	return k
}

// compareCandidates orders matchers by priority, then by greater id
// first.
func compareCandidates(a, b candidate) int {
	switch {
	case a.key != b.key:
		if a.key > b.key {
			return -1
		}
		return 1
	case a.regexPriority != b.regexPriority:
		if a.regexPriority > b.regexPriority {
			return -1
		}
		return 1
	case a.id > b.id:
		return -1
	case a.id < b.id:
		return 1
	}
	return 0
}

// splitGroupID derives the id of path group index (1-based) of a route
// whose paths were split into several groups.
func splitGroupID(routeID string, index int) string {
	return uuid.NewSHA1(splitRouteNamespace, []byte(routeID+"#"+strconv.Itoa(index))).String()
}
