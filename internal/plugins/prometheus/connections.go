package prometheus

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"
)

// ConnTracker counts a listener's connections by state, the way nginx's
// stub_status does: accepted and handled since start, and the open ones
// split into reading (no request yet), writing (serving a request) and
// waiting (idle keep-alive). Install Track as http.Server.ConnState.
type ConnTracker struct {
	states   sync.Map // net.Conn -> http.ConnState
	accepted atomic.Int64
	reading  atomic.Int64
	writing  atomic.Int64
	waiting  atomic.Int64
	requests atomic.Int64
	nodeID   atomic.Pointer[string]
}

// ConnStats is a snapshot of a ConnTracker.
type ConnStats struct {
	Accepted, Handled, Active, Reading, Writing, Waiting, Requests int64
}

// Track implements the http.Server.ConnState hook.
func (t *ConnTracker) Track(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		t.accepted.Add(1)
	case http.StateActive:
		t.requests.Add(1)
	}
	if prev, ok := t.states.Swap(c, state); ok {
		if g := t.gauge(prev.(http.ConnState)); g != nil {
			g.Add(-1)
		}
	}
	if g := t.gauge(state); g != nil {
		g.Add(1)
		return
	}
	t.states.Delete(c)
}

// Transition counts a connection moving from one state to another, for
// servers that know each connection's previous state (h1's
// ConnStateHook); it needs no lookup. from is ignored when to is
// http.StateNew.
func (t *ConnTracker) Transition(from, to http.ConnState) {
	switch to {
	case http.StateNew:
		t.accepted.Add(1)
		t.reading.Add(1)
		return
	case http.StateActive:
		t.requests.Add(1)
	}
	if g := t.gauge(from); g != nil {
		g.Add(-1)
	}
	if g := t.gauge(to); g != nil {
		g.Add(1)
	}
}

// gauge is the counter of open connections in state, nil for the states
// of a connection that is gone.
func (t *ConnTracker) gauge(state http.ConnState) *atomic.Int64 {
	switch state {
	case http.StateNew:
		return &t.reading
	case http.StateActive:
		return &t.writing
	case http.StateIdle:
		return &t.waiting
	}
	return nil
}

// Stats returns the current counts.
func (t *ConnTracker) Stats() ConnStats {
	r, w, i := max(t.reading.Load(), 0), max(t.writing.Load(), 0), max(t.waiting.Load(), 0)
	a := t.accepted.Load()
	return ConnStats{Accepted: a, Handled: a, Active: r + w + i, Reading: r, Writing: w, Waiting: i, Requests: t.requests.Load()}
}

// connCollector reports a ConnTracker as Kong's nginx connection metrics.
type connCollector struct {
	t                      *ConnTracker
	connDesc, requestsDesc *prom.Desc
}

func newConnCollector(t *ConnTracker) *connCollector {
	return &connCollector{
		t: t,
		connDesc: prom.NewDesc("kong_nginx_connections_total", "Number of connections by subsystem",
			[]string{"node_id", "subsystem", "state"}, nil),
		requestsDesc: prom.NewDesc("kong_nginx_requests_total", "Number of requests total",
			[]string{"node_id", "subsystem"}, nil),
	}
}

func (c *connCollector) Describe(ch chan<- *prom.Desc) {
	ch <- c.connDesc
	ch <- c.requestsDesc
}

func (c *connCollector) Collect(ch chan<- prom.Metric) {
	node := ""
	if p := c.t.nodeID.Load(); p != nil {
		node = *p
	}
	s := c.t.Stats()
	for _, m := range []struct {
		state string
		v     int64
	}{{"accepted", s.Accepted}, {"active", s.Active}, {"handled", s.Handled},
		{"reading", s.Reading}, {"waiting", s.Waiting}, {"writing", s.Writing}} {
		ch <- prom.MustNewConstMetric(c.connDesc, prom.GaugeValue, float64(m.v), node, "http", m.state)
	}
	ch <- prom.MustNewConstMetric(c.requestsDesc, prom.GaugeValue, float64(s.Requests), node, "http")
}
