package router

import (
	"strconv"
	"strings"
)

// hostKind says how a host pattern compares with a request host.
type hostKind uint8

const (
	hostExact  hostKind = iota // "a.b"
	hostSuffix                 // "*.b": value holds ".b"
	hostPrefix                 // "a.*": value holds "a."
)

// hostRule is one compiled entry of a route's hosts (or snis).
type hostRule struct {
	kind  hostKind
	value string
	// port is the port required by a "host:port" entry; 0 means any port.
	port int
}

// parseHostRule compiles a hosts entry. The port is split off at the first
// ':' when the rest is a number, as Kong does; a leading '*' makes a suffix
// rule and a trailing '*' a prefix rule.
func parseHostRule(entry string) hostRule {
	host, port := entry, 0
	if i := strings.IndexByte(entry, ':'); i >= 0 {
		if p, err := strconv.Atoi(entry[i+1:]); err == nil && p >= 0 {
			host, port = entry[:i], p
		}
	}
	switch {
	case strings.HasPrefix(host, "*"):
		return hostRule{kind: hostSuffix, value: host[1:], port: port}
	case strings.HasSuffix(host, "*"):
		return hostRule{kind: hostPrefix, value: host[:len(host)-1], port: port}
	}
	return hostRule{kind: hostExact, value: host, port: port}
}

// parseSNIRule compiles a snis entry: like a host without a port, with a
// trailing FQDN dot ignored.
func parseSNIRule(entry string) hostRule {
	name := trimFQDNDot(entry)
	switch {
	case strings.HasPrefix(name, "*"):
		return hostRule{kind: hostSuffix, value: name[1:]}
	case strings.HasSuffix(name, "*"):
		return hostRule{kind: hostPrefix, value: name[:len(name)-1]}
	}
	return hostRule{kind: hostExact, value: name}
}

// trimFQDNDot removes one trailing '.' from a name longer than one byte.
func trimFQDNDot(name string) string {
	if len(name) > 1 && name[len(name)-1] == '.' {
		return name[:len(name)-1]
	}
	return name
}

// matchName compares a host name case-sensitively with the rule, ignoring
// the port.
func (h *hostRule) matchName(name string) bool {
	switch h.kind {
	case hostSuffix:
		// At least one byte must precede the suffix.
		return len(name) > len(h.value) && strings.HasSuffix(name, h.value)
	case hostPrefix:
		return strings.HasPrefix(name, h.value)
	}
	return name == h.value
}

// anyHostMatches reports whether one of rules accepts host and port.
func anyHostMatches(rules []hostRule, host string, port int) bool {
	for i := range rules {
		r := &rules[i]
		if (r.port == 0 || r.port == port) && r.matchName(host) {
			return true
		}
	}
	return false
}

// isPlainHost reports whether a hosts entry contains no wildcard.
func isPlainHost(entry string) bool {
	return !strings.Contains(entry, "*")
}
