package iprestriction

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// prefixSet answers whether an address lies in any of a list of IP
// addresses and CIDR ranges. It is built once per instance: ranges are
// masked, split by family, and those covered by a wider range dropped.
type prefixSet struct {
	v4, v6 []netip.Prefix
}

// parsePrefix reads an address ("10.0.0.1", "::1") or a range
// ("10.0.0.0/8", "2001:db8::/32"); a bare address is a full-length range.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("parse range %q: %w", s, err)
		}
		if p.Addr().Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("parse range %q: zones are not allowed", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("parse address %q: invalid", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// newPrefixSet compiles entries.
func newPrefixSet(entries []string) (prefixSet, error) {
	var s prefixSet
	for _, e := range entries {
		p, err := parsePrefix(e)
		if err != nil {
			return prefixSet{}, err
		}
		if p.Addr().Is4() {
			s.v4 = append(s.v4, p)
		} else {
			s.v6 = append(s.v6, p)
		}
	}
	s.v4, s.v6 = minimize(s.v4), minimize(s.v6)
	return s, nil
}

// minimize sorts prefixes widest first and drops those inside another.
func minimize(ps []netip.Prefix) []netip.Prefix {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Bits() < ps[j].Bits() })
	out := ps[:0]
	for _, p := range ps {
		covered := false
		for _, q := range out {
			if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// empty reports whether the set holds no range.
func (s prefixSet) empty() bool { return len(s.v4) == 0 && len(s.v6) == 0 }

// contains reports whether a is in the set; IPv4-mapped IPv6 addresses
// are matched as IPv4.
func (s prefixSet) contains(a netip.Addr) bool {
	a = a.Unmap()
	list := s.v6
	if a.Is4() {
		list = s.v4
	}
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
