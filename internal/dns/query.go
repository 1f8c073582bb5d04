package dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// answer is the outcome of querying the nameservers for one name.
type answer struct {
	addrs []netip.Addr
	ttl   time.Duration
}

// queryName resolves name through the search list (resolv.conf "search"
// and "ndots"), asking for A records first and AAAA records when a name
// has no A records.
func (r *Resolver) queryName(ctx context.Context, name string) (answer, error) {
	var lastErr error
	for _, candidate := range r.nameList(name) {
		for _, qtype := range [...]uint16{mdns.TypeA, mdns.TypeAAAA} {
			ans, err := r.queryType(ctx, candidate, qtype)
			if err == nil && len(ans.addrs) > 0 {
				return ans, nil
			}
			if err != nil {
				lastErr = err
				if errors.Is(err, ErrNotFound) {
					break // NXDOMAIN covers every record type
				}
			}
		}
	}
	if lastErr == nil || errors.Is(lastErr, ErrNotFound) {
		return answer{}, fmt.Errorf("lookup %s: %w", name, ErrNotFound)
	}
	return answer{}, lastErr
}

// nameList returns the fully qualified names to try, in order.
func (r *Resolver) nameList(name string) []string {
	if r.clientConfig == nil {
		return []string{mdns.Fqdn(name)}
	}
	return r.clientConfig.NameList(name)
}

// queryType asks each nameserver in turn for one record type of fqdn.
// An authoritative NXDOMAIN ends the search with ErrNotFound; other
// failures move on to the next nameserver.
func (r *Resolver) queryType(ctx context.Context, fqdn string, qtype uint16) (answer, error) {
	if len(r.servers) == 0 {
		return answer{}, fmt.Errorf("lookup %s: no nameservers configured: %w", fqdn, ErrServerFailure)
	}
	msg := new(mdns.Msg)
	msg.SetQuestion(fqdn, qtype)
	msg.RecursionDesired = true

	var lastErr error
	for attempt := 0; attempt < r.attempts; attempt++ {
		for _, server := range r.servers {
			resp, err := r.exchange(ctx, msg, server)
			if err != nil {
				lastErr = fmt.Errorf("query %s %s at %s: %v: %w", fqdn, mdns.TypeToString[qtype], server, err, ErrServerFailure)
				if ctx.Err() != nil {
					return answer{}, lastErr
				}
				continue
			}
			switch resp.Rcode {
			case mdns.RcodeSuccess:
				return r.collect(resp, qtype), nil
			case mdns.RcodeNameError:
				return answer{}, fmt.Errorf("lookup %s: %w", fqdn, ErrNotFound)
			default:
				lastErr = fmt.Errorf("query %s %s at %s: rcode %s: %w", fqdn, mdns.TypeToString[qtype], server,
					mdns.RcodeToString[resp.Rcode], ErrServerFailure)
			}
		}
	}
	return answer{}, lastErr
}

// exchange sends msg over UDP, retrying over TCP when the answer was
// truncated.
func (r *Resolver) exchange(ctx context.Context, msg *mdns.Msg, server string) (*mdns.Msg, error) {
	qctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, _, err := r.udp.ExchangeContext(qctx, msg, server)
	if err != nil {
		return nil, err
	}
	if resp.Truncated {
		resp, _, err = r.tcp.ExchangeContext(qctx, msg, server)
		if err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// collect extracts the addresses of type qtype from an answer section and
// the smallest TTL among them (CNAME records in the chain are skipped).
func (r *Resolver) collect(resp *mdns.Msg, qtype uint16) answer {
	var ans answer
	minTTL := uint32(0)
	first := true
	for _, rr := range resp.Answer {
		var addr netip.Addr
		switch v := rr.(type) {
		case *mdns.A:
			if qtype != mdns.TypeA {
				continue
			}
			a, ok := netip.AddrFromSlice(v.A.To4())
			if !ok {
				continue
			}
			addr = a
		case *mdns.AAAA:
			if qtype != mdns.TypeAAAA {
				continue
			}
			a, ok := netip.AddrFromSlice(v.AAAA.To16())
			if !ok {
				continue
			}
			addr = a
		default:
			continue
		}
		ans.addrs = append(ans.addrs, addr)
		if ttl := rr.Header().Ttl; first || ttl < minTTL {
			minTTL, first = ttl, false
		}
	}
	ans.ttl = time.Duration(minTTL) * time.Second
	if ans.ttl < r.minTTL {
		ans.ttl = r.minTTL
	}
	return ans
}
