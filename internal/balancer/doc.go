// Package balancer implements Kong's upstream load balancing: every
// upstream entity compiles into a Balancer that spreads requests over the
// addresses of its targets with the upstream's algorithm (round-robin,
// consistent-hashing, least-connections or latency), tracks the health of
// every address through active probes, passive observation of real
// traffic and manual overrides, and reports that health in the shape the
// Admin API returns.
//
// A Manager owns the balancers across configuration rebuilds: an upstream
// keeps its Balancer (and so the health state, connection counts and
// latency statistics of its addresses) for as long as it exists, and its
// background work (DNS refresh of hostname targets, active probes) stops
// when it is deleted. Pick and Done are safe for concurrent use, take no
// lock and do not allocate in steady state.
package balancer
