//go:build linux

package h1

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// yieldEvery is how long a busy loop runs before it lets other
// goroutines of the process (Admin API, log shippers, requests served
// off the loop) have the processor.
const yieldEvery = int64(time.Millisecond)

// aborter ends an object's work after a panic in one of its callbacks.
type aborter interface{ abort() }

// loopHandler receives the readiness events of one descriptor.
type loopHandler interface {
	handleEvent(events uint32)
	aborter
}

// Loop is an event loop: one goroutine that owns a poller and every
// connection registered on it, runs their state machines and timers,
// and keeps idle upstream connections per loop. Connections served by a
// loop never block it: an operation that cannot complete now is resumed
// when its socket is ready. A process runs one loop per processor (see
// startLoops); they live as long as the process and hold no thread while
// idle.
type Loop struct {
	id       int
	poll     *poller
	handlers []loopHandler // by descriptor
	current  aborter       // the object whose callback runs, for panic recovery
	timers   timerHeap
	now      int64 // loop clock (monoNow) at the start of the batch
	yielded  int64
	// wallRef is the wall clock read at loop clock wallRefAt; Now adds
	// the loop clock's progress to it and reads the wall clock again
	// every second, so that it follows adjustments.
	wallRef     time.Time
	wallRefAt   int64
	wallRefUnix int64 // wallRef's Unix seconds and nanoseconds
	wallRefNsec int64

	// retired are connections whose memory goes back to the pools once
	// the batch is over, when no callback of the batch can touch them.
	retired []*serverConn
	// deferred are connections that gave up their turn (see later).
	deferred    []laterConn
	deferredRun []laterConn

	wakeFD   int
	sleeping atomic.Bool
	hasPosts atomic.Bool
	mu       sync.Mutex
	posts    []func()
	running  []func()
}

// loopEpoch is the origin of the loop clock.
var loopEpoch = time.Now()

// monoNow reads the monotonic clock as nanoseconds since loopEpoch.
func monoNow() int64 { return int64(time.Since(loopEpoch)) }

// monoTime converts a loop clock reading back to wall-clock time.
func monoTime(t int64) time.Time { return loopEpoch.Add(time.Duration(t)) }

var (
	loopsOnce sync.Once
	loops     []*Loop
	loopsErr  error
)

// startLoops starts the process's event loops on first use: one per
// processor the runtime may use (GOMAXPROCS).
func startLoops() ([]*Loop, error) {
	loopsOnce.Do(func() {
		n := max(runtime.GOMAXPROCS(0), 1)
		for i := range n {
			l, err := newLoop(i)
			if err != nil {
				loopsErr = err
				return
			}
			loops = append(loops, l)
		}
		for _, l := range loops {
			go l.run()
		}
	})
	return loops, loopsErr
}

// LoopCount returns how many event loops the process runs (0 before the
// first event-loop server starts). Per-loop state may be indexed by
// Loop.ID below it.
func LoopCount() int {
	if loopsErr != nil {
		return 0
	}
	return len(loops)
}

func newLoop(id int) (*Loop, error) {
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	l := &Loop{id: id, poll: p, wakeFD: wfd, now: monoNow()}
	if err := p.add(wfd, unix.EPOLLIN|unix.EPOLLET); err != nil {
		p.close()
		_ = unix.Close(wfd)
		return nil, err
	}
	l.setHandler(wfd, wakeHandler{l})
	return l, nil
}

// ID numbers the loop from 0 to LoopCount()-1.
func (l *Loop) ID() int { return l.id }

// unixSec returns the wall clock's Unix seconds at the start of the
// batch (see Now).
func (l *Loop) unixSec() int64 {
	d := l.now - l.wallRefAt
	if d < 0 || d >= int64(time.Second) || l.wallRef.IsZero() {
		return l.Now().Unix()
	}
	return l.wallRefUnix + (l.wallRefNsec+d)/int64(time.Second)
}

// Nanotime returns the loop clock: nanoseconds of the monotonic clock at
// the start of the current batch of events. Differences of readings are
// durations.
func (l *Loop) Nanotime() int64 { return l.now }

