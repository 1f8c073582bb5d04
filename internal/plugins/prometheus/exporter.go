package prometheus

import (
	"net/http"
	"sync"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// LatencyBuckets are Kong's histogram buckets, in milliseconds.
var LatencyBuckets = []float64{1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 2000, 5000, 10000, 30000, 60000}

// Exporter holds one process's metrics and serves them.
type Exporter struct {
	reg *prom.Registry

	requests        *prom.CounterVec
	kongLatency     *prom.HistogramVec
	upstreamLatency *prom.HistogramVec
	requestLatency  *prom.HistogramVec
	bandwidth       *prom.CounterVec
	nodeInfo        *prom.GaugeVec
	datastore       prom.Gauge

	// Connections counts the proxy listeners' connections.
	Connections *ConnTracker

	upstreams *upstreamCollector
	offLoop   *offLoopCollector

	series sync.Map // seriesKey -> *series
	codes  sync.Map // codeKey -> prom.Counter
}

// Default is the process-wide exporter the plugin records into.
var Default = NewExporter()

// NewExporter creates an exporter with Kong's metric families registered.
func NewExporter() *Exporter {
	e := &Exporter{
		reg: prom.NewRegistry(),
		requests: prom.NewCounterVec(prom.CounterOpts{
			Name: "kong_http_requests_total",
			Help: "HTTP status codes per consumer/service/route in Kong",
		}, []string{"service", "route", "code", "source", "workspace", "consumer"}),
		kongLatency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "kong_kong_latency_ms",
			Help:    "Latency added by Kong and enabled plugins for each service/route in Kong",
			Buckets: LatencyBuckets,
		}, []string{"service", "route", "workspace"}),
		upstreamLatency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "kong_upstream_latency_ms",
			Help:    "Latency added by upstream response for each service/route in Kong",
			Buckets: LatencyBuckets,
		}, []string{"service", "route", "workspace"}),
		requestLatency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "kong_request_latency_ms",
			Help:    "Total latency incurred during requests for each service/route in Kong",
			Buckets: LatencyBuckets,
		}, []string{"service", "route", "workspace"}),
		bandwidth: prom.NewCounterVec(prom.CounterOpts{
			Name: "kong_bandwidth_bytes",
			Help: "Total bandwidth (ingress/egress) throughput in bytes",
		}, []string{"service", "route", "direction", "workspace", "consumer"}),
		nodeInfo: prom.NewGaugeVec(prom.GaugeOpts{
			Name: "kong_node_info",
			Help: "Kong Node metadata information",
		}, []string{"node_id", "version"}),
		datastore: prom.NewGauge(prom.GaugeOpts{
			Name: "kong_datastore_reachable",
			Help: "Datastore reachable from Kong, 0 is unreachable",
		}),
		Connections: &ConnTracker{},
		upstreams:   newUpstreamCollector(),
		offLoop:     newOffLoopCollector(),
	}
	e.reg.MustRegister(e.requests, e.kongLatency, e.upstreamLatency, e.requestLatency, e.bandwidth,
		e.nodeInfo, e.datastore, newConnCollector(e.Connections), newLogCollector(), e.upstreams, e.offLoop)
	return e
}

// SetNode records the node's id and version (kong_node_info) and labels
// the connection metrics with the id.
func (e *Exporter) SetNode(nodeID, version string) {
	e.nodeInfo.Reset()
	e.nodeInfo.WithLabelValues(nodeID, version).Set(1)
	e.Connections.nodeID.Store(&nodeID)
}

// SetDatastoreReachable sets kong_datastore_reachable.
func (e *Exporter) SetDatastoreReachable(ok bool) {
	v := 0.0
	if ok {
		v = 1
	}
	e.datastore.Set(v)
}

// Registry returns the registry the metrics are gathered from, for
// registering further collectors.
func (e *Exporter) Registry() *prom.Registry { return e.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{})
}
