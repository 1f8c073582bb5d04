package proxy

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
)

// redacted replaces every credential value in a log record.
const redacted = "REDACTED"

// buildLogRecord describes the finished request in the shape of Kong's
// log serializer. It copies what it needs, so the record stays valid after
// the exchange is recycled. Credentials never reach the record: the
// Authorization and Proxy-Authorization headers, and the headers and
// query arguments that the applicable key-auth and jwt instances read
// credentials from, are replaced by "REDACTED" (in the query string this
// also applies to request.uri, request.url and upstream_uri).
func buildLogRecord(c *pluginCtx) *plugin.LogRecord {
	ex := c.ex
	in := &ex.in
	now := time.Now()
	secrets := c.credentialArgs()
	rawQuery := strings.Clone(c.currentQuery())
	query := redactRawQuery(rawQuery, secrets)
	uri := strings.Clone(ex.rawPath)
	if query != "" {
		uri += "?" + query
	}
	rec := &plugin.LogRecord{
		Request: plugin.LogRequest{
			ID:          strings.Clone(ex.id),
			URI:         uri,
			URL:         ex.scheme + "://" + ex.host + ":" + strconv.Itoa(ex.port) + uri,
			QueryString: logQuery(rawQuery, secrets),
			Method:      strings.Clone(in.method),
			Headers:     logHeaders(in.header, &secrets),
			Size:        max(in.length, 0),
		},
		Response: plugin.LogResponse{
			Status:  ex.status,
			Headers: logHeaders(ex.down.header(), nil),
			Size:    ex.bytesSent,
		},
		Latencies: plugin.LogLatencies{
			Kong:    ex.proxyLatency.Milliseconds(),
			Proxy:   -1,
			Request: now.Sub(ex.start).Milliseconds(),
		},
		AuthenticatedEntity: c.credential,
		Consumer:            c.consumer,
		Route:               c.Route(),
		Service:             c.Service(),
		ClientIP:            ex.client.String(),
		StartedAt:           ex.start.UnixMilli(),
		Source:              "kong",
		WorkspaceName:       "default",
	}
	if id, ok := c.Get(correlationIDKey).(string); ok {
		rec.CorrelationID = strings.Clone(id)
	}
	if in.body != nil && in.length < 0 {
		rec.Request.Size = ex.src.read
	}
	if ex.upstreamHost != "" {
		rec.UpstreamURI = ex.outURI(secrets)
		rec.Latencies.Proxy = ex.upstreamLatency.Milliseconds()
		if ex.failure == FailNone {
			rec.Source = "upstream"
			rec.UpstreamStatus = strconv.Itoa(ex.status)
		}
		rec.Upstream = &plugin.LogUpstream{Hostname: ex.upstreamHost}
	}
	if ex.proxyLatency == 0 {
		rec.Latencies.Kong = rec.Latencies.Request
	}
	balancerStart := ex.start.Add(ex.proxyLatency).UnixMilli()
	if len(ex.tries) > 0 {
		rec.Tries = make([]plugin.LogTry, 0, len(ex.tries))
	}
	for _, t := range ex.tries {
		try := plugin.LogTry{Hostname: ex.upstreamHost, BalancerStart: balancerStart}
		if t.addr.IsValid() {
			try.IP = t.addr.Addr().Unmap().String()
			try.Port = int(t.addr.Port())
		}
		if t.class != FailNone {
			try.State = "failed"
			try.Cause = string(t.class)
		}
		rec.Tries = append(rec.Tries, try)
	}
	if n := len(rec.Tries); n > 0 && rec.Upstream != nil {
		rec.Upstream.IP, rec.Upstream.Port = rec.Tries[n-1].IP, rec.Tries[n-1].Port
	}
	return rec
}

// correlationIDKey is the shared context key under which the
// correlation-id plugin leaves the request's correlation id.
const correlationIDKey = "correlation_id"

// outURI is the path and query sent upstream by the last attempt, with
// credential query values redacted.
func (ex *exchange) outURI(secrets credentialArgs) string {
	uri := string(ex.upstreamTarget)
	path, query, found := strings.Cut(uri, "?")
	if !found {
		return uri
	}
	if q := redactRawQuery(query, secrets); q != query {
		return path + "?" + q
	}
	return uri
}

