package plugin

import "github.com/straitgw/strait/internal/entity"

// Scope flags declare the dimensions a plugin cannot be attached to
// (Kong's no_consumer, no_route, no_service). A forbidden dimension is
// ignored when resolving which instance applies.
type Scope uint8

// Scope flags.
const (
	// NoConsumer: the plugin cannot be scoped to a consumer (auth plugins).
	NoConsumer Scope = 1 << iota
	// NoRoute: the plugin cannot be scoped to a route.
	NoRoute
	// NoService: the plugin cannot be scoped to a service.
	NoService
)

// Has reports whether every flag of f is set in s.
func (s Scope) Has(f Scope) bool { return s&f == f }

// DefaultProtocols is the protocols default shared by most plugins.
var DefaultProtocols = []string{"grpc", "grpcs", "http", "https"}

// httpProtocols are the protocols of the HTTP subsystem; instances whose
// protocols include none of them are not loaded by HTTP chains.
var httpProtocols = [...]string{"http", "https", "grpc", "grpcs"}

// Plugin describes one kind of plugin: its identity, its configuration
// schema and how to build a handler from one configuration. It is what
// the Registry holds.
type Plugin interface {
	// Name is the plugin's name ("key-auth").
	Name() string
	// Priority orders plugins within a phase, highest first; bundled
	// plugins use Kong's numbers.
	Priority() int
	// Version is the plugin's version string ("3.10.0").
	Version() string
	// ConfigSchema describes the plugin's config: a field named "config"
	// of type record whose sub-fields carry the defaults. It drives
	// validation, defaults and GET /schemas/plugins/{name}.
	ConfigSchema() *entity.Field
	// Scope tells which dimensions the plugin cannot be attached to.
	Scope() Scope
	// Protocols is the plugin's default for the protocols field.
	Protocols() []string
	// New builds a handler for one plugin instance from its config: the
	// decoded JSON object with every schema default filled. It runs once
	// per instance when a configuration is compiled, never per request,
	// so it is the place to validate and to precompute. The handler
	// implements any of the phase interfaces.
	New(config entity.Object) (Handler, error)
}

// Handler is one configured plugin instance. It implements the phase
// interfaces for the phases it takes part in; the chain detects them once,
// when the configuration is compiled. A handler is shared by concurrent
// requests and must be safe for concurrent use.
type Handler any

// Certificater runs during the TLS handshake (global instances only).
type Certificater interface {
	Certificate(ctx CertificateContext)
}

// Rewriter runs before routing (global instances only).
type Rewriter interface {
	Rewrite(ctx Context)
}

// Accesser runs after routing, with the instance resolved for the route,
// service and consumer. It may end the request with ctx.Exit or ctx.Error.
type Accesser interface {
	Access(ctx Context)
}

// HeaderFilterer runs when the response headers are known, before they
// are sent.
type HeaderFilterer interface {
	HeaderFilter(ctx Context)
}

// BodyFilterer sees the response body chunk by chunk and returns the chunk
// to send in its place (the same slice to leave it unchanged, nil to drop
// it). eof is true for the last call, whose chunk may be empty.
type BodyFilterer interface {
	BodyFilter(ctx Context, chunk []byte, eof bool) []byte
}

// Logger receives the record of each finished request. Log is called on
// the request path and must return quickly: hand the record to a LogQueue
// and do the work there.
type Logger interface {
	Log(rec *LogRecord)
}

// NonBlocking is implemented by handlers whose phases never wait: no
// network round trip, no lock another goroutine may hold for long, no
// reading of a request body that is not yet received. A request whose
// plugin instances are all non-blocking may be served on one of the
// gateway's event loops; any other request is served off them. Handlers
// that do not implement NonBlocking count as blocking.
type NonBlocking interface {
	NonBlocking() bool
}
