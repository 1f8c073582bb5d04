package proxy

import "sync/atomic"

// Reasons a request served by an event loop continues off it (see
// loop.go). They label strait_proxy_requests_off_loop_total.
const (
	OffLoopPlugin  = "plugin"  // a plugin instance that may block applies
	OffLoopTLS     = "tls"     // the upstream speaks https
	OffLoopDNS     = "dns"     // the upstream name is not resolved yet
	OffLoopUpgrade = "upgrade" // the client asks for a protocol switch
)

// offLoopReasons lists the reasons in a fixed order.
var offLoopReasons = [...]string{OffLoopPlugin, OffLoopTLS, OffLoopDNS, OffLoopUpgrade}

// offLoopCounts counts the requests that left the loop, by reason.
type offLoopCounts [len(offLoopReasons)]atomic.Uint64

func (c *offLoopCounts) add(reason string) {
	for i, r := range offLoopReasons {
		if r == reason {
			c[i].Add(1)
			return
		}
	}
}

// OffLoop reports how many requests each reason sent off the event
// loops since the proxy started.
func (p *Proxy) OffLoop() map[string]uint64 {
	out := make(map[string]uint64, len(offLoopReasons))
	for i, r := range offLoopReasons {
		out[r] = p.offLoop[i].Load()
	}
	return out
}
