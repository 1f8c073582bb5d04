package proxy

import (
	"crypto/x509"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"github.com/straitgw/strait/internal/dns"
)

// Defaults applied by New for zero Options fields.
const (
	DefaultMaxURIBytes               = 8192
	DefaultMaxHeaderBytes            = 32 << 10
	DefaultMaxHeaders                = 100
	DefaultUpstreamKeepalivePool     = 512
	DefaultUpstreamKeepaliveIdle     = 60 * time.Second
	DefaultUpstreamKeepaliveRequests = 10000
	DefaultErrorType                 = "text/plain"
	DefaultReadHeaderTimeout         = 10 * time.Second
	DefaultIdleTimeout               = 75 * time.Second
	DefaultClientSendTimeout         = 60 * time.Second
)

// Options configures a Proxy.
type Options struct {
	// Version is the product version used in tokens ("kong/<Version>").
	Version string

	// TrustedIPs are the peers whose X-Forwarded-* and real-IP headers are
	// believed. RealIPHeader names the header carrying the client address
	// (e.g. "X-Real-IP" or "X-Forwarded-For"); RealIPRecursive selects the
	// last untrusted address of a list instead of the last address.
	TrustedIPs      []netip.Prefix
	RealIPHeader    string
	RealIPRecursive bool

	// ServerTokens adds Server and Via; LatencyTokens adds the latency
	// headers; RequestIDHeader adds X-Kong-Request-Id to responses and
	// UpstreamRequestID sends it upstream.
	ServerTokens, LatencyTokens, RequestIDHeader, UpstreamRequestID bool

	// AllowDebugHeader enables the Kong-Debug request header.
	AllowDebugHeader bool

	// ErrorDefaultType is the error body format used for gateway-level
	// errors when the request has neither Accept nor Content-Type.
	ErrorDefaultType string

	// MaxURIBytes (414 beyond), MaxHeaderBytes and MaxHeaders (431 beyond)
	// bound the request head.
	MaxURIBytes    int
	MaxHeaderBytes int
	MaxHeaders     int

	// ProxySSLVerify is the node default for services whose tls_verify is
	// null. UpstreamRootCAs, when set, replaces the system roots used to
	// verify upstream certificates.
	ProxySSLVerify  bool
	UpstreamRootCAs *x509.CertPool

	// Upstream keep-alive: idle connections kept per upstream, how long
	// they stay idle, and how many requests one connection serves.
	UpstreamKeepalivePool     int
	UpstreamKeepaliveIdle     time.Duration
	UpstreamKeepaliveRequests int

	// ClientSendTimeout bounds each write of a response to the client.
	ClientSendTimeout time.Duration

	// Logger receives the error log; nil logs JSON to standard error.
	Logger *slog.Logger
	// AccessLog receives one JSON object per request and line; nil
	// disables the access log.
	AccessLog io.Writer
	// Resolver resolves upstream host names; nil uses the Go resolver.
	Resolver *dns.Resolver
}

func (o *Options) applyDefaults() {
	if o.ErrorDefaultType == "" {
		o.ErrorDefaultType = DefaultErrorType
	}
	if o.MaxURIBytes <= 0 {
		o.MaxURIBytes = DefaultMaxURIBytes
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxHeaders <= 0 {
		o.MaxHeaders = DefaultMaxHeaders
	}
	if o.UpstreamKeepalivePool <= 0 {
		o.UpstreamKeepalivePool = DefaultUpstreamKeepalivePool
	}
	if o.UpstreamKeepaliveIdle <= 0 {
		o.UpstreamKeepaliveIdle = DefaultUpstreamKeepaliveIdle
	}
	if o.UpstreamKeepaliveRequests <= 0 {
		o.UpstreamKeepaliveRequests = DefaultUpstreamKeepaliveRequests
	}
	if o.ClientSendTimeout <= 0 {
		o.ClientSendTimeout = DefaultClientSendTimeout
	}
}
