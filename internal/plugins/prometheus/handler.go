package prometheus

import (
	"strconv"
	"sync"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/straitgw/strait/internal/plugin"
)

// Handler is one configured prometheus instance.
type Handler struct {
	cfg Config
	exp *Exporter
	// local caches the children per route, service and consumer entity,
	// keyed by their (per-configuration) pointers so that a lookup hashes
	// three words rather than the label strings. It lives as long as the
	// configuration that built the handler.
	local sync.Map // entityKey -> *localSeries
}

// entityKey identifies a request's route, service and consumer by the
// shared, read-only entity values the engine hands out.
type entityKey struct {
	route    *plugin.RouteInfo
	service  *plugin.ServiceInfo
	consumer *plugin.Consumer
}

// localSeries is a handler's view of one series: its children plus the
// kong_http_requests_total child of every status and source seen.
type localSeries struct {
	*series
	key   seriesKey
	codes sync.Map // code<<1 | source bit -> prom.Counter
}

// Log implements plugin.Logger. It updates counters and histograms in
// place (atomic operations on cached children), which is cheap enough for
// the request path.
func (h *Handler) Log(rec *plugin.LogRecord) {
	cfg := h.cfg
	if !cfg.StatusCodeMetrics && !cfg.LatencyMetrics && !cfg.BandwidthMetrics {
		return
	}
	ek := entityKey{route: rec.Route, service: rec.Service}
	if cfg.PerConsumer {
		ek.consumer = rec.Consumer
	}
	s := h.seriesFor(ek)
	if cfg.StatusCodeMetrics {
		s.requests(h.exp, rec.Response.Status, rec.Source == "upstream").Inc()
	}
	if cfg.LatencyMetrics {
		c := h.exp.latencyFor(s.series, s.key)
		lat := rec.Latencies
		c.request.Observe(float64(lat.Request))
		if lat.Proxy >= 0 {
			c.upstream.Observe(float64(lat.Proxy))
		}
		if lat.Kong >= 0 {
			c.kong.Observe(float64(lat.Kong))
		}
	}
	if cfg.BandwidthMetrics {
		c := h.exp.bandwidthFor(s.series, s.key)
		c.ingress.Add(float64(rec.Request.Size))
		c.egress.Add(float64(rec.Response.Size))
	}
}

func (h *Handler) seriesFor(ek entityKey) *localSeries {
	if s, ok := h.local.Load(ek); ok {
		return s.(*localSeries)
	}
	k := labelsOf(ek)
	s := &localSeries{series: h.exp.seriesFor(k), key: k}
	actual, _ := h.local.LoadOrStore(ek, s)
	return actual.(*localSeries)
}

// requests returns the kong_http_requests_total child of a status and
// source ("service" when fromService, else "kong").
func (s *localSeries) requests(e *Exporter, status int, fromService bool) prom.Counter {
	code := status << 1
	source := "kong"
	if fromService {
		code |= 1
		source = "service"
	}
	if c, ok := s.codes.Load(code); ok {
		return c.(prom.Counter)
	}
	c := e.requestsFor(codeKey{seriesKey: s.key, code: status, source: source})
	actual, _ := s.codes.LoadOrStore(code, c)
	return actual.(prom.Counter)
}

// labelsOf computes the label values of Kong's metrics: the service name
// or host, the route name or id, and the consumer's username.
func labelsOf(ek entityKey) seriesKey {
	var k seriesKey
	if svc := ek.service; svc != nil {
		k.service = svc.Name
		if k.service == "" {
			k.service = svc.Host
		}
	}
	if rt := ek.route; rt != nil {
		k.route = rt.Name
		if k.route == "" {
			k.route = rt.ID
		}
	}
	if ek.consumer != nil {
		k.consumer = ek.consumer.Username
	}
	return k
}

// statusTexts holds the decimal form of the status codes 0 to 599.
var statusTexts = func() []string {
	out := make([]string, 600)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

func statusText(code int) string {
	if code >= 0 && code < len(statusTexts) {
		return statusTexts[code]
	}
	return strconv.Itoa(code)
}

// NonBlocking implements plugin.NonBlocking: it updates in-memory metrics.
func (h *Handler) NonBlocking() bool { return true }
