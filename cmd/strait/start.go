package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/straitgw/strait/internal/admin"
	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/config"
	"github.com/straitgw/strait/internal/dns"
	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugins/bundled"
	"github.com/straitgw/strait/internal/plugins/prometheus"
	"github.com/straitgw/strait/internal/proxy"
	"github.com/straitgw/strait/internal/snapshot"
	"github.com/straitgw/strait/internal/version"
)

// drainTimeout bounds how long a stopping node waits for requests in flight.
const drainTimeout = 10 * time.Second

func cmdStart(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf confFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := cf.load()
	if err != nil {
		fmt.Fprintf(stderr, "strait: invalid configuration: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "strait: %v\n", err)
		return 1
	}
	return 0
}

// serve runs a node until ctx is cancelled, then drains and stops it.
func serve(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	for _, dir := range []string{cfg.Prefix, filepath.Join(cfg.Prefix, "logs"), filepath.Join(cfg.Prefix, "ssl")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating prefix: %w", err)
		}
	}
	errorLog, closeErrorLog, err := openLog(cfg.ProxyErrorLog, stderr)
	if err != nil {
		return fmt.Errorf("opening error log: %w", err)
	}
	defer closeErrorLog()
	if errorLog == nil {
		errorLog = io.Discard
	}
	logger := slog.New(slog.NewJSONHandler(errorLog, &slog.HandlerOptions{Level: slogLevel(cfg.LogLevel)}))
	defer setupTelemetry(cfg, logger)()

	accessLog, closeAccessLog, err := openLog(cfg.ProxyAccessLog, stderr)
	if err != nil {
		return fmt.Errorf("opening access log: %w", err)
	}
	defer closeAccessLog()

	reg, plugins, err := registries()
	if err != nil {
		return err
	}
	st, loader, err := openStore(ctx, cfg, reg)
	if err != nil {
		return err
	}
	defer st.Close()

	plugins.SetLogger(logger)

	resolver, err := dns.New(dns.Config{
		HostsPath:      cfg.DNSHostsFile,
		ResolvConfPath: cfg.DNSResolvConf,
		Nameservers:    nameservers(cfg.DNSResolver),
		StaleGrace:     cfg.DNSStaleTTL,
		NotFoundTTL:    cfg.DNSNotFoundTTL,
	})
	if err != nil {
		return fmt.Errorf("setting up name resolution: %w", err)
	}
	// The balancers outlive configuration rebuilds (health state, DNS
	// refresh, active probes); they stop once the listeners drained.
	balancers := balancer.NewManager(balancer.Options{Resolver: resolver, Logger: logger})
	defer balancers.Close()
	prometheus.Default.SetUpstreamHealth(balancers.Report)

	holder := &snapshot.Holder{}
	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	watcher := snapshot.NewWatcher(st, reg, holder, logger).WithPlugins(plugins).WithBalancers(balancers)
	if err := startWatcher(runCtx, watcher); err != nil {
		return fmt.Errorf("building configuration: %w", err)
	}

	px := proxy.New(proxyOptions(cfg, logger, accessLog, resolver), holder)
	defer px.Close()

	hostname, _ := os.Hostname()
	api := admin.New(st, reg, withDeclarative(admin.Options{
		Version:       version.Kong,
		NodeID:        nodeID(),
		ServerStats:   proxyServerStats,
		Hostname:      hostname,
		Database:      cfg.Database,
		Configuration: cfg.Masked(),
		Plugins:       bundled.Priorities(plugins),
		PluginSchema:  reg.Get("plugins").PluginJSON,
		MaxBodyBytes:  cfg.AdminMaxBodySize,
		Balancers:     balancers,
		Logger:        logger,
	}, loader))

	var tlsConfig *tls.Config
	if needsTLS(cfg.ProxyListen) {
		cert, err := loadOrCreateCertificate(cfg)
		if err != nil {
			return err
		}
		tlsConfig = &tls.Config{
			Certificates:       []tls.Certificate{cert},
			MinVersion:         tls.VersionTLS12,
			GetConfigForClient: proxy.CertificatePhase(holder),
		}
	}

	// stoppable is a listener's server: net/http for the Admin API,
	// status and HTTP/2 proxy listeners, h1 for HTTP/1.1 proxy listeners.
	type stoppable interface {
		Shutdown(context.Context) error
		Close() error
	}
	type running struct {
		srv  stoppable
		addr string
	}
	var servers []running
	var wg sync.WaitGroup
	serveErr := make(chan error, 8)
	serveOn := func(srv stoppable, serve func(net.Listener) error, ln net.Listener, l config.Listener, kind string) {
		servers = append(servers, running{srv, l.Addr})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, h1.ErrServerClosed) {
				serveErr <- fmt.Errorf("%s listener %s: %w", kind, l.Addr, err)
			}
		}()
		logger.Info("listening", "kind", kind, "addr", ln.Addr().String(), "ssl", l.SSL, "http2", l.HTTP2)
	}
	start := func(srv *http.Server, l config.Listener, kind string) error {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			return fmt.Errorf("%s listener %s: %w", kind, l.Addr, err)
		}
		if l.SSL {
			srv.TLSConfig = tlsConfig.Clone()
			if l.HTTP2 {
				srv.TLSConfig.NextProtos = []string{"h2", "http/1.1"}
			} else {
				srv.TLSConfig.NextProtos = []string{"http/1.1"}
				srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
			}
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
		serveOn(srv, srv.Serve, ln, l, kind)
		return nil
	}
	var h1Servers []*h1.Server
	prometheus.Default.SetOffLoop(func() map[string]uint64 {
		counts := px.OffLoop()
		for _, srv := range h1Servers {
			counts["body"] += srv.OffLoopRequests()
		}
		return counts
	})
	// startH1 serves an HTTP/1.1 proxy listener (plain or TLS) with the
	// h1 engine; connections are counted for /status and the metrics.
	startH1 := func(l config.Listener) error {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			return fmt.Errorf("proxy listener %s: %w", l.Addr, err)
		}
		srv := px.NewH1Server()
		h1Servers = append(h1Servers, srv)
		srv.ReadHeaderTimeout = cfg.ClientHeaderTimeout
		srv.BodyReadTimeout = cfg.ClientBodyTimeout
		srv.IdleTimeout = cfg.KeepaliveTimeout
		srv.ConnStateHook = trackH1Connection
		serve := srv.Serve
		switch {
		case l.SSL:
			cfg := tlsConfig.Clone()
			cfg.NextProtos = []string{"http/1.1"}
			ln = tls.NewListener(ln, cfg)
		case cfg.ProxyEventLoops:
			serve = srv.ServeEvents
		}
		serveOn(srv, serve, ln, l, "proxy")
		return nil
	}
	shutdown := func() {
		drainCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
		defer cancel()
		for _, s := range servers {
			if err := s.srv.Shutdown(drainCtx); err != nil {
				logger.Warn("listener did not drain in time", "addr", s.addr, "error", err)
				_ = s.srv.Close()
			}
		}
		wg.Wait()
	}
	for _, l := range cfg.ProxyListen {
		if !l.HTTP2 {
			if err := startH1(l); err != nil {
				shutdown()
				return err
			}
			continue
		}
		srv := px.NewServer(l.Addr)
		trackConnections(srv)
		srv.ReadHeaderTimeout = cfg.ClientHeaderTimeout
		srv.IdleTimeout = cfg.KeepaliveTimeout
		srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelDebug)
		if err := start(srv, l, "proxy"); err != nil {
			shutdown()
			return err
		}
	}
	for _, l := range cfg.AdminListen {
		srv := &http.Server{
			Addr:              l.Addr,
			Handler:           withMetrics(api),
			ReadHeaderTimeout: cfg.ClientHeaderTimeout,
			IdleTimeout:       cfg.KeepaliveTimeout,
			MaxHeaderBytes:    cfg.MaxHeaderSize,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		if err := start(srv, l, "admin"); err != nil {
			shutdown()
			return err
		}
	}
	for _, l := range cfg.StatusListen {
		if err := start(newStatusServer(ctx, cfg, holder, api, logger), l, "status"); err != nil {
			shutdown()
			return err
		}
	}
	logger.Info("strait started", "version", version.Strait, "kong_version", version.Kong,
		"database", cfg.Database, "prefix", cfg.Prefix)

	select {
	case <-ctx.Done():
		logger.Info("stopping: draining requests in flight", "timeout", drainTimeout.String())
	case err := <-serveErr:
		shutdown()
		return err
	}
	shutdown()
	logger.Info("strait stopped")
	return nil
}

