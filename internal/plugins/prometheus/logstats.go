package prometheus

import (
	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/straitgw/strait/internal/plugins/logserializer"
)

// logCollector reports the log plugins' delivery counters.
type logCollector struct{ desc *prom.Desc }

func newLogCollector() logCollector {
	return logCollector{desc: prom.NewDesc("strait_log_entries_total",
		"Log plugin entries by outcome: sent, dropped (queue full) or failed (delivery abandoned after retries)",
		[]string{"plugin", "outcome"}, nil)}
}

func (c logCollector) Describe(ch chan<- *prom.Desc) { ch <- c.desc }

func (c logCollector) Collect(ch chan<- prom.Metric) {
	for _, s := range logserializer.Stats() {
		ch <- prom.MustNewConstMetric(c.desc, prom.CounterValue, float64(s.Sent), s.Plugin, "sent")
		ch <- prom.MustNewConstMetric(c.desc, prom.CounterValue, float64(s.Dropped), s.Plugin, "dropped")
		ch <- prom.MustNewConstMetric(c.desc, prom.CounterValue, float64(s.Failed), s.Plugin, "failed")
	}
}
