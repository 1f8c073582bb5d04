// Package config reads Strait's node configuration: a strait.conf file in
// kong.conf's format and key names, overridden by STRAIT_<KEY> environment
// variables (KONG_<KEY> is honoured too, so existing Kong deployments keep
// working; STRAIT_ wins when both are set).
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Listener is one entry of proxy_listen, admin_listen or status_listen.
type Listener struct {
	Addr  string // host:port
	SSL   bool
	HTTP2 bool
}

// Config is the effective node configuration.
type Config struct {
	Prefix   string
	Database string // "sqlite" (embedded) or "off" (declarative, in memory)
	// SQLitePath is the database file; relative paths are under Prefix.
	SQLitePath string
	// DeclarativeConfig is the declarative file (kong.yml) a node with
	// database "off" loads at start; relative paths are resolved against
	// the working directory. Empty means none.
	DeclarativeConfig string
	// DeclarativeConfigString is a declarative configuration given inline;
	// it is used when DeclarativeConfig is empty.
	DeclarativeConfigString string

	ProxyListen  []Listener
	AdminListen  []Listener
	StatusListen []Listener

	LogLevel       string
	ProxyAccessLog string // path, "off", or /dev/stdout, /dev/stderr
	ProxyErrorLog  string
	AdminAccessLog string

	// Headers lists the enabled response headers/token groups of `headers`.
	Headers         map[string]bool
	HeadersUpstream map[string]bool

	TrustedIPs       []netip.Prefix
	RealIPHeader     string
	RealIPRecursive  bool
	AllowDebugHeader bool
	ErrorDefaultType string

	ProxySSLVerify bool

	// ProxyEventLoops serves plain HTTP/1.1 proxy listeners with event
	// loops (one per processor); off serves them with a goroutine per
	// connection, as TLS listeners always are.
	ProxyEventLoops bool

	UpstreamKeepalivePoolSize    int
	UpstreamKeepaliveMaxRequests int
	UpstreamKeepaliveIdleTimeout time.Duration

	// nginx-free equivalents of the client limits and timeouts.
	ClientHeaderTimeout time.Duration
	ClientBodyTimeout   time.Duration
	KeepaliveTimeout    time.Duration
	SendTimeout         time.Duration
	MaxURISize          int
	MaxHeaderSize       int
	MaxHeaders          int
	AdminMaxBodySize    int64

	DNSHostsFile  string
	DNSResolvConf string
	// DNSResolver lists nameservers (ip[:port]) used instead of those in
	// DNSResolvConf; empty means the resolv.conf ones.
	DNSResolver    []string
	DNSStaleTTL    time.Duration
	DNSNotFoundTTL time.Duration

	SSLCert    string
	SSLCertKey string

	// SyslogSocket is the local syslog socket the syslog plugin sends to;
	// "" searches /dev/log, /var/run/syslog and /var/run/log.
	SyslogSocket string

	// Raw holds every key with its effective string value, for GET / and
	// `strait check`.
	Raw map[string]string
}

// defaults are the built-in values, in kong.conf key names.
var defaults = map[string]string{
	"prefix":                            "strait-prefix",
	"database":                          "sqlite",
	"sqlite_path":                       "strait.db",
	"declarative_config":                "",
	"declarative_config_string":         "",
	"proxy_listen":                      "0.0.0.0:8000, 0.0.0.0:8443 ssl",
	"admin_listen":                      "127.0.0.1:8001",
	"status_listen":                     "off",
	"log_level":                         "notice",
	"proxy_access_log":                  "logs/access.log",
	"proxy_error_log":                   "/dev/stderr",
	"admin_access_log":                  "off",
	"headers":                           "server_tokens, latency_tokens, X-Kong-Request-Id",
	"headers_upstream":                  "X-Kong-Request-Id",
	"trusted_ips":                       "",
	"real_ip_header":                    "X-Real-IP",
	"real_ip_recursive":                 "off",
	"allow_debug_header":                "off",
	"error_default_type":                "text/plain",
	"proxy_ssl_verify":                  "off",
	"proxy_event_loops":                 "on",
	"upstream_keepalive_pool_size":      "512",
	"upstream_keepalive_max_requests":   "10000",
	"upstream_keepalive_idle_timeout":   "60",
	"client_header_timeout":             "60",
	"client_body_timeout":               "60",
	"keepalive_timeout":                 "75",
	"send_timeout":                      "60",
	"max_uri_size":                      "8192",
	"max_header_size":                   "32768",
	"max_headers":                       "100",
	"admin_max_body_size":               "10485760",
	"dns_hostsfile":                     "/etc/hosts",
	"dns_resolv_conf":                   "/etc/resolv.conf",
	"dns_resolver":                      "",
	"dns_stale_ttl":                     "3600",
	"dns_not_found_ttl":                 "30",
	"ssl_cert":                          "",
	"ssl_cert_key":                      "",
	"syslog_socket":                     "",
	"plugins":                           "bundled",
	"router_flavor":                     "traditional_compatible",
	"nginx_http_client_max_body_size":   "0",
	"upstream_keepalive_max_idle_conns": "",
}