// nameservers adds the default DNS port to dns_resolver entries without one.
func nameservers(list []string) []string {
	out := make([]string, 0, len(list))
	for _, ns := range list {
		if _, _, err := net.SplitHostPort(ns); err != nil {
			ns = net.JoinHostPort(strings.Trim(ns, "[]"), "53")
		}
		out = append(out, ns)
	}
	return out
}

func needsTLS(ls []config.Listener) bool {
	for _, l := range ls {
		if l.SSL {
			return true
		}
	}
	return false
}

func proxyOptions(cfg *config.Config, logger *slog.Logger, accessLog io.Writer, resolver *dns.Resolver) proxy.Options {
	return proxy.Options{
		Version:                   version.Kong,
		TrustedIPs:                cfg.TrustedIPs,
		RealIPHeader:              cfg.RealIPHeader,
		RealIPRecursive:           cfg.RealIPRecursive,
		ServerTokens:              cfg.Headers["server_tokens"] || cfg.Headers["server"],
		LatencyTokens:             cfg.Headers["latency_tokens"],
		RequestIDHeader:           cfg.Headers["x-kong-request-id"],
		UpstreamRequestID:         cfg.HeadersUpstream["x-kong-request-id"],
		AllowDebugHeader:          cfg.AllowDebugHeader,
		ErrorDefaultType:          cfg.ErrorDefaultType,
		MaxURIBytes:               cfg.MaxURISize,
		MaxHeaderBytes:            cfg.MaxHeaderSize,
		MaxHeaders:                cfg.MaxHeaders,
		ProxySSLVerify:            cfg.ProxySSLVerify,
		ClientSendTimeout:         cfg.SendTimeout,
		UpstreamKeepalivePool:     cfg.UpstreamKeepalivePoolSize,
		UpstreamKeepaliveIdle:     cfg.UpstreamKeepaliveIdleTimeout,
		UpstreamKeepaliveRequests: cfg.UpstreamKeepaliveMaxRequests,
		Logger:                    logger,
		AccessLog:                 accessLog,
		Resolver:                  resolver,
	}
}

// openLog opens a log destination: "off" discards, /dev/stderr and
// /dev/stdout use the process streams, anything else is a file opened for
// appending.
func openLog(path string, stderr io.Writer) (io.Writer, func(), error) {
	switch path {
	case "off":
		return nil, func() {}, nil
	case "/dev/stderr":
		return stderr, func() {}, nil
	case "/dev/stdout":
		return os.Stdout, func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func slogLevel(level string) slog.Level {
	switch level {
	case "debug":
		return slog.LevelDebug
	case "info", "notice":
		return slog.LevelInfo
	case "warn":
		return slog.LevelWarn
	}
	return slog.LevelError
}

// startWatcher builds the first snapshot with the garbage collector held
// back: the build allocates several times what it keeps, in a heap that
// starts nearly empty, so collecting while it runs would repeat cycles
// over a growing heap and delay the first request. The garbage goes at
// the first collection afterwards.
func startWatcher(ctx context.Context, w *snapshot.Watcher) error {
	defer debug.SetGCPercent(debug.SetGCPercent(startupGCPercent))
	return w.Start(ctx)
}

// startupGCPercent is the GC target used while the first snapshot builds.
const startupGCPercent = 1000
