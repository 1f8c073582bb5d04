package prometheus

import (
	"sort"
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"
)

// offLoopCollector reports how many proxied requests the event loops
// served off the loop, by reason.
type offLoopCollector struct {
	desc   *prom.Desc
	source atomic.Pointer[func() map[string]uint64]
}

func newOffLoopCollector() *offLoopCollector {
	return &offLoopCollector{desc: prom.NewDesc("strait_proxy_requests_off_loop_total",
		"Proxied requests an event loop handed to a goroutine, by reason: body (still on the wire), plugin (may block), tls (https upstream), dns (name not resolved yet), upgrade (protocol switch)",
		[]string{"reason"}, nil)}
}

// SetOffLoop gives the exporter the source of the off-loop counts.
func (e *Exporter) SetOffLoop(counts func() map[string]uint64) { e.offLoop.source.Store(&counts) }

func (c *offLoopCollector) Describe(ch chan<- *prom.Desc) { ch <- c.desc }

func (c *offLoopCollector) Collect(ch chan<- prom.Metric) {
	src := c.source.Load()
	if src == nil {
		return
	}
	counts := (*src)()
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		ch <- prom.MustNewConstMetric(c.desc, prom.CounterValue, float64(counts[r]), r)
	}
}
