package plugin

import (
	"errors"
	"net/netip"
	"time"
)

// ErrBodyTooLarge is returned by Request.Body when the request body is
// larger than the engine is willing to buffer. Security plugins must treat
// it as a reason to deny the request, not to skip inspection.
var ErrBodyTooLarge = errors.New("request body too large to inspect")

// Header is one response header set by Context.Exit.
type Header struct {
	Name  string
	Value string
}

// Request is the request a plugin sees (kong.request and
// kong.service.request in one). Reads reflect changes made by earlier
// plugins; changes apply to the request sent upstream. Header names are
// case-insensitive. Implementations read the engine's own storage and do
// not allocate for Header, Query or the getters.
type Request interface {
	// Method is the request method ("GET").
	Method() string
	// Scheme is "http" or "https" as seen by the gateway.
	Scheme() string
	// Host is the Host header without its port.
	Host() string
	// Port is the port of the Host header, or the listener port.
	Port() int
	// Path is the normalized request path (percent-decoded where safe,
	// dot segments and duplicate slashes removed), without the query.
	Path() string
	// RawQuery is the query string without the leading "?".
	RawQuery() string
	// Query returns the first value of query argument name and whether
	// the argument is present. A flag argument ("?debug") is present with
	// an empty value.
	Query(name string) (string, bool)
	// Header returns the first value of header name, or "".
	Header(name string) string
	// HeaderValues returns every value of header name in order; it may
	// allocate, so prefer Header for single-valued headers.
	HeaderValues(name string) []string
	// RangeHeaders calls fn for each header in order until fn returns
	// false. Names are given as received.
	RangeHeaders(fn func(name, value string) bool)

	// SetHeader replaces every value of header name with value.
	SetHeader(name, value string)
	// AddHeader appends a value to header name.
	AddHeader(name, value string)
	// DelHeader removes header name.
	DelHeader(name string)
	// SetQuery replaces every value of query argument name.
	SetQuery(name, value string)
	// DelQuery removes query argument name.
	DelQuery(name string)
	// SetRawQuery replaces the whole query string sent upstream.
	SetRawQuery(query string)
	// SetPath replaces the path sent upstream.
	SetPath(path string)

	// Body reads the request body into memory (once; later calls return
	// the same bytes). It returns ErrBodyTooLarge, wrapped, when the body
	// exceeds the engine's buffering limit.
	Body() ([]byte, error)
	// SetBody replaces the body sent upstream (Content-Length follows).
	SetBody(body []byte)

	// ClientIP is the address of the client as trusted by the gateway
	// (the peer, or the forwarded address from a trusted proxy).
	ClientIP() netip.Addr
}

// Response sources, as kong.response.get_source reports them.
const (
	// SourceService: the response came from the upstream service.
	SourceService = "service"
	// SourceExit: a plugin or the gateway ended the request with Exit or
	// Error.
	SourceExit = "exit"
	// SourceError: the gateway failed to get a response (upstream error).
	SourceError = "error"
)

// Response is the response a plugin sees in the header and body filter
// phases (kong.response). Header names are case-insensitive; changes made
// in HeaderFilter reach the client.
type Response interface {
	// Status is the response status code.
	Status() int
	// SetStatus replaces the status code (header filter phase only).
	SetStatus(status int)
	// Source tells where the response comes from: SourceService,
	// SourceExit or SourceError.
	Source() string
	// Header returns the first value of header name, or "".
	Header(name string) string
	// HeaderValues returns every value of header name; it may allocate.
	HeaderValues(name string) []string
	// RangeHeaders calls fn for each header in order until fn returns
	// false.
	RangeHeaders(fn func(name, value string) bool)
	// SetHeader replaces every value of header name with value.
	SetHeader(name, value string)
	// SetHeaderBytes is SetHeader for a value held in a buffer: the value
	// is copied, so the caller may reuse the buffer at once (a value
	// formatted per request needs no string of its own).
	SetHeaderBytes(name string, value []byte)
	// AddHeader appends a value to header name.
	AddHeader(name, value string)
	// DelHeader removes header name.
	DelHeader(name string)
}

// Context is one request as the plugins of its chain see it. It is only
// valid during the phase call that received it; plugins must not keep it
// after returning (log-phase work receives a LogRecord instead).
type Context interface {
	// Request is the client request (and its upstream form).
	Request() Request
	// Response is the response; it is meaningful from the header filter
	// phase on, or after Exit.
	Response() Response

	// Route is the matched route, nil before routing or when no route
	// matched.
	Route() *RouteInfo
	// Service is the matched route's service, nil when there is none.
	Service() *ServiceInfo

	// Consumer is the authenticated consumer, or nil.
	Consumer() *Consumer
	// Credential is the credential that authenticated the consumer, or
	// nil (anonymous consumers have none).
	Credential() *Credential
	// Authenticate records the consumer and credential that identify the
	// client (kong.client.authenticate). Consumer-scoped plugin instances
	// apply to plugins whose turn comes after this call.
	Authenticate(consumer *Consumer, credential *Credential)

	// Exit ends the request with status, body and headers
	// (kong.response.exit). Later access plugins do not run; the response
	// and log phases still run for the plugins that already ran.
	Exit(status int, body []byte, headers ...Header)
	// Error ends the request with Kong's error body for status: message
	// and request_id, formatted from the request's Accept header, JSON
	// by default (kong.response.error). An empty message selects the
	// default message for status.
	Error(status int, message string)
	// Exited reports whether Exit or Error was called.
	Exited() bool

	// Get returns the per-request value stored under key, or nil
	// (kong.ctx.shared).
	Get(key string) any
	// Set stores a per-request value shared by all plugins of the
	// request.
	Set(key string, value any)

	// RequestID is the request's id (X-Kong-Request-Id, 32 hex digits).
	RequestID() string
	// Now is the engine's cached current time.
	Now() time.Time

	// LogRecord returns the immutable record of the finished request.
	// The engine builds it at most once, on first call in the log phase.
	LogRecord() *LogRecord
}

// CertificateContext is what a plugin sees during the TLS handshake.
type CertificateContext interface {
	// ServerName is the SNI the client sent, or "".
	ServerName() string
	// ClientIP is the peer address.
	ClientIP() netip.Addr
}
