package prometheus

import (
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"
)

// workspace is the only workspace of the gateway.
const workspace = "default"

// seriesKey identifies the children shared by the requests of one
// service, route and consumer.
type seriesKey struct {
	service, route, consumer string
}

// series caches the labelled children of one seriesKey, so that a request
// records its metrics without resolving label values again. Each group is
// created on first use, so that disabled metrics never show up.
type series struct {
	latency   atomic.Pointer[latencyChildren]
	bandwidth atomic.Pointer[bandwidthChildren]
}

type latencyChildren struct {
	kong, upstream, request prom.Observer
}

type bandwidthChildren struct {
	ingress, egress prom.Counter
}

// codeKey identifies one kong_http_requests_total child.
type codeKey struct {
	seriesKey
	code   int
	source string
}

// seriesFor returns the cached series for k, creating it once.
func (e *Exporter) seriesFor(k seriesKey) *series {
	if s, ok := e.series.Load(k); ok {
		return s.(*series)
	}
	actual, _ := e.series.LoadOrStore(k, &series{})
	return actual.(*series)
}

// latencyFor returns the latency histograms of s, labelled with k.
func (e *Exporter) latencyFor(s *series, k seriesKey) *latencyChildren {
	if c := s.latency.Load(); c != nil {
		return c
	}
	c := &latencyChildren{
		kong:     e.kongLatency.WithLabelValues(k.service, k.route, workspace),
		upstream: e.upstreamLatency.WithLabelValues(k.service, k.route, workspace),
		request:  e.requestLatency.WithLabelValues(k.service, k.route, workspace),
	}
	s.latency.CompareAndSwap(nil, c)
	return s.latency.Load()
}

// bandwidthFor returns the bandwidth counters of s, labelled with k.
func (e *Exporter) bandwidthFor(s *series, k seriesKey) *bandwidthChildren {
	if c := s.bandwidth.Load(); c != nil {
		return c
	}
	c := &bandwidthChildren{
		ingress: e.bandwidth.WithLabelValues(k.service, k.route, "ingress", workspace, k.consumer),
		egress:  e.bandwidth.WithLabelValues(k.service, k.route, "egress", workspace, k.consumer),
	}
	s.bandwidth.CompareAndSwap(nil, c)
	return s.bandwidth.Load()
}

// requestsFor returns the cached kong_http_requests_total child for k.
func (e *Exporter) requestsFor(k codeKey) prom.Counter {
	if c, ok := e.codes.Load(k); ok {
		return c.(prom.Counter)
	}
	c := e.requests.WithLabelValues(k.service, k.route, statusText(k.code), k.source, workspace, k.consumer)
	actual, _ := e.codes.LoadOrStore(k, c)
	return actual.(prom.Counter)
}
