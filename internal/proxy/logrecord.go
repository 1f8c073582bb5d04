package proxy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

// buildLogRecord describes the finished request in the shape of Kong's
// log serializer. It copies what it needs, so the record stays valid after
// the exchange is recycled.
func buildLogRecord(c *pluginCtx) *plugin.LogRecord {
	ex, r := c.ex, c.r
	now := time.Now()
	uri := ex.rawPath
	if r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	rec := &plugin.LogRecord{
		Request: plugin.LogRequest{
			ID:          ex.id,
			URI:         uri,
			URL:         ex.scheme + "://" + ex.host + ":" + strconv.Itoa(ex.rreq.Port) + uri,
			QueryString: logQuery(r.URL.RawQuery),
			Method:      r.Method,
			Headers:     logHeaders(r.Header, true),
			Size:        max(r.ContentLength, 0),
		},
		Response: plugin.LogResponse{
			Status:  ex.status,
			Headers: logHeaders(c.w.Header(), false),
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
	if ex.upstreamHost != "" {
		rec.UpstreamURI = ex.outURI()
		rec.Latencies.Proxy = ex.upstreamLatency.Milliseconds()
		if ex.failure == FailNone {
			rec.Source = "upstream"
			rec.UpstreamStatus = strconv.Itoa(ex.status)
		}
	}
	if ex.proxyLatency == 0 {
		rec.Latencies.Kong = rec.Latencies.Request
	}
	for _, t := range ex.tries {
		try := plugin.LogTry{IP: t.addr.Addr().String(), Port: int(t.addr.Port())}
		if t.class != FailNone {
			try.State = "failed"
		}
		if !t.addr.IsValid() {
			try.IP = ""
		}
		rec.Tries = append(rec.Tries, try)
	}
	return rec
}

// outURI is the path and query sent upstream by the last attempt.
func (ex *exchange) outURI() string {
	if ex.outReq == nil {
		return ""
	}
	return ex.outReq.URL.RequestURI()
}

// logQuery renders a raw query as the serializer's querystring: a string,
// true for a flag argument, or a list for repeated arguments.
func logQuery(raw string) map[string]any {
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

// logHeaders copies headers with lower-case names; request credentials
// are redacted.
func logHeaders(h http.Header, request bool) map[string]any {
	out := make(map[string]any, len(h))
	for k, vv := range h {
		name := strings.ToLower(k)
		if request && (name == "authorization" || name == "proxy-authorization") {
			out[name] = "REDACTED"
			continue
		}
		if len(vv) == 1 {
			out[name] = vv[0]
			continue
		}
		list := make([]any, len(vv))
		for i, v := range vv {
			list[i] = v
		}
		out[name] = list
	}
	return out
}
