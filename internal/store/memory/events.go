package memory

import (
	"sync"

	"github.com/straitgw/strait/internal/store"
)

// subscriber is one registered callback.
type subscriber struct {
	id uint64
	fn func([]store.Event)
}

// dispatcher delivers committed batches to subscribers in commit order
// without holding a lock while a callback runs. Committing goroutines
// enqueue (under the store's write lock, hence in commit order) and then
// call deliver: the first one drains the queue, the others return at once
// and leave their batches to it. A callback that writes to the store
// therefore only enqueues and cannot deadlock.
type dispatcher struct {
	mu         sync.Mutex
	subs       []subscriber // copy-on-write
	nextID     uint64
	queue      [][]store.Event
	delivering bool
}

// subscribe registers fn and returns its idempotent unsubscribe function.
func (d *dispatcher) subscribe(fn func([]store.Event)) func() {
	d.mu.Lock()
	d.nextID++
	id := d.nextID
	subs := make([]subscriber, len(d.subs), len(d.subs)+1)
	copy(subs, d.subs)
	d.subs = append(subs, subscriber{id: id, fn: fn})
	d.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { d.unsubscribe(id) }) }
}

func (d *dispatcher) unsubscribe(id uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	subs := make([]subscriber, 0, len(d.subs))
	for _, s := range d.subs {
		if s.id != id {
			subs = append(subs, s)
		}
	}
	d.subs = subs
}

// enqueue appends one committed batch.
func (d *dispatcher) enqueue(batch []store.Event) {
	d.mu.Lock()
	d.queue = append(d.queue, batch)
	d.mu.Unlock()
}

// deliver drains the queue unless another goroutine is already doing so.
func (d *dispatcher) deliver() {
	d.mu.Lock()
	if d.delivering {
		d.mu.Unlock()
		return
	}
	d.delivering = true
	for len(d.queue) > 0 {
		batch := d.queue[0]
		d.queue[0] = nil
		d.queue = d.queue[1:]
		subs := d.subs
		d.mu.Unlock()
		d.run(subs, batch)
		d.mu.Lock()
	}
	d.queue = nil
	d.delivering = false
	d.mu.Unlock()
}

// run calls every subscriber with batch. If a callback panics, the
// delivering flag is cleared before the panic goes on, so the next writer
// resumes delivery.
func (d *dispatcher) run(subs []subscriber, batch []store.Event) {
	completed := false
	defer func() {
		if !completed {
			d.mu.Lock()
			d.delivering = false
			d.mu.Unlock()
		}
	}()
	for _, s := range subs {
		s.fn(batch)
	}
	completed = true
}
