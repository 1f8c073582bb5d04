// Package snapshot holds the compiled, immutable configuration the proxy
// serves from. A Snapshot is built from the store, published through a
// Holder with an atomic pointer swap, and never changed afterwards:
// requests in flight keep the snapshot they started with.
package snapshot

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/router"
)

// Service is a compiled service entity.
type Service struct {
	ID       string
	Name     string
	Protocol string // http or https (others are rejected by the proxy)
	Host     string
	// Addr is Host parsed, when it is an IP literal (invalid otherwise).
	Addr netip.Addr
	Port int
	// HostHeader is the Host sent upstream when neither a plugin nor
	// preserve_host decides it: Host, plus the port unless it is the
	// protocol's default.
	HostHeader string
	// Path is the service path; "" when null.
	Path           string
	Retries        int
	ConnectTimeout time.Duration
	WriteTimeout   time.Duration
	ReadTimeout    time.Duration
	// TLSVerify is nil when unset (the node default applies).
	TLSVerify      *bool
	TLSVerifyDepth *int
	Enabled        bool
	// Info is what plugins see of the service.
	Info *plugin.ServiceInfo
	// ProxyCache is the data plane's scratch space for this service (its
	// usual upstream pool), valid as long as the snapshot.
	ProxyCache atomic.Value
}

// Route is a compiled route entity; router.Route.Data points at it.
type Route struct {
	ID                      string
	Name                    string
	Service                 *Service // nil when the route has no service
	Protocols               []string
	StripPath               bool
	PreserveHost            bool
	HTTPSRedirectStatusCode int
	RequestBuffering        bool
	ResponseBuffering       bool
	// Info is what plugins see of the route.
	Info *plugin.RouteInfo
	// Plugins is the route's precomputed plugin chain (empty, never nil,
	// in compiled snapshots).
	Plugins *plugin.Chain
}

// Snapshot is one compiled configuration.
type Snapshot struct {
	Router   *router.Router
	Services map[string]*Service
	Routes   map[string]*Route
	// Plugins is the compiled plugin configuration; nil when the snapshot
	// was compiled without a plugin registry.
	Plugins *plugin.Set
	// HasPlugins is true when at least one plugin instance is enabled, so
	// the proxy can skip the plugin phases entirely otherwise.
	HasPlugins bool
	// Directory holds the consumers and credentials authentication
	// plugins look up.
	Directory *authn.Directory
	// Upstreams are the balancers of the upstream entities, keyed by
	// upstream name: a service whose host equals a key is balanced over
	// that upstream's targets. Nil when compiled without a balancer
	// Manager. Balancers are long-lived (owned by the Manager), so the
	// same *Balancer appears in successive snapshots.
	Upstreams map[string]*balancer.Balancer
	// Version increases with every published snapshot.
	Version uint64
	BuiltAt time.Time
}

// Holder publishes the current snapshot to readers without locks.
type Holder struct {
	p       atomic.Pointer[Snapshot]
	version atomic.Uint64
}

// Load returns the current snapshot (nil before the first Store).
func (h *Holder) Load() *Snapshot { return h.p.Load() }

// Store publishes s, stamping its Version.
func (h *Holder) Store(s *Snapshot) {
	s.Version = h.version.Add(1)
	h.p.Store(s)
}
