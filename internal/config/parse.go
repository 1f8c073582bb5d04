package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// parser turns raw string values into typed ones, collecting every error
// so `strait check` can report them all at once.
type parser struct {
	raw  map[string]string
	errs []error
}

func (p *parser) fail(key, msg string) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", key, msg))
}

func (p *parser) str(key string) string { return strings.TrimSpace(p.raw[key]) }

func (p *parser) list(key string) []string {
	var out []string
	for _, part := range strings.Split(p.raw[key], ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (p *parser) oneOf(key string, allowed ...string) string {
	v := p.str(key)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	if key == "database" && v == "postgres" {
		p.fail(key, fmt.Sprintf("database = %s is not available yet; use the embedded 'sqlite' store", v))
		return v
	}
	p.fail(key, fmt.Sprintf("invalid value %q, expected one of: %s", v, strings.Join(allowed, ", ")))
	return v
}

func (p *parser) flag(key string) bool {
	switch strings.ToLower(p.str(key)) {
	case "on", "true", "yes", "1":
		return true
	case "off", "false", "no", "0", "":
		return false
	}
	p.fail(key, fmt.Sprintf("invalid boolean %q, expected 'on' or 'off'", p.str(key)))
	return false
}

func (p *parser) integer(key string, min int) int {
	n, err := strconv.Atoi(p.str(key))
	if err != nil {
		p.fail(key, fmt.Sprintf("expected an integer, got %q", p.str(key)))
		return 0
	}
	if n < min {
		p.fail(key, fmt.Sprintf("must be at least %d", min))
	}
	return n
}

// seconds reads a duration in seconds (fractions allowed, as kong.conf does).
func (p *parser) seconds(key string) time.Duration {
	f, err := strconv.ParseFloat(p.str(key), 64)
	if err != nil || f < 0 {
		p.fail(key, fmt.Sprintf("expected a non-negative number of seconds, got %q", p.str(key)))
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

func (p *parser) path(prefix, key string) string {
	v := p.str(key)
	if v == "" {
		p.fail(key, "must not be empty")
		return ""
	}
	if filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(prefix, v)
}

func (p *parser) optionalPath(prefix, key string) string {
	if p.str(key) == "" {
		return ""
	}
	return p.path(prefix, key)
}

func (p *parser) logPath(prefix, key string) string {
	v := p.str(key)
	if v == "off" || v == "" {
		return "off"
	}
	return p.path(prefix, key)
}

func (p *parser) headerSet(key string) map[string]bool {
	set := map[string]bool{}
	for _, h := range p.list(key) {
		if strings.EqualFold(h, "off") {
			return map[string]bool{}
		}
		set[strings.ToLower(h)] = true
	}
	return set
}

func (p *parser) prefixes(key string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range p.list(key) {
		if item == "unix:" {
			continue
		}
		if strings.Contains(item, "/") {
			pfx, err := netip.ParsePrefix(item)
			if err != nil {
				p.fail(key, fmt.Sprintf("invalid ip or cidr range: '%s'", item))
				continue
			}
			out = append(out, pfx.Masked())
			continue
		}
		addr, err := netip.ParseAddr(item)
		if err != nil {
			p.fail(key, fmt.Sprintf("invalid ip or cidr range: '%s'", item))
			continue
		}
		out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return out
}

// listeners parses "addr[:port] [ssl] [http2] [other flags], ...".
func (p *parser) listeners(key string) []Listener {
	if strings.EqualFold(p.str(key), "off") {
		return nil
	}
	var out []Listener
	for _, item := range p.list(key) {
		fields := strings.Fields(item)
		l := Listener{Addr: fields[0]}
		if _, _, err := splitHostPort(l.Addr); err != nil {
			p.fail(key, err.Error())
			continue
		}
		for _, flag := range fields[1:] {
			switch flag {
			case "ssl":
				l.SSL = true
			case "http2":
				l.HTTP2 = true
			case "reuseport", "deferred", "bind", "backlog", "proxy_protocol":
				// Accepted for kong.conf compatibility; they have no effect here.
			default:
				if !strings.HasPrefix(flag, "backlog=") {
					p.fail(key, fmt.Sprintf("unknown listener flag %q", flag))
				}
			}
		}
		out = append(out, l)
	}
	return out
}
