package prometheus

import (
	"strconv"
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/straitgw/strait/internal/balancer"
)

// targetStates are the values of the state label of
// kong_upstream_target_health; every address reports all four, with 1 on
// its current state, as Kong does.
var targetStates = [...]string{"healthchecks_off", "healthy", "unhealthy", "dns_error"}

// upstreamCollector reports kong_upstream_target_health from the node's
// balancers. It reports nothing until a prometheus instance with
// upstream_health_metrics enabled has been configured.
type upstreamCollector struct {
	desc    *prom.Desc
	report  atomic.Pointer[func() []balancer.UpstreamHealth]
	enabled atomic.Bool
}

func newUpstreamCollector() *upstreamCollector {
	return &upstreamCollector{desc: prom.NewDesc("kong_upstream_target_health",
		"Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.",
		[]string{"upstream", "target", "address", "state", "subsystem"}, nil)}
}

func (c *upstreamCollector) Describe(ch chan<- *prom.Desc) { ch <- c.desc }

func (c *upstreamCollector) Collect(ch chan<- prom.Metric) {
	report := c.report.Load()
	if report == nil || !c.enabled.Load() {
		return
	}
	for _, u := range (*report)() {
		for _, t := range u.Targets {
			if len(t.Data.Addresses) == 0 {
				// An unresolved target has no address; Kong reports it
				// with an empty one.
				c.emit(ch, u.Name, t.Target, "", t.Health.MetricState())
				continue
			}
			for _, a := range t.Data.Addresses {
				c.emit(ch, u.Name, t.Target, a.IP+":"+strconv.Itoa(a.Port), a.Health.MetricState())
			}
		}
	}
}

func (c *upstreamCollector) emit(ch chan<- prom.Metric, upstream, target, address, current string) {
	for _, state := range targetStates {
		v := 0.0
		if state == current {
			v = 1
		}
		ch <- prom.MustNewConstMetric(c.desc, prom.GaugeValue, v, upstream, target, address, state, "http")
	}
}

// SetUpstreamHealth gives the exporter the source of upstream health
// (the node's balancer manager report).
func (e *Exporter) SetUpstreamHealth(report func() []balancer.UpstreamHealth) {
	e.upstreams.report.Store(&report)
}
