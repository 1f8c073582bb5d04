package entity

import (
	"strconv"
	"strings"
)

// hostKind classifies a host string as Kong does.
type hostKind int

const (
	kindName hostKind = iota
	kindIPv4
	kindIPv6
)

// parsedHost is a host string split into its parts; port is -1 when the
// string carries none.
type parsedHost struct {
	kind hostKind
	host string
	port int
}

// parseHost splits and checks "host[:port]", "a.b.c.d[:port]", "ipv6" or
// "[ipv6][:port]". On failure it returns Kong's message ("invalid hostname:
// x", "invalid ipv4 address: x", "invalid ipv6 address: x" or "invalid port
// number").
func parseHost(address string) (parsedHost, string) {
	colons := strings.Count(address, ":")
	switch {
	case colons > 1:
		return parseIPv6(address)
	case allDigitsAndDots(strings.ReplaceAll(address, ":", "")):
		return parseIPv4(address)
	}
	return parseHostname(address)
}

func allDigitsAndDots(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePort converts a digit string, reporting ports above 65535.
func parsePort(s string) (int, string) {
	if len(s) > 5 {
		return 0, "invalid port number"
	}
	n, _ := strconv.Atoi(s)
	if n > 65535 {
		return 0, "invalid port number"
	}
	return n, ""
}

func parseIPv4(address string) (parsedHost, string) {
	bad := "invalid ipv4 address: " + address
	addr, portStr, hasPort := strings.Cut(address, ":")
	octets := strings.Split(addr, ".")
	if len(octets) != 4 || (hasPort && !allDigits(portStr)) {
		return parsedHost{}, bad
	}
	for _, o := range octets {
		if !allDigits(o) || len(o) > 3 {
			return parsedHost{}, bad
		}
		if n, _ := strconv.Atoi(o); n > 255 {
			return parsedHost{}, bad
		}
	}
	p := parsedHost{kind: kindIPv4, host: addr, port: -1}
	if hasPort {
		port, msg := parsePort(portStr)
		if msg != "" {
			return parsedHost{}, msg
		}
		p.port = port
	}
	return p, ""
}

func parseIPv6(address string) (parsedHost, string) {
	bad := "invalid ipv6 address: " + address
	check, port := address, -1
	if strings.HasPrefix(address, "[") {
		end := strings.IndexByte(address, ']')
		if end < 0 {
			return parsedHost{}, bad
		}
		check = address[1:end]
		if rest := address[end+1:]; rest != "" {
			digits, ok := strings.CutPrefix(rest, ":")
			if !ok || (digits != "" && !allDigits(digits)) {
				return parsedHost{}, bad
			}
			n, msg := parsePort(digits)
			if msg != "" {
				return parsedHost{}, msg
			}
			port = n
		}
	}
	if !validIPv6(check) {
		return parsedHost{}, bad
	}
	return parsedHost{kind: kindIPv6, host: strings.ToLower(check), port: port}, ""
}

// validIPv6 checks eight groups of one to four hex digits, "::" expanding
// to the missing ones.
func validIPv6(s string) bool {
	if strings.HasPrefix(s, ":") {
		s = "0" + s
	}
	if strings.HasSuffix(s, ":") {
		s += "0"
	}
	if strings.Contains(s, "::") {
		missing := 8 - strings.Count(s, ":")
		if missing < 1 {
			return false
		}
		s = strings.Replace(s, "::", ":"+strings.Repeat("0:", missing), 1)
	}
	groups := strings.Split(s, ":")
	if len(groups) != 8 {
		return false
	}
	for _, g := range groups {
		if g == "" || len(g) > 4 {
			return false
		}
		for i := 0; i < len(g); i++ {
			if !isHex(g[i]) {
				return false
			}
		}
	}
	return true
}

func parseHostname(address string) (parsedHost, string) {
	name, port := address, -1
	if i := strings.LastIndexByte(address, ':'); i >= 0 && allDigits(address[i+1:]) {
		n, msg := parsePort(address[i+1:])
		if msg != "" {
			return parsedHost{}, msg
		}
		name, port = address[:i], n
	}
	bad := "invalid hostname: " + address
	if name == "" {
		return parsedHost{}, bad
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return parsedHost{}, bad
		}
	}
	segments := strings.Split(name, ".")
	for i, seg := range segments {
		if strings.HasSuffix(seg, "-") || (seg == "" && i != len(segments)-1) {
			return parsedHost{}, bad
		}
	}
	return parsedHost{kind: kindName, host: name, port: port}, ""
}

// formatHost renders a parsed host with the given port, bracketing IPv6.
func formatHost(p parsedHost, port int) string {
	host := p.host
	if p.kind == kindIPv6 {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
