package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/straitgw/strait/internal/admin"
	"github.com/straitgw/strait/internal/config"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugins/logserializer"
	"github.com/straitgw/strait/internal/plugins/prometheus"
	"github.com/straitgw/strait/internal/plugins/syslog"
	"github.com/straitgw/strait/internal/snapshot"
	"github.com/straitgw/strait/internal/version"
)

// logFlushTimeout bounds how long a stopping node spends delivering the
// log entries still queued by the log plugins.
const logFlushTimeout = 5 * time.Second

// nodeID is this process's node id, shared by the Admin API and the
// metrics.
var nodeID = sync.OnceValue(entity.NewUUID)

// setupTelemetry prepares the log plugins and the metrics exporter; call
// it before the first configuration is built. The returned function
// delivers the queued log entries and closes the log destinations; call
// it once the listeners have drained.
func setupTelemetry(cfg *config.Config, logger *slog.Logger) func() {
	syslog.SetSocketPath(cfg.SyslogSocket)
	logserializer.SetLogger(logger)
	prometheus.Default.SetNode(nodeID(), version.Kong)
	prometheus.Default.SetDatastoreReachable(true) // the embedded store is always reachable
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), logFlushTimeout)
		defer cancel()
		if err := logserializer.CloseAll(ctx); err != nil {
			logger.Warn("log plugins did not deliver every entry", "error", err)
		}
	}
}

// trackConnections counts srv's connections for the metrics and /status.
func trackConnections(srv *http.Server) {
	prev := srv.ConnState
	track := prometheus.Default.Connections.Track
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		track(c, s)
		if prev != nil {
			prev(c, s)
		}
	}
}

// trackH1Connection counts the h1 engine's connections for the metrics
// and /status.
func trackH1Connection(from, to h1.ConnState) {
	prometheus.Default.Connections.Transition(httpConnState(from), httpConnState(to))
}

// httpConnState maps an h1 connection state to net/http's.
func httpConnState(s h1.ConnState) http.ConnState {
	switch s {
	case h1.StateActive:
		return http.StateActive
	case h1.StateIdle:
		return http.StateIdle
	case h1.StateClosed:
		return http.StateClosed
	}
	return http.StateNew
}

// proxyServerStats reports the proxy listeners' connection counters to
// the Admin API's /status.
func proxyServerStats() admin.ServerStats {
	s := prometheus.Default.Connections.Stats()
	return admin.ServerStats{
		ConnectionsAccepted: s.Accepted,
		ConnectionsActive:   s.Active,
		ConnectionsHandled:  s.Handled,
		ConnectionsReading:  s.Reading,
		ConnectionsWaiting:  s.Waiting,
		ConnectionsWriting:  s.Writing,
		TotalRequests:       s.Requests,
	}
}

// withMetrics serves GET /metrics from the exporter and everything else
// from next (the Admin API).
func withMetrics(next http.Handler) http.Handler {
	metrics := prometheus.Default.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			metrics.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newStatusServer builds a status_listen server: GET /status (the Admin
// API's document), GET /status/ready and GET /metrics. Readiness turns
// to 503 "draining" once ctx ends.
func newStatusServer(ctx context.Context, cfg *config.Config, holder *snapshot.Holder, api http.Handler, logger *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", prometheus.Default.Handler())
	mux.Handle("GET /status", api)
	mux.HandleFunc("GET /status/ready", func(w http.ResponseWriter, _ *http.Request) {
		switch {
		case ctx.Err() != nil:
			writeStatusMessage(w, http.StatusServiceUnavailable, "draining")
		case holder.Load() == nil:
			writeStatusMessage(w, http.StatusServiceUnavailable, "no configuration available")
		default:
			writeStatusMessage(w, http.StatusOK, "ready")
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeStatusMessage(w, http.StatusNotFound, "Not found")
	})
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: cfg.ClientHeaderTimeout,
		IdleTimeout:       cfg.KeepaliveTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderSize,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// writeStatusMessage writes Kong's {"message": ...} body; messages are
// fixed strings that need no escaping.
func writeStatusMessage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(`{"message":"` + message + `"}`))
}
