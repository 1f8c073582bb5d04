// Package admin serves Strait's Kong-compatible Admin API. Every entity
// endpoint is generated from the entity schemas held by an entity.Registry:
// one generic set of handlers covers collections, single entities, nested
// collections under a parent and the parent of an entity, so adding a schema
// adds its endpoints. Around them sit the node endpoints (/, /status,
// /schemas, /tags, /endpoints) and the transport rules Kong's clients rely on
// (headers, CORS, OPTIONS, HEAD, body decoding, error shapes).
package admin

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// DefaultMaxBodyBytes is the request body limit used when
// Options.MaxBodyBytes is zero (Kong's nginx_admin_client_max_body_size).
const DefaultMaxBodyBytes = 10 << 20

// ServerStats are the connection counters reported by GET /status.
type ServerStats struct {
	ConnectionsAccepted int64
	ConnectionsActive   int64
	ConnectionsHandled  int64
	ConnectionsReading  int64
	ConnectionsWaiting  int64
	ConnectionsWriting  int64
	TotalRequests       int64
}

// Options configures the Admin API.
type Options struct {
	// Version is the Kong-compatible version reported by GET / and in the
	// Server header ("3.10.0").
	Version string
	// NodeID is the node's UUID.
	NodeID string
	// Hostname is the node's host name.
	Hostname string
	// Database is "sqlite", "postgres" or "off".
	Database string
	// Configuration is the effective configuration shown by GET /, with
	// secrets already masked.
	Configuration map[string]any
	// Plugins maps each available plugin name to its priority.
	Plugins map[string]int
	// PluginSchema returns the /schemas/plugins/{name} document of an
	// available plugin. When nil, or when it reports false, the plugins
	// schema renders it (Schema.PluginJSON, else the generic document).
	PluginSchema func(name string) (map[string]any, bool)
	// MaxBodyBytes limits request bodies (413 beyond); 0 means 10 MiB.
	MaxBodyBytes int64
	// ServerStats supplies the proxy's connection counters for /status.
	// When nil, /status reports the requests served by this handler and
	// zero connection counters.
	ServerStats func() ServerStats
	// ConfigurationHash returns the declarative configuration hash shown
	// by /status when Database is "off".
	ConfigurationHash func() string
	// DeclarativeConfig serves /config when Database is "off". In database
	// mode /config always answers 400.
	DeclarativeConfig http.Handler
	// Balancers serves the upstream health endpoints (GET
	// /upstreams/{u}/health and the healthy/unhealthy overrides of
	// targets); nil reports every target HEALTHCHECKS_OFF and refuses
	// the overrides.
	Balancers *balancer.Manager
	// Logger receives unexpected errors; nil discards them.
	Logger *slog.Logger
}

// API is the Admin API HTTP handler.
type API struct {
	st       store.Store
	reg      *entity.Registry
	opts     Options
	log      *slog.Logger
	server   string
	mux      *mux
	requests atomic.Int64
}

// New builds the Admin API over a store and the schemas of reg. With
// Options.Database "off" the store is only read: entity writes answer 405
// and the configuration changes through /config alone.
func New(st store.Store, reg *entity.Registry, opts Options) *API {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Database == "off" {
		st = readOnlyStore{st}
	}
	a := &API{st: st, reg: reg, opts: opts, log: opts.Logger, server: "kong/" + opts.Version}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.mux = newMux()
	a.registerRoutes()
	return a
}

// ServeHTTP answers one Admin API request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	lw := &latencyWriter{ResponseWriter: w, start: time.Now()}
	h := lw.Header()
	h.Set("Server", a.server)
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")

	var out http.ResponseWriter = lw
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
		out = headWriter{lw}
	}
	rt, params, raw := a.mux.match(r.URL.EscapedPath())
	if rt == nil {
		writeMessage(out, http.StatusNotFound, msgNotFound)
		return
	}
	if method == http.MethodOptions {
		allow := rt.allow()
		h.Set("Allow", allow)
		h.Set("Access-Control-Allow-Methods", allow)
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "Content-Type")
		}
		lw.WriteHeader(http.StatusNoContent)
		return
	}
	handler := rt.methods[method]
	if handler == nil {
		writeMessage(out, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	rc := &request{api: a, w: out, r: r, params: params, raw: raw}
	if err := handler(rc); err != nil {
		a.writeError(out, r, a.operationUnsupported(err, rc, rt))
	}
}

// latencyWriter stamps X-Kong-Admin-Latency when the status is written.
type latencyWriter struct {
	http.ResponseWriter
	start   time.Time
	written bool
}

// WriteHeader adds the latency header before the status goes out.
func (w *latencyWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		w.Header().Set("X-Kong-Admin-Latency", strconv.FormatInt(time.Since(w.start).Milliseconds(), 10))
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write sends the status first when the handler did not.
func (w *latencyWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// headWriter drops the body of a GET handler answering a HEAD request.
type headWriter struct{ http.ResponseWriter }

// Write pretends to write the body.
func (w headWriter) Write(b []byte) (int, error) { return len(b), nil }
