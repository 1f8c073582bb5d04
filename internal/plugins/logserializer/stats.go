package logserializer

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Counters count what happened to the entries of one log plugin, over all
// of its sinks and the life of the process.
type Counters struct {
	// Sent counts entries delivered.
	Sent atomic.Uint64
	// Dropped counts entries refused because a queue was full or closed.
	Dropped atomic.Uint64
	// Failed counts entries abandoned after their delivery failed and
	// its retries ran out.
	Failed atomic.Uint64
}

// PluginStats is a snapshot of one plugin's counters.
type PluginStats struct {
	Plugin  string
	Sent    uint64
	Dropped uint64
	Failed  uint64
}

var stats struct {
	mu sync.Mutex
	m  map[string]*Counters
}

// CountersFor returns the counters of the named plugin, creating them on
// first use.
func CountersFor(pluginName string) *Counters {
	stats.mu.Lock()
	defer stats.mu.Unlock()
	if stats.m == nil {
		stats.m = map[string]*Counters{}
	}
	c := stats.m[pluginName]
	if c == nil {
		c = &Counters{}
		stats.m[pluginName] = c
	}
	return c
}

// Stats returns the counters of every log plugin that has had a sink,
// sorted by plugin name.
func Stats() []PluginStats {
	stats.mu.Lock()
	out := make([]PluginStats, 0, len(stats.m))
	for name, c := range stats.m {
		out = append(out, PluginStats{Plugin: name, Sent: c.Sent.Load(), Dropped: c.Dropped.Load(), Failed: c.Failed.Load()})
	}
	stats.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Plugin < out[j].Plugin })
	return out
}
