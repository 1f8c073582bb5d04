package balancer

import "math/rand/v2"

// pickLeastConnections returns the healthy, non-excluded address with the
// lowest (active connections + 1) / weight. The scan starts at a rotating
// offset so ties spread over the tied addresses.
func (s *state) pickLeastConnections(exclude []Address) int {
	n := len(s.entries)
	if n == 0 {
		return -1
	}
	start := int(s.cursor.Add(1) % uint64(n))
	best := -1
	var bestLoad, bestWeight int64
	for k := 0; k < n; k++ {
		i := (start + k) % n
		if !s.eligible(i, exclude) {
			continue
		}
		e := &s.entries[i]
		load, weight := e.addr.ep.active.Load()+1, int64(e.weight)
		// load/weight < bestLoad/bestWeight without division.
		if best < 0 || load*bestWeight < bestLoad*weight {
			best, bestLoad, bestWeight = i, load, weight
		}
	}
	return best
}

// pickLatency applies the power of two choices to the peak-EWMA cost
// (latency × (active + 1)): two random healthy, non-excluded addresses
// are drawn and the cheaper one wins. An address without samples borrows
// its rival's latency, so connection counts decide.
func (s *state) pickLatency(exclude []Address) int {
	n := len(s.entries)
	if n == 0 {
		return -1
	}
	a := s.nextEligible(rand.IntN(n), exclude, -1)
	if a < 0 {
		return -1
	}
	b := s.nextEligible(rand.IntN(n), exclude, a)
	if b < 0 {
		return a
	}
	now := monoNanos()
	ea, okA := s.entries[a].addr.ep.ewma(now)
	eb, okB := s.entries[b].addr.ep.ewma(now)
	switch {
	case !okA && !okB:
		ea, eb = 1, 1
	case !okA:
		ea = eb
	case !okB:
		eb = ea
	}
	costA := ea * float64(s.entries[a].addr.ep.active.Load()+1)
	costB := eb * float64(s.entries[b].addr.ep.active.Load()+1)
	if costB < costA {
		return b
	}
	return a
}

// nextEligible returns the first eligible entry at or after from
// (wrapping), other than skip, or -1.
func (s *state) nextEligible(from int, exclude []Address, skip int) int {
	n := len(s.entries)
	for k := 0; k < n; k++ {
		i := (from + k) % n
		if i != skip && s.eligible(i, exclude) {
			return i
		}
	}
	return -1
}