// Now returns the time at the start of the current batch of events: what
// the loop's requests use as "now" for stamps and latencies, read without
// a clock call (the wall clock is read again once a second). Call it on
// the loop's goroutine.
func (l *Loop) Now() time.Time {
	d := l.now - l.wallRefAt
	if d < 0 || d >= int64(time.Second) || l.wallRef.IsZero() {
		l.wallRef = time.Now()
		l.wallRefAt = monoNow()
		l.wallRefUnix, l.wallRefNsec = l.wallRef.Unix(), int64(l.wallRef.Nanosecond())
		l.now = l.wallRefAt
		return l.wallRef
	}
	return l.wallRef.Add(time.Duration(d))
}

func (l *Loop) setHandler(fd int, h loopHandler) {
	if fd >= len(l.handlers) {
		grown := make([]loopHandler, max(fd+1, 2*len(l.handlers), 64))
		copy(grown, l.handlers)
		l.handlers = grown
	}
	l.handlers[fd] = h
}

// register watches a connection's descriptor with the edge-triggered
// mask and routes its events to h.
func (l *Loop) register(fd int, h loopHandler) error {
	l.setHandler(fd, h)
	if err := l.poll.add(fd, evConn); err != nil {
		l.handlers[fd] = nil
		return err
	}
	return nil
}

// unregister stops watching fd (nothing for a closed descriptor, -1).
func (l *Loop) unregister(fd int) {
	if fd < 0 {
		return
	}
	l.poll.del(fd)
	if fd < len(l.handlers) {
		l.handlers[fd] = nil
	}
}

// laterConn is a connection to serve again after the batch; gen tells
// whether its structure still holds the same connection by then.
type laterConn struct {
	e   *evState
	gen uint64
}

// later queues e to read and serve again after the current batch.
func (l *Loop) later(e *evState) {
	l.deferred = append(l.deferred, laterConn{e: e, gen: e.c.loopGen.Load()})
}

// runLater serves the connections queued by later.
func (l *Loop) runLater() {
	if len(l.deferred) == 0 {
		return
	}
	l.deferredRun, l.deferred = l.deferred, l.deferredRun[:0]
	for i := range l.deferredRun {
		lc := l.deferredRun[i]
		l.deferredRun[i] = laterConn{}
		e := lc.e
		if e.c.loopGen.Load() != lc.gen {
			continue
		}
		e.queued, e.burst = false, 0
		if e.closed || e.phase != phaseHead {
			continue
		}
		l.safely(e, e.readStep)
	}
}

// run is the loop's goroutine.
func (l *Loop) run() {
	for {
		l.now = monoNow()
		n := l.poll.poll()
		if n == 0 {
			l.runLater()
			l.runPosts()
			l.runTimers()
			l.recycleRetired()
			if l.hasPosts.Load() || len(l.deferred) > 0 {
				continue
			}
			var deadline time.Time
			if next, ok := l.timers.next(); ok {
				deadline = monoTime(next)
			}
			l.sleeping.Store(true)
			if l.hasPosts.Load() {
				l.sleeping.Store(false)
				continue
			}
			n = l.poll.park(deadline)
			l.sleeping.Store(false)
			l.now = monoNow()
			l.yielded = l.now
		}
		if n > 0 {
			l.dispatch(n)
		}
		l.runLater()
		l.runPosts()
		l.runTimers()
		l.recycleRetired()
		if l.now-l.yielded >= yieldEvery {
			runtime.Gosched()
			l.yielded = monoNow()
		}
	}
}

// recycleRetired returns the memory of the connections closed during
// the batch.
func (l *Loop) recycleRetired() {
	for i, c := range l.retired {
		l.retired[i] = nil
		c.recycle()
	}
	l.retired = l.retired[:0]
}

// dispatch hands the collected events to their handlers.
func (l *Loop) dispatch(n int) {
	for i := 0; i < n; {
		i = l.dispatchFrom(i, n)
	}
}

// dispatchFrom runs events[i:n]; a panicking handler is aborted and the
// batch goes on after it.
func (l *Loop) dispatchFrom(i, n int) (next int) {
	defer func() {
		if v := recover(); v != nil {
			l.recovered(v)
			next = i + 1
		}
	}()
	for ; i < n; i++ {
		ev := &l.poll.events[i]
		fd := int(ev.Fd)
		if fd < len(l.handlers) {
			if h := l.handlers[fd]; h != nil {
				l.current = h
				h.handleEvent(ev.Events)
			}
		}
	}
	l.current = nil
	return n
}

