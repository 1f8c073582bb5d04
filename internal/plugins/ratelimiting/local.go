package ratelimiting

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// localShards is the number of independently locked parts of the local
// counter map; a power of two.
const localShards = 64

// sweepEvery is how often a shard drops its expired counters.
const sweepEvery = int64(time.Second)

// localCounters is the process-wide store of the local policy: atomic
// counters in a sharded map keyed by scope, identifier and window. It is
// shared by every configuration the process loads, so counts survive
// configuration changes as Kong's shared dictionary does.
var localCounters = newLocalStore()

// localStore is the local policy's counterStore. The hot path takes one
// shard's read lock to find a counter and counts with atomic operations;
// a shard's write lock is taken only to add a window's first counter,
// which is also when that shard drops its expired counters (at most once
// per sweepEvery).
type localStore struct {
	seed   maphash.Seed
	shards [localShards]localShard
}

type localShard struct {
	mu        sync.RWMutex
	counters  map[string]*localCounter
	nextSweep int64
	_         [32]byte // keeps shards on separate cache lines
}

type localCounter struct {
	n       atomic.Int64
	expires int64 // Unix nanoseconds, fixed at creation
}

func newLocalStore() *localStore {
	s := &localStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].counters = map[string]*localCounter{}
	}
	return s
}

func (s *localStore) shard(key []byte) *localShard {
	return &s.shards[maphash.Bytes(s.seed, key)&(localShards-1)]
}

// lookup returns the live counter of key, or nil.
func (s *localStore) lookup(key []byte, now int64) *localCounter {
	sh := s.shard(key)
	sh.mu.RLock()
	c := sh.counters[string(key)]
	sh.mu.RUnlock()
	if c == nil || c.expires <= now {
		return nil
	}
	return c
}

// counter returns the live counter of key, creating it when needed.
func (s *localStore) counter(key []byte, expires, now int64) *localCounter {
	if c := s.lookup(key, now); c != nil {
		return c
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now >= sh.nextSweep {
		for k, c := range sh.counters {
			if c.expires <= now {
				delete(sh.counters, k)
			}
		}
		sh.nextSweep = now + sweepEvery
	}
	c := sh.counters[string(key)]
	if c == nil || c.expires <= now {
		c = &localCounter{expires: expires}
		sh.counters[string(key)] = c
	}
	return c
}

// size returns the number of counters held (for tests).
func (s *localStore) size() int {
	total := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		total += len(sh.counters)
		sh.mu.RUnlock()
	}
	return total
}

// take implements counterStore. Windows are claimed in order with a
// compare-and-swap that never goes past the limit; when a later window
// refuses, the claims already made are given back.
func (s *localStore) take(_ context.Context, t *take) (int, error) {
	var claimed [maxWindows]*localCounter
	for i := 0; i < t.n; i++ {
		w := &t.windows[i]
		previous := s.previous(w, t.now)
		c := s.counter(w.key, w.expires, t.now)
		for {
			cur := c.n.Load()
			if !fits(cur, previous, w.limit) {
				w.used = cur + previous
				for j := 0; j < i; j++ {
					claimed[j].n.Add(-1)
					t.windows[j].used--
				}
				s.peekRest(t, i+1)
				return i, nil
			}
			if c.n.CompareAndSwap(cur, cur+1) {
				w.used = cur + 1 + previous
				break
			}
		}
		claimed[i] = c
	}
	return -1, nil
}

// previous is the weighted count of w's previous window (0 for fixed
// windows).
func (s *localStore) previous(w *window, now int64) int64 {
	if w.weight <= 0 {
		return 0
	}
	p := s.lookup(w.prevKey, now)
	if p == nil {
		return 0
	}
	return int64(math.Floor(float64(p.n.Load()) * w.weight))
}

// peekRest reports the usage of windows from..t.n without counting.
func (s *localStore) peekRest(t *take, from int) {
	for j := from; j < t.n; j++ {
		w := &t.windows[j]
		w.used = s.previous(w, t.now)
		if c := s.lookup(w.key, t.now); c != nil {
			w.used += c.n.Load()
		}
	}
}
