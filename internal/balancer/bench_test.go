package balancer

import (
	"fmt"
	"testing"
	"time"
)

// benchBalancer returns a balancer over n IP targets with passive checks.
func benchBalancer(tb testing.TB, algo string, n int) *Balancer {
	tb.Helper()
	m := newManager(tb, Options{})
	extra := map[string]any{"healthchecks": passiveChecks(5, 5, 5, 0)}
	if algo == ConsistentHashing {
		extra["hash_on"] = "ip"
	}
	var targets []map[string]any
	for i := range n {
		targets = append(targets, targetObj("u1", fmt.Sprintf("10.0.%d.%d:80", i/250, i%250+1), 100+i))
	}
	return single(tb, m, upstreamObj("u1", "up", algo, extra), targets...)
}

func BenchmarkPick(b *testing.B) {
	for _, algo := range []string{RoundRobin, ConsistentHashing, LeastConnections, Latency} {
		for _, n := range []int{4, 64} {
			b.Run(fmt.Sprintf("%s/%d", algo, n), func(b *testing.B) {
				bal := benchBalancer(b, algo, n)
				in := &hashIn{ip: "192.0.2.1"}
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						a, ok, _ := bal.Pick(in)
						if ok {
							bal.Done(a, Outcome{Status: 200, Latency: time.Millisecond})
						}
					}
				})
			})
		}
	}
}