// recovered reports a panic of a loop callback and aborts the handler
// that was running, so one faulty request cannot stop the loop.
func (l *Loop) recovered(v any) {
	loopPanics.Add(1)
	fmt.Fprintf(os.Stderr, "h1: panic in event loop %d: %v\n%s", l.id, v, debug.Stack())
	if h := l.current; h != nil {
		l.current = nil
		h.abort()
	}
}

// loopPanics counts the panics the loops recovered from.
var loopPanics atomic.Int64

// safely runs fn, recovering a panic (with h aborted).
func (l *Loop) safely(h aborter, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			l.current = h
			l.recovered(v)
		}
	}()
	fn()
}

// Post runs fn on the loop's goroutine, soon. It may be called from any
// goroutine; the loop is woken when it is parked.
func (l *Loop) Post(fn func()) {
	l.mu.Lock()
	l.posts = append(l.posts, fn)
	l.mu.Unlock()
	l.hasPosts.Store(true)
	if l.sleeping.Load() {
		var one = [8]byte{1}
		_, _ = unix.Write(l.wakeFD, one[:])
	}
}

func (l *Loop) runPosts() {
	if !l.hasPosts.Load() {
		return
	}
	l.mu.Lock()
	l.running, l.posts = l.posts, l.running[:0]
	l.hasPosts.Store(false)
	l.mu.Unlock()
	for i, fn := range l.running {
		l.running[i] = nil
		l.safely(nil, fn)
	}
}

// wakeHandler drains the loop's eventfd; the posts run after the batch.
type wakeHandler struct{ l *Loop }

func (w wakeHandler) handleEvent(uint32) {
	var buf [8]byte
	_, _ = unix.Read(w.l.wakeFD, buf[:])
}

func (w wakeHandler) abort() {}

// timer is a deadline of a loop object, kept in the loop's heap. The
// heap is updated lazily: moving a deadline later, or stopping it, only
// changes when, and the heap entry (ordered by key) is checked again when
// it comes due. Connections re-arm the same timeouts for every request,
// so in a steady state the heap is hardly touched.
type timer struct {
	when  int64 // loop clock; 0 when not armed
	key   int64 // the expiry the heap orders the timer by
	slot  int   // position in the heap plus one; 0 when absent
	owner timerOwner
}

// timerOwner is told when its timer expires.
type timerOwner interface {
	onTimer()
	aborter
}

// setTimer arms t to expire at when (loop clock), or stops it when when
// is 0.
func (l *Loop) setTimer(t *timer, when int64) {
	t.when = when
	if when == 0 {
		return
	}
	if t.slot > 0 {
		if when >= t.key {
			return // the entry comes due first and is checked then
		}
		t.key = when
		l.timers.fix(t)
		return
	}
	t.key = when
	l.timers.push(t)
}

// dropTimer stops t and takes it out of the heap, for an object that goes
// away (its memory may be reused).
func (l *Loop) dropTimer(t *timer) {
	t.when = 0
	if t.slot > 0 {
		l.timers.remove(t)
	}
}

// runTimers fires the expired timers.
func (l *Loop) runTimers() {
	for {
		t := l.timers.peek()
		if t == nil || t.key > l.now {
			return
		}
		l.timers.remove(t)
		switch {
		case t.when == 0:
			continue
		case t.when > l.now:
			t.key = t.when
			l.timers.push(t)
			continue
		}
		t.when = 0
		owner := t.owner
		l.safely(owner, owner.onTimer)
	}
}

// timerHeap is a binary min-heap of timers by expiry.
type timerHeap struct{ items []*timer }

func (h *timerHeap) peek() *timer {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *timerHeap) next() (int64, bool) {
	if len(h.items) == 0 {
		return 0, false
	}
	return h.items[0].key, true
}

func (h *timerHeap) push(t *timer) {
	t.slot = len(h.items) + 1
	h.items = append(h.items, t)
	h.up(t.slot - 1)
}

func (h *timerHeap) remove(t *timer) {
	i := t.slot - 1
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = nil
	h.items = h.items[:last]
	t.slot = 0
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
}

func (h *timerHeap) fix(t *timer) {
	if !h.down(t.slot - 1) {
		h.up(t.slot - 1)
	}
}

func (h *timerHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].slot = i + 1
	h.items[j].slot = j + 1
}

func (h *timerHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h.items[parent].key <= h.items[i].key {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down sifts item i down and reports whether it moved.
func (h *timerHeap) down(i int) bool {
	start := i
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h.items[r].key < h.items[l].key {
			j = r
		}
		if h.items[i].key <= h.items[j].key {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > start
}
