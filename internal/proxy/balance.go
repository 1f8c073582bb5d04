package proxy

import (
	"errors"
	"net"
	"net/http"
	"net/netip"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/h1"
)

// A service whose host equals the name of an upstream is load balanced:
// every attempt asks the upstream's balancer for an address (the service
// port is ignored), reports the attempt's outcome back to it exactly
// once, and retries avoid the addresses that already failed.

// pickPeer asks the balancer for the address of the next attempt and
// points key at it. It returns the failure class and the balancer's
// error when no address can be had.
func (p *Proxy) pickPeer(ex *exchange, key *poolKey) (FailureClass, error) {
	addr, ok, err := ex.bal.Pick(&ex.hashIn, ex.excluded...)
	if !ok {
		return classifyPick(err), err
	}
	ex.peer = addr
	key.addr = netip.AddrPortFrom(addr.IP, uint16(addr.Port))
	key.host, key.port = addr.Hostname, addr.Port
	ex.upstreamHost = addr.Hostname
	ex.upstreamAddr = key.addr
	return FailNone, nil
}

// classifyPick maps a balancer's refusal to a failure class: no address
// at all, a hostname target that does not exist, or another DNS failure.
func classifyPick(err error) FailureClass {
	var de *balancer.DNSError
	if !errors.As(err, &de) {
		return FailNoPeer
	}
	var ne *net.DNSError
	if errors.Is(err, dns.ErrNotFound) || (errors.As(err, &ne) && ne.IsNotFound) {
		return FailDNSNotFound
	}
	return FailDNSError
}

// failPick answers a request whose balancer had no address for attempt
// try. On a retry the previous attempt's failure is what the client
// sees; on the first attempt the balancer's refusal is.
func (p *Proxy) failPick(ex *exchange, try int, class FailureClass, err error) {
	ex.upstreamAddr = netip.AddrPort{}
	p.logFailure(ex, try, class, err)
	if try > 1 {
		status, msg := ex.failure.response()
		p.respondError(ex, status, msg, producerServer)
		return
	}
	ex.failure = class
	if class == FailDNSError {
		msg := err.Error()
		var de *balancer.DNSError
		if errors.As(err, &de) {
			msg = de.Err.Error()
		}
		p.respondError(ex, http.StatusInternalServerError, msg, producerServer)
		return
	}
	status, msg := class.response()
	p.respondError(ex, status, msg, producerServer)
}

// peerHost builds the Host sent to the picked address: the upstream's
// host_header, else the target's hostname, plus the target port unless
// it is the scheme's default.
func (p *Proxy) peerHost(ex *exchange, scheme string) []byte {
	name := ex.bal.HostHeader()
	if name == "" {
		name = ex.peer.Hostname
	}
	start := len(ex.fwd)
	ex.fwd = appendServiceHost(ex.fwd, name, ex.peer.Port, scheme)
	return ex.fwd[start:len(ex.fwd):len(ex.fwd)]
}

// outcomeOf is what the balancer learns from a failed attempt: a timeout,
// a TCP-level failure, or nothing when the client went away. Failures
// carry no latency so that they never make an address look fast.
func outcomeOf(class FailureClass) balancer.Outcome {
	switch class {
	case FailClientAbort:
		return balancer.Outcome{}
	case FailConnectTimeout, FailWriteTimeout, FailReadTimeout:
		return balancer.Outcome{Failure: balancer.Timeout}
	}
	return balancer.Outcome{Failure: balancer.TCPFailure}
}

// sniOf is the TLS server name for a Host value: the name without port
// or IPv6 brackets.
func sniOf(host []byte) string {
	name, _ := h1.SplitHostPort(host)
	if len(name) > 1 && name[0] == '[' && name[len(name)-1] == ']' {
		name = name[1 : len(name)-1]
	}
	return string(name)
}