// Keys returns every configuration key Strait knows, sorted.
func Keys() []string {
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Default returns the built-in value of key.
func Default(key string) (string, bool) {
	v, ok := defaults[key]
	return v, ok
}

// Load reads the file at path (skipped when path is empty), applies
// environment overrides from env (os.Environ format), and parses the
// result.
func Load(path string, env []string) (*Config, error) {
	raw := make(map[string]string, len(defaults))
	for k, v := range defaults {
		raw[k] = v
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading configuration: %w", err)
		}
		values, err := Parse(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for k, v := range values {
			if _, ok := defaults[k]; !ok {
				return nil, fmt.Errorf("%s: unknown property '%s'", path, k)
			}
			raw[k] = v
		}
	}
	applyEnv(raw, env)
	return build(raw)
}

// applyEnv overrides raw with KONG_<KEY> and then STRAIT_<KEY> variables.
func applyEnv(raw map[string]string, env []string) {
	for _, prefix := range []string{"KONG_", "STRAIT_"} {
		for _, kv := range env {
			name, value, ok := strings.Cut(kv, "=")
			if !ok || !strings.HasPrefix(name, prefix) {
				continue
			}
			key := strings.ToLower(strings.TrimPrefix(name, prefix))
			if _, known := defaults[key]; known {
				raw[key] = value
			}
		}
	}
}

// Parse reads kong.conf syntax: `key = value` lines, `#` starts a comment
// unless escaped as `\#`, blank lines ignored.
func Parse(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := stripComment(sc.Text())
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected 'key = value'", line)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" {
			return nil, fmt.Errorf("line %d: missing key", line)
		}
		out[key] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return out, nil
}

func stripComment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '#' {
			b.WriteByte('#')
			i++
			continue
		}
		if s[i] == '#' {
			break
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func build(raw map[string]string) (*Config, error) {
	p := parser{raw: raw}
	c := &Config{Raw: raw}
	c.Prefix = p.str("prefix")
	if abs, err := filepath.Abs(c.Prefix); err == nil {
		c.Prefix = abs
	}
	c.Database = p.oneOf("database", "sqlite", "off")
	c.SQLitePath = p.path(c.Prefix, "sqlite_path")
	c.DeclarativeConfig = p.str("declarative_config")
	if c.DeclarativeConfig != "" {
		if abs, err := filepath.Abs(c.DeclarativeConfig); err == nil {
			c.DeclarativeConfig = abs
		}
	}
	c.DeclarativeConfigString = p.raw["declarative_config_string"]
	c.ProxyListen = p.listeners("proxy_listen")
	c.AdminListen = p.listeners("admin_listen")
	c.StatusListen = p.listeners("status_listen")
	c.LogLevel = p.oneOf("log_level", "debug", "info", "notice", "warn", "error", "crit", "alert", "emerg")
	c.ProxyAccessLog = p.logPath(c.Prefix, "proxy_access_log")
	c.ProxyErrorLog = p.logPath(c.Prefix, "proxy_error_log")
	c.AdminAccessLog = p.logPath(c.Prefix, "admin_access_log")
	c.Headers = p.headerSet("headers")
	c.HeadersUpstream = p.headerSet("headers_upstream")
	c.TrustedIPs = p.prefixes("trusted_ips")
	c.RealIPHeader = p.str("real_ip_header")
	c.RealIPRecursive = p.flag("real_ip_recursive")
	c.AllowDebugHeader = p.flag("allow_debug_header")
	c.ErrorDefaultType = p.oneOf("error_default_type", "text/plain", "application/json", "application/xml", "text/html")
	c.ProxySSLVerify = p.flag("proxy_ssl_verify")
	c.ProxyEventLoops = p.flag("proxy_event_loops")
	c.UpstreamKeepalivePoolSize = p.integer("upstream_keepalive_pool_size", 0)
	c.UpstreamKeepaliveMaxRequests = p.integer("upstream_keepalive_max_requests", 0)
	c.UpstreamKeepaliveIdleTimeout = p.seconds("upstream_keepalive_idle_timeout")
	c.ClientHeaderTimeout = p.seconds("client_header_timeout")
	c.ClientBodyTimeout = p.seconds("client_body_timeout")
	c.KeepaliveTimeout = p.seconds("keepalive_timeout")
	c.SendTimeout = p.seconds("send_timeout")
	c.MaxURISize = p.integer("max_uri_size", 256)
	c.MaxHeaderSize = p.integer("max_header_size", 1024)
	c.MaxHeaders = p.integer("max_headers", 1)
	c.AdminMaxBodySize = int64(p.integer("admin_max_body_size", 1024))
	c.DNSHostsFile = p.str("dns_hostsfile")
	c.DNSResolvConf = p.str("dns_resolv_conf")
	c.DNSResolver = p.list("dns_resolver")
	c.DNSStaleTTL = p.seconds("dns_stale_ttl")
	c.DNSNotFoundTTL = p.seconds("dns_not_found_ttl")
	c.SSLCert = p.optionalPath(c.Prefix, "ssl_cert")
	c.SSLCertKey = p.optionalPath(c.Prefix, "ssl_cert_key")
	c.SyslogSocket = p.str("syslog_socket")
	if (c.SSLCert == "") != (c.SSLCertKey == "") {
		p.fail("ssl_cert", "ssl_cert and ssl_cert_key must be set together")
	}
	if len(c.ProxyListen) == 0 && len(c.AdminListen) == 0 {
		p.fail("proxy_listen", "proxy_listen and admin_listen cannot both be 'off'")
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

// Masked returns the configuration as shown by GET /: every key with its
// typed value, secrets replaced by "******".
func (c *Config) Masked() map[string]any {
	out := make(map[string]any, len(c.Raw)+8)
	for k, v := range c.Raw {
		out[k] = v
	}
	for _, k := range []string{"pg_password", "pg_ro_password", "ssl_cert_key", "declarative_config_string"} {
		if v, ok := out[k]; ok && v != "" {
			out[k] = "******"
		}
	}
	out["database"] = c.Database
	out["prefix"] = c.Prefix
	out["log_level"] = c.LogLevel
	out["router_flavor"] = "traditional_compatible"
	out["proxy_listeners"] = listenerObjects(c.ProxyListen)
	out["admin_listeners"] = listenerObjects(c.AdminListen)
	out["status_listeners"] = listenerObjects(c.StatusListen)
	out["proxy_listen"] = listenStrings(c.ProxyListen)
	out["admin_listen"] = listenStrings(c.AdminListen)
	out["trusted_ips"] = prefixStrings(c.TrustedIPs)
	out["enabled_headers"] = c.Headers
	out["portal"] = false
	out["rbac"] = "off"
	return out
}

func listenerObjects(ls []Listener) []any {
	out := make([]any, 0, len(ls))
	for _, l := range ls {
		host, port, _ := splitHostPort(l.Addr)
		out = append(out, map[string]any{
			"ip": host, "port": port, "ssl": l.SSL, "http2": l.HTTP2,
			"listener": listenString(l), "proxy_protocol": false, "deferred": false,
			"bind": false, "reuseport": false,
		})
	}
	return out
}

func listenString(l Listener) string {
	s := l.Addr
	if l.HTTP2 {
		s += " http2"
	}
	if l.SSL {
		s += " ssl"
	}
	return s
}

func listenStrings(ls []Listener) []any {
	out := make([]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, listenString(l))
	}
	return out
}

func prefixStrings(ps []netip.Prefix) []any {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("missing port in %q", addr)
	}
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("invalid port in %q", addr)
	}
	return strings.Trim(addr[:i], "[]"), port, nil
}
