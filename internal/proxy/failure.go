package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/h1"
)

// FailureClass names why an upstream attempt failed. The values appear in
// logs and on the Strait-Upstream-Error debug header.
type FailureClass string

// Failure classes, from the earliest step of an attempt to the latest.
const (
	FailNone           FailureClass = ""
	FailDNSNotFound    FailureClass = "dns-not-found"
	FailDNSError       FailureClass = "dns-error"
	FailConnectRefused FailureClass = "connect-refused"
	FailConnectTimeout FailureClass = "connect-timeout"
	FailConnect        FailureClass = "connect-error"
	FailTLS            FailureClass = "tls-error"
	FailWriteTimeout   FailureClass = "write-timeout"
	FailReadTimeout    FailureClass = "read-timeout"
	FailReset          FailureClass = "connection-reset"
	FailBadResponse    FailureClass = "bad-response"
	FailClientAbort    FailureClass = "client-abort"
	// FailNoPeer: the service host is an upstream whose balancer had no
	// address to offer.
	FailNoPeer FailureClass = "no-peer"
)

// Messages of gateway-generated errors (exact strings clients match).
const (
	msgNoRoute         = "no Route matched with those values"
	msgNoService       = "no Service found with those values"
	msgUseHTTPS        = "Please use HTTPS protocol"
	msgNameResolution  = "name resolution failed"
	msgInvalidResponse = "An invalid response was received from the upstream server"
	msgTimingOut       = "The upstream server is timing out"
	msgURITooLong      = "URI too long"
	msgHeaderTooLarge  = "Request header or cookie too large"
	msgBadRequest      = "Bad request"
	msgUnexpected      = "An unexpected error occurred"
	msgRequestTimeout  = "Request timeout"
	msgNoPeer          = "failure to get a peer from the ring-balancer"
)

// statusClientClosed is logged (never sent) when the client went away.
const statusClientClosed = 499

// response returns the status and message sent to the client for a
// failure class.
func (c FailureClass) response() (int, string) {
	switch c {
	case FailDNSNotFound:
		return 503, msgNameResolution
	case FailDNSError:
		return 503, msgNameResolution
	case FailConnectTimeout, FailWriteTimeout, FailReadTimeout:
		return 504, msgTimingOut
	case FailClientAbort:
		return statusClientClosed, ""
	case FailNoPeer:
		return 503, msgNoPeer
	default:
		return 502, msgInvalidResponse
	}
}

// retriable reports whether another attempt may follow this failure: only
// failures where the upstream cannot have processed the request.
func (c FailureClass) retriable() bool {
	switch c {
	case FailConnectRefused, FailConnectTimeout, FailConnect, FailReset:
		return true
	}
	return false
}

// resolveError is returned by the dialer when the upstream name could not
// be resolved.
type resolveError struct {
	host string
	err  error
}

func (e *resolveError) Error() string { return "resolve " + e.host + ": " + e.err.Error() }
func (e *resolveError) Unwrap() error { return e.err }

// dialError is returned by the dialer when connecting to a resolved
// address failed; it carries the address for the logs.
type dialError struct {
	addr netip.AddrPort
	err  error
}

func (e *dialError) Error() string { return "connect " + e.addr.String() + ": " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// tlsError is returned by the TLS dialer when the handshake failed.
type tlsError struct {
	addr netip.AddrPort
	err  error
}

func (e *tlsError) Error() string {
	return "tls handshake with " + e.addr.String() + ": " + e.err.Error()
}
func (e *tlsError) Unwrap() error { return e.err }

// classifyAttempt maps the error of one upstream attempt (getting a
// connection, sending the request, reading the response head or body) to
// a failure class.
func classifyAttempt(err error) FailureClass {
	var se *h1.SourceError
	if errors.As(err, &se) {
		return FailClientAbort
	}
	var ue *h1.UpstreamError
	if errors.As(err, &ue) {
		switch ue.Kind {
		case h1.KindDial:
			return classifyConnect(ue.Err)
		case h1.KindTimeout:
			if ue.Op == "write" {
				return FailWriteTimeout
			}
			return FailReadTimeout
		case h1.KindBadResponse:
			return FailBadResponse
		}
		if isTLSError(ue.Err) {
			return FailTLS
		}
		return FailReset
	}
	return classifyConnect(err)
}

// classifyConnect classifies a failure to obtain a connection: name
// resolution, TCP connect or TLS handshake.
func classifyConnect(err error) FailureClass {
	var re *resolveError
	if errors.As(err, &re) {
		var dnsErr *net.DNSError
		if errors.Is(err, dns.ErrNotFound) || (errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
			return FailDNSNotFound
		}
		return FailDNSError
	}
	var de *dialError
	if errors.As(err, &de) {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return FailConnectRefused
		case isTimeout(err):
			return FailConnectTimeout
		}
		return FailConnect
	}
	var te *tlsError
	if errors.As(err, &te) {
		if isTimeout(err) {
			return FailConnectTimeout
		}
		return FailTLS
	}
	if isTimeout(err) {
		return FailConnectTimeout
	}
	if isTLSError(err) {
		return FailTLS
	}
	return FailConnect
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

func isTLSError(err error) bool {
	var (
		certErr    *tls.CertificateVerificationError
		alert      tls.AlertError
		recordErr  tls.RecordHeaderError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &alert) || errors.As(err, &recordErr) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return true
	}
	return strings.Contains(err.Error(), "tls: ")
}

// bodyTimedOut reports whether a failed attempt is the client's request
// body not arriving within the read timeout.
func bodyTimedOut(err error) bool {
	var se *h1.SourceError
	if !errors.As(err, &se) {
		return false
	}
	var ne net.Error
	return errors.As(se.Err, &ne) && ne.Timeout()
}
