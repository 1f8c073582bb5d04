package plugin

// LogRecord describes one finished request, in the shape of Kong's log
// serializer (kong.log.serialize), so log plugins can encode it with
// encoding/json as is. The engine builds it once per request; it is never
// modified afterwards and may be handed to other goroutines.
type LogRecord struct {
	Request        LogRequest   `json:"request"`
	UpstreamURI    string       `json:"upstream_uri"`
	UpstreamStatus string       `json:"upstream_status,omitempty"`
	Response       LogResponse  `json:"response"`
	Latencies      LogLatencies `json:"latencies"`
	Tries          []LogTry     `json:"tries,omitempty"`
	// Upstream names the service host of the last attempt next to the
	// address it resolved to; nil when the request was not proxied.
	Upstream *LogUpstream `json:"upstream,omitempty"`
	// AuthenticatedEntity is the credential that authenticated the
	// consumer, nil when none did.
	AuthenticatedEntity *Credential  `json:"authenticated_entity,omitempty"`
	Consumer            *Consumer    `json:"consumer,omitempty"`
	Route               *RouteInfo   `json:"route,omitempty"`
	Service             *ServiceInfo `json:"service,omitempty"`
	ClientIP            string       `json:"client_ip"`
	// StartedAt is the request start in milliseconds since the epoch.
	StartedAt int64 `json:"started_at"`
	// Source is where the response came from ("upstream", "kong").
	Source        string `json:"source"`
	Workspace     string `json:"workspace"`
	WorkspaceName string `json:"workspace_name"`
	// CorrelationID is set when the correlation-id plugin ran.
	CorrelationID string `json:"correlation_id,omitempty"`
}

// LogRequest is the "request" part of a LogRecord.
type LogRequest struct {
	ID  string `json:"id"`
	URI string `json:"uri"`
	// URL is scheme://host:port/uri.
	URL string `json:"url"`
	// QueryString maps argument names to a string, true (flag argument)
	// or a list of values.
	QueryString map[string]any `json:"querystring"`
	Method      string         `json:"method"`
	// Headers uses lower-case names; values are strings or lists of
	// strings; credentials (authorization, proxy-authorization) are
	// "REDACTED".
	Headers map[string]any `json:"headers"`
	Size    int64          `json:"size"`
	TLS     *LogTLS        `json:"tls,omitempty"`
}

// LogTLS describes the client TLS session of an https request.
type LogTLS struct {
	Version      string `json:"version"`
	Cipher       string `json:"cipher"`
	ClientVerify string `json:"client_verify"`
}

// LogResponse is the "response" part of a LogRecord.
type LogResponse struct {
	Status  int            `json:"status"`
	Headers map[string]any `json:"headers"`
	Size    int64          `json:"size"`
}

// LogLatencies are the request's latencies in milliseconds.
type LogLatencies struct {
	// Kong is the time spent in the gateway itself.
	Kong int64 `json:"kong"`
	// Proxy is the upstream's time to first byte; -1 when not proxied.
	Proxy int64 `json:"proxy"`
	// Request is the total time from first byte received to last sent.
	Request int64 `json:"request"`
	// Receive is the time spent reading the upstream response.
	Receive int64 `json:"receive"`
}

// LogTry is one balancer attempt.
type LogTry struct {
	IP              string `json:"ip"`
	Port            int    `json:"port"`
	BalancerStart   int64  `json:"balancer_start"`
	BalancerLatency int64  `json:"balancer_latency"`
	State           string `json:"state,omitempty"`
	Code            int    `json:"code,omitempty"`
	// Hostname is the upstream host name the attempt resolved.
	Hostname string `json:"hostname,omitempty"`
	// Cause is why a failed attempt failed ("dns-not-found",
	// "connect-refused", "connect-timeout", "tls-error",
	// "connection-reset", "bad-response", ...); empty on success.
	Cause string `json:"cause,omitempty"`
}

// LogUpstream is the upstream a request was sent to: the configured host
// name and the address it resolved to.
type LogUpstream struct {
	Hostname string `json:"hostname"`
	IP       string `json:"ip,omitempty"`
	Port     int    `json:"port,omitempty"`
}
