package balancer

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// event is one health observation about an address.
type event uint8

const (
	evNone event = iota
	evSuccess
	evTCPFailure
	evTimeout
	evHTTPFailure
)

// latencyDecay is the decay time of the latency algorithm's EWMA.
const latencyDecay = 10 * time.Second

// clockBase anchors the monotonic nanosecond clock used for EWMA stamps.
var clockBase = time.Now()

func monoNanos() int64 { return int64(time.Since(clockBase)) }

// endpoint is the runtime state of one address of one target. It outlives
// compiled states: a recompiled upstream reuses the endpoint of every
// address it still has, so health, connection counts and latency carry
// over.
type endpoint struct {
	healthy atomic.Bool
	// active counts picked connections not yet released by Done.
	active atomic.Int64
	// dirty is set while any health counter is non-zero, so a success on
	// a healthy address can skip the lock.
	dirty atomic.Bool

	mu                                         sync.Mutex
	successes, tcpFailures, timeouts, httpFail int

	// Latency state: the EWMA in nanoseconds (float bits) and when it was
	// last updated; ewmaMu serialises updates.
	ewmaMu    sync.Mutex
	ewmaBits  atomic.Uint64
	ewmaStamp atomic.Int64
	sampled   atomic.Bool
}

func newEndpoint() *endpoint {
	e := &endpoint{}
	e.healthy.Store(true)
	return e
}

// observe applies one observation under the thresholds t and reports
// whether the health flipped.
func (e *endpoint) observe(ev event, t *thresholds) bool {
	if ev == evNone {
		return false
	}
	healthy := e.healthy.Load()
	if ev == evSuccess {
		if healthy && !e.dirty.Load() {
			return false
		}
	} else if healthy && failureThreshold(ev, t) == 0 || !healthy && !e.dirty.Load() {
		// Nothing counts: a disabled counter on a healthy address, or a
		// failure of an unhealthy address with no successes to reset.
		return false
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	healthy = e.healthy.Load()
	flipped := false
	if ev == evSuccess {
		e.tcpFailures, e.timeouts, e.httpFail = 0, 0, 0
		if !healthy {
			e.successes++
			if t.successes > 0 && e.successes >= t.successes {
				e.healthy.Store(true)
				e.successes = 0
				flipped = true
			}
		}
	} else {
		e.successes = 0
		if healthy {
			counter := e.counter(ev)
			*counter++
			if limit := failureThreshold(ev, t); limit > 0 && *counter >= limit {
				e.healthy.Store(false)
				e.tcpFailures, e.timeouts, e.httpFail = 0, 0, 0
				flipped = true
			}
		}
	}
	e.dirty.Store(e.successes|e.tcpFailures|e.timeouts|e.httpFail != 0)
	return flipped
}

func (e *endpoint) counter(ev event) *int {
	switch ev {
	case evTCPFailure:
		return &e.tcpFailures
	case evTimeout:
		return &e.timeouts
	default:
		return &e.httpFail
	}
}

func failureThreshold(ev event, t *thresholds) int {
	switch ev {
	case evTCPFailure:
		return t.tcpFailures
	case evTimeout:
		return t.timeouts
	case evHTTPFailure:
		return t.httpFailures
	}
	return 0
}

// set forces the health state and clears the counters.
func (e *endpoint) set(healthy bool) {
	e.mu.Lock()
	e.healthy.Store(healthy)
	e.successes, e.tcpFailures, e.timeouts, e.httpFail = 0, 0, 0, 0
	e.dirty.Store(false)
	e.mu.Unlock()
}

// recordLatency folds one response time into the peak EWMA: a sample
// above the current value replaces it, a lower one is averaged in with a
// weight that decays over latencyDecay.
func (e *endpoint) recordLatency(d time.Duration) {
	now := monoNanos()
	rtt := float64(d)
	e.ewmaMu.Lock()
	old := math.Float64frombits(e.ewmaBits.Load())
	next := rtt
	if e.sampled.Load() && rtt < old {
		w := math.Exp(-float64(now-e.ewmaStamp.Load()) / float64(latencyDecay))
		next = old*w + rtt*(1-w)
	}
	e.ewmaBits.Store(math.Float64bits(next))
	e.ewmaStamp.Store(now)
	e.sampled.Store(true)
	e.ewmaMu.Unlock()
}

// ewma returns the latency EWMA decayed to now (toward zero, so an idle
// slow address becomes worth trying again) and whether any sample exists.
func (e *endpoint) ewma(now int64) (float64, bool) {
	if !e.sampled.Load() {
		return 0, false
	}
	v := math.Float64frombits(e.ewmaBits.Load())
	if dt := now - e.ewmaStamp.Load(); dt > 0 {
		v *= math.Exp(-float64(dt) / float64(latencyDecay))
	}
	return v, true
}
