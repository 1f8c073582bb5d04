package proxy

import (
	"net/netip"
	"strings"

	"github.com/straitgw/strait/internal/h1"
)

// trustSet answers whether a peer address is a trusted proxy.
type trustSet struct {
	prefixes []netip.Prefix
}

func newTrustSet(prefixes []netip.Prefix) trustSet {
	t := trustSet{}
	for _, p := range prefixes {
		t.prefixes = append(t.prefixes, p.Masked())
	}
	return t
}

func (t trustSet) contains(a netip.Addr) bool {
	if !a.IsValid() || len(t.prefixes) == 0 {
		return false
	}
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePeer parses a net/http RemoteAddr ("ip:port").
func parsePeer(remote string) netip.AddrPort {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// realClientAddr applies the real-IP rules: when the peer is trusted and
// the header called name carries an address, that address replaces the
// peer. A list header uses its last element, or with recursion the last
// element that is not itself trusted (the first element when all are).
func realClientAddr(peer netip.Addr, h *h1.Header, name string, recursive bool, trust trustSet) netip.Addr {
	last := peer
	// Walk the comma-separated elements of all header lines from the end.
	for i := h.Len() - 1; i >= 0; i-- {
		f := h.At(i)
		if !eqFold(f.Name, name) {
			continue
		}
		v := h1.ViewString(f.Value)
		for v != "" {
			var item string
			if j := strings.LastIndexByte(v, ','); j >= 0 {
				item, v = v[j+1:], v[:j]
			} else {
				item, v = v, ""
			}
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			a, err := netip.ParseAddr(item)
			if err != nil {
				return peer
			}
			a = a.Unmap()
			if !recursive || !trust.contains(a) {
				return a
			}
			last = a
		}
	}
	return last
}