// credentialSources lists, per plugin, the config field that names the
// request arguments carrying credentials, its schema default (used when
// an instance's config lacks the field), and whether those names are also
// header names.
var credentialSources = [...]struct {
	plugin, field string
	defaults      []any
	header        bool
}{
	{"key-auth", "key_names", []any{"apikey"}, true},
	{"jwt", "uri_param_names", []any{"jwt"}, false},
}

// credentialArgs are the argument names whose values must not be logged.
type credentialArgs struct {
	query  []string
	header []string // lower case, "_" spelled "-"
}

// credentialArgs collects the credential argument names of the
// instances that apply to the request's route and service.
func (c *pluginCtx) credentialArgs() credentialArgs {
	var out credentialArgs
	if c.snap == nil || c.snap.Plugins == nil {
		return out
	}
	routeID, serviceID := "", ""
	if rt := c.Route(); rt != nil {
		routeID = rt.ID
	}
	if svc := c.Service(); svc != nil {
		serviceID = svc.ID
	}
	for _, src := range credentialSources {
		inst := c.snap.Plugins.Resolve(src.plugin, routeID, serviceID, "")
		if inst == nil {
			continue
		}
		names, ok := inst.Config[src.field].([]any)
		if !ok {
			names = src.defaults
		}
		for _, n := range names {
			s, ok := n.(string)
			if !ok {
				continue
			}
			out.query = append(out.query, s)
			if src.header {
				out.header = append(out.header, strings.ReplaceAll(strings.ToLower(s), "_", "-"))
			}
		}
	}
	return out
}

func (s credentialArgs) isQuery(name string) bool {
	for _, n := range s.query {
		if n == name {
			return true
		}
	}
	return false
}

func (s *credentialArgs) isHeader(lowerName string) bool {
	if lowerName == "authorization" || lowerName == "proxy-authorization" {
		return true
	}
	for _, n := range s.header {
		if n == lowerName {
			return true
		}
	}
	return false
}

// redactRawQuery returns raw with the values of credential arguments
// replaced; raw itself when there are none.
func redactRawQuery(raw string, secrets credentialArgs) string {
	if raw == "" || len(secrets.query) == 0 {
		return raw
	}
	var b strings.Builder
	changed, first := false, true
	rest := raw
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, _, hasValue := strings.Cut(pair, "=")
		name := k
		if uk, err := url.QueryUnescape(k); err == nil {
			name = uk
		}
		if !first {
			b.WriteByte('&')
		}
		first = false
		if hasValue && secrets.isQuery(name) {
			b.WriteString(k)
			b.WriteString("=" + redacted)
			changed = true
			continue
		}
		b.WriteString(pair)
	}
	if !changed {
		return raw
	}
	return b.String()
}

// logQuery renders a raw query as the serializer's querystring: a string,
// true for a flag argument, or a list for repeated arguments. Values of
// credential arguments are redacted.
func logQuery(raw string, secrets credentialArgs) map[string]any {
	out := map[string]any{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, hasValue := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		var val any = true
		if hasValue {
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			if secrets.isQuery(k) {
				v = redacted
			}
			val = v
		}
		switch prev := out[k].(type) {
		case nil:
			out[k] = val
		case []any:
			out[k] = append(prev, val)
		default:
			out[k] = []any{prev, val}
		}
	}
	return out
}

// logHeaders copies headers with lower-case names. For request headers
// (secrets not nil) credentials are redacted.
func logHeaders(h *h1.Header, secrets *credentialArgs) map[string]any {
	out := make(map[string]any, h.Len())
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		name := strings.ToLower(string(f.Name))
		if secrets != nil && secrets.isHeader(name) {
			out[name] = redacted
			continue
		}
		value := string(f.Value)
		switch prev := out[name].(type) {
		case nil:
			out[name] = value
		case []any:
			out[name] = append(prev, value)
		case string:
			out[name] = []any{prev, value}
		}
	}
	return out
}
