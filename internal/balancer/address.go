package balancer

import (
	"errors"
	"net/netip"
	"strconv"
	"time"
)

// ErrNoPeer reports that the balancer has no address to offer: no
// targets, only weight-0 targets, every address unhealthy, or the healthy
// weight at or below the upstream's threshold. The proxy answers it with
// 503 and this exact message.
var ErrNoPeer = errors.New("failure to get a peer from the ring-balancer")

// ErrNotResolved is wrapped by a DNSError whose name has not been
// resolved yet.
var ErrNotResolved = errors.New("name not resolved yet")

// ErrNoResolver is wrapped by a DNSError when a hostname target exists but
// the Manager was built without a Resolver.
var ErrNoResolver = errors.New("no resolver configured for hostname targets")

// DNSError reports that the balancer has no address because hostname
// targets could not be resolved. Err is the resolver's error, so
// errors.Is(err, dns.ErrNotFound) tells a missing name from a server
// failure.
type DNSError struct {
	// Target is the target (host:port) whose name failed.
	Target string
	Err    error
}

// Error implements error.
func (e *DNSError) Error() string {
	return "resolving target " + e.Target + ": " + e.Err.Error()
}

// Unwrap returns the resolver's error.
func (e *DNSError) Unwrap() error { return e.Err }

// Address is one resolved address of a target, as returned by Pick.
type Address struct {
	IP   netip.Addr
	Port int
	// Target is the target as configured (normalised host:port).
	Target string
	// Hostname is the target's host without port or brackets: the name of
	// a hostname target, the IP literal of an IP target. The proxy derives
	// the upstream Host header from it.
	Hostname string

	// ep is the address's runtime state; tracked records that Pick
	// counted a connection Done must release.
	ep      *endpoint
	tracked bool
}

// String returns ip:port (IPv6 in brackets).
func (a Address) String() string {
	return netip.AddrPortFrom(a.IP, uint16(a.Port)).String()
}

// same reports whether a and b are the same address of the same target.
func (a *Address) same(b *Address) bool {
	return a.Port == b.Port && a.IP == b.IP && (a.Target == b.Target || a.Target == "" || b.Target == "")
}

// Failure classifies an attempt that got no HTTP response.
type Failure uint8

// Failures an attempt can end with.
const (
	// NoFailure means an HTTP response was received (Outcome.Status).
	NoFailure Failure = iota
	// TCPFailure is a connection that could not be made or broke before
	// a response was read.
	TCPFailure
	// Timeout is a connect, write or read timeout.
	Timeout
)

// Outcome is what happened to one attempt against a picked address.
type Outcome struct {
	Failure Failure
	// Status is the HTTP status received; 0 with a Failure.
	Status int
	// Latency is the time to the response headers (or to the failure);
	// 0 when unknown. It feeds the latency algorithm.
	Latency time.Duration
}

// HashInput supplies the request values consistent hashing can key on.
// Every getter returns "" when the value is absent. Implementations
// should be pointer types held by the caller so passing one does not
// allocate.
type HashInput interface {
	// Consumer is the authenticated consumer id, else the credential id.
	Consumer() string
	// ClientIP is the client address (after real-ip processing).
	ClientIP() string
	// Header is the value of a request header, multiple values joined.
	Header(name string) string
	// Cookie is the value of a request cookie.
	Cookie(name string) string
	// Path is the normalised request path.
	Path() string
	// QueryArg is the value of a query argument.
	QueryArg(name string) string
	// URICapture is a named or numbered capture of the matched route path.
	URICapture(name string) string
}

// parseAddress parses "ip" or "ip:port" ("[ipv6]:port"), defaulting the
// port to 8000 as the Admin API does.
func parseAddress(s string) (netip.Addr, int, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone(""), int(ap.Port()), nil
	}
	trimmed := s
	if len(trimmed) > 1 && trimmed[0] == '[' && trimmed[len(trimmed)-1] == ']' {
		trimmed = trimmed[1 : len(trimmed)-1]
	}
	ip, err := netip.ParseAddr(trimmed)
	if err != nil {
		return netip.Addr{}, 0, errors.New("invalid address '" + s + "'")
	}
	return ip.WithZone(""), defaultTargetPort, nil
}

const defaultTargetPort = 8000

// splitTarget splits a normalised target "host:port" or "[v6]:port".
func splitTarget(t string) (host string, port int) {
	i := len(t) - 1
	for i >= 0 && t[i] != ':' {
		i--
	}
	if i < 0 {
		return t, defaultTargetPort
	}
	p, err := strconv.Atoi(t[i+1:])
	if err != nil {
		return t, defaultTargetPort
	}
	host = t[:i]
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host, p
}
