package balancer

import (
	"net/http"
	"strings"
	"time"
)

// Algorithm names as stored in the upstream entity.
const (
	RoundRobin        = "round-robin"
	ConsistentHashing = "consistent-hashing"
	LeastConnections  = "least-connections"
	Latency           = "latency"
)

// hashSource is one hash_on / hash_fallback setting.
type hashSource struct {
	kind string // none, consumer, ip, header, cookie, path, query_arg, uri_capture
	name string // header, cookie, query argument or capture name
}

// value reads the source from in.
func (h hashSource) value(in HashInput) string {
	switch h.kind {
	case "consumer":
		return in.Consumer()
	case "ip":
		return in.ClientIP()
	case "header":
		return in.Header(h.name)
	case "cookie":
		return in.Cookie(h.name)
	case "path":
		return in.Path()
	case "query_arg":
		return in.QueryArg(h.name)
	case "uri_capture":
		return in.URICapture(h.name)
	}
	return ""
}

// config is the part of an upstream entity the balancer uses.
type config struct {
	id, name     string
	algorithm    string
	hashOn       hashSource
	hashFallback hashSource
	cookiePath   string
	slots        int
	hostHeader   string
	health       healthConfig
}

// healthConfig is the upstream's healthchecks record.
type healthConfig struct {
	threshold float64
	active    activeConfig
	passive   thresholds
}

// activeConfig is healthchecks.active.
type activeConfig struct {
	kind              string // http, https, tcp, grpc, grpcs
	timeout           time.Duration
	concurrency       int
	httpPath          string
	httpsSNI          string
	verifyCertificate bool
	headers           http.Header
	healthyInterval   time.Duration
	unhealthyInterval time.Duration
	thresholds
}

// thresholds are the counters and status classes of one kind of check.
// A zero counter disables that transition.
type thresholds struct {
	healthyStatuses   statusSet
	successes         int
	unhealthyStatuses statusSet
	tcpFailures       int
	timeouts          int
	httpFailures      int
}

// counts reports whether any transition is enabled.
func (t *thresholds) counts() bool {
	return t.successes > 0 || t.tcpFailures > 0 || t.timeouts > 0 || t.httpFailures > 0
}

// enabled reports whether health checking is on for the upstream: an
// active interval or a passive failure counter is set.
func (h *healthConfig) enabled() bool {
	return h.active.healthyInterval > 0 || h.active.unhealthyInterval > 0 ||
		h.passive.tcpFailures > 0 || h.passive.timeouts > 0 || h.passive.httpFailures > 0
}

// statusSet is a bitmap of HTTP status codes 0..1023.
type statusSet [16]uint64

func (s *statusSet) add(code int) {
	if code >= 0 && code < 1024 {
		s[code>>6] |= 1 << (code & 63)
	}
}

func (s *statusSet) has(code int) bool {
	return code >= 0 && code < 1024 && s[code>>6]&(1<<(code&63)) != 0
}

// parseConfig reads an upstream entity. Missing fields take Kong's
// defaults, so partially filled objects (tests, declarative input) work.
func parseConfig(o map[string]any) *config {
	c := &config{
		id:           str(o["id"]),
		name:         str(o["name"]),
		algorithm:    strOr(o["algorithm"], RoundRobin),
		hashOn:       hashSource{kind: strOr(o["hash_on"], "none")},
		hashFallback: hashSource{kind: strOr(o["hash_fallback"], "none")},
		cookiePath:   strOr(o["hash_on_cookie_path"], "/"),
		slots:        intOr(o["slots"], 10000),
		hostHeader:   str(o["host_header"]),
	}
	c.hashOn.name = hashName(o, c.hashOn.kind, "hash_on")
	c.hashFallback.name = hashName(o, c.hashFallback.kind, "hash_fallback")
	hc, _ := o["healthchecks"].(map[string]any)
	c.health = parseHealth(hc)
	return c
}

// hashName returns the header, cookie, argument or capture name a hash
// source of the given kind reads; prefix is hash_on or hash_fallback.
func hashName(o map[string]any, kind, prefix string) string {
	switch kind {
	case "header":
		return str(o[prefix+"_header"])
	case "cookie":
		return str(o["hash_on_cookie"])
	case "query_arg":
		return str(o[prefix+"_query_arg"])
	case "uri_capture":
		return str(o[prefix+"_uri_capture"])
	}
	return ""
}

func parseHealth(hc map[string]any) healthConfig {
	active := sub(hc, "active")
	passive := sub(hc, "passive")
	h := healthConfig{
		threshold: numOr(hc["threshold"], 0),
		active: activeConfig{
			kind:              strOr(active["type"], "http"),
			timeout:           seconds(numOr(active["timeout"], 1)),
			concurrency:       intOr(active["concurrency"], 10),
			httpPath:          strOr(active["http_path"], "/"),
			httpsSNI:          str(active["https_sni"]),
			verifyCertificate: active["https_verify_certificate"] != false,
			headers:           parseHeaders(active["headers"]),
			healthyInterval:   seconds(numOr(sub(active, "healthy")["interval"], 0)),
			unhealthyInterval: seconds(numOr(sub(active, "unhealthy")["interval"], 0)),
			thresholds: parseThresholds(active,
				[]int{200, 302}, []int{429, 404, 500, 501, 502, 503, 504, 505}),
		},
		passive: parseThresholds(passive,
			[]int{200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308},
			[]int{429, 500, 503}),
	}
	if h.active.concurrency < 1 {
		h.active.concurrency = 1
	}
	return h
}

func parseThresholds(check map[string]any, healthyDefault, unhealthyDefault []int) thresholds {
	healthy, unhealthy := sub(check, "healthy"), sub(check, "unhealthy")
	return thresholds{
		healthyStatuses:   parseStatuses(healthy["http_statuses"], healthyDefault),
		successes:         intOr(healthy["successes"], 0),
		unhealthyStatuses: parseStatuses(unhealthy["http_statuses"], unhealthyDefault),
		tcpFailures:       intOr(unhealthy["tcp_failures"], 0),
		timeouts:          intOr(unhealthy["timeouts"], 0),
		httpFailures:      intOr(unhealthy["http_failures"], 0),
	}
}

func parseStatuses(v any, def []int) statusSet {
	var s statusSet
	list, ok := v.([]any)
	if !ok {
		for _, c := range def {
			s.add(c)
		}
		return s
	}
	for _, e := range list {
		if f, ok := e.(float64); ok {
			s.add(int(f))
		}
	}
	return s
}

func parseHeaders(v any) http.Header {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	h := make(http.Header, len(m))
	for k, vals := range m {
		switch vs := vals.(type) {
		case []any:
			for _, e := range vs {
				if s, ok := e.(string); ok {
					h.Add(k, s)
				}
			}
		case string:
			h.Add(k, vs)
		}
	}
	return h
}

func sub(m map[string]any, key string) map[string]any {
	s, _ := m[key].(map[string]any)
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strOr(v any, def string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}

func numOr(v any, def float64) float64 {
	if f, ok := v.(float64); ok {
		return f
	}
	return def
}

func intOr(v any, def int) int {
	return int(numOr(v, float64(def)))
}

func seconds(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}

// lowerHost lower-cases a hostname for use as a resolution key.
func lowerHost(h string) string { return strings.ToLower(strings.TrimSuffix(h, ".")) }
