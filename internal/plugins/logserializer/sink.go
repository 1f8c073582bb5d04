package logserializer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

// Deliverer sends batches of records to one destination. Deliver runs on
// the sink's workers only; Close may run while a Deliver whose context
// was cancelled is still returning.
type Deliverer interface {
	// Deliver sends one batch. ctx ends when the sink is closing and its
	// deadline passed; Deliver must not keep batch after returning.
	Deliver(ctx context.Context, batch []*plugin.LogRecord) error
	// Close releases the destination.
	Close() error
}

// RetryPolicy retries failed deliveries with an exponential backoff.
type RetryPolicy struct {
	// MaxTime bounds the time spent on one batch, retries included.
	MaxTime time.Duration
	// InitialDelay is the wait before the first retry; it doubles with
	// every further retry up to MaxDelay.
	InitialDelay time.Duration
	MaxDelay     time.Duration
}

// Options configure a sink.
type Options struct {
	// Queue bounds the waiting entries and sets the batching.
	Queue plugin.LogQueueOptions
	// Concurrency is the number of batches delivered at once; 1 or less
	// delivers them one after the other, in order.
	Concurrency int
	// Retry, when set, retries failed deliveries; otherwise a failed
	// batch is abandoned at once.
	Retry *RetryPolicy
}

// closeTimeout bounds how long a sink no longer used may take to deliver
// its waiting entries.
const closeTimeout = 10 * time.Second

// warnEvery rate-limits the warnings of one sink.
const warnEvery = 10 * time.Second

// Sink carries the records of one log destination off the request path:
// Enqueue never blocks, a worker hands batches to the Deliverer. Sinks
// are shared by every plugin instance with the same destination and
// configuration, across configuration changes.
type Sink struct {
	plugin   string
	key      string
	opts     Options
	d        Deliverer
	q        *plugin.LogQueue[*plugin.LogRecord]
	counters *Counters
	ctx      context.Context
	cancel   context.CancelFunc
	sem      chan struct{}
	inflight sync.WaitGroup
	refs     int // guarded by registry.mu
	lastDrop atomic.Int64
	lastFail atomic.Int64
}

var registry struct {
	mu sync.Mutex
	m  map[string]*Sink
}

var logger atomic.Pointer[slog.Logger]

// SetLogger sets where sinks report dropped entries and failed
// deliveries; they are discarded until it is called.
func SetLogger(l *slog.Logger) { logger.Store(l) }

// Acquire returns the sink of pluginName for key (the destination and
// configuration in canonical form), opening a new one with open when
// none is in use. Every successful Acquire must be matched by one
// Release; Bind arranges it for a handler.
func Acquire(pluginName, key string, opts Options, open func() (Deliverer, error)) (*Sink, error) {
	full := pluginName + "\x00" + key
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if s := registry.m[full]; s != nil {
		s.refs++
		return s, nil
	}
	d, err := open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pluginName, err)
	}
	s := &Sink{plugin: pluginName, key: full, opts: opts, d: d, counters: CountersFor(pluginName), refs: 1}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts.Concurrency > 1 {
		s.sem = make(chan struct{}, opts.Concurrency)
	}
	s.q = plugin.NewLogQueue(opts.Queue, s.handle)
	if registry.m == nil {
		registry.m = map[string]*Sink{}
	}
	registry.m[full] = s
	return s, nil
}

// Bind releases s once owner is no longer reachable, that is once no
// configuration uses the handler owning it.
func Bind[T any](owner *T, s *Sink) {
	runtime.AddCleanup(owner, (*Sink).Release, s)
}

// Release gives up one reference; the last one closes the sink in the
// background after it delivered what is waiting.
func (s *Sink) Release() {
	registry.mu.Lock()
	s.refs--
	last := s.refs == 0
	if last && registry.m[s.key] == s {
		delete(registry.m, s.key)
	}
	registry.mu.Unlock()
	if last {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
			defer cancel()
			if err := s.Close(ctx); err != nil {
				s.warn(&s.lastFail, "closing log sink", "error", err)
			}
		}()
	}
}

// CloseAll delivers what every open sink holds and closes them, giving
// up on deliveries when ctx ends. It is meant for process shutdown.
func CloseAll(ctx context.Context) error {
	registry.mu.Lock()
	all := make([]*Sink, 0, len(registry.m))
	for _, s := range registry.m {
		all = append(all, s)
	}
	clear(registry.m)
	registry.mu.Unlock()
	var errs []error
	for _, s := range all {
		errs = append(errs, s.Close(ctx))
	}
	return errors.Join(errs...)
}

// Enqueue hands rec to the sink without blocking; it reports false, and
// counts a drop, when the queue is full or closed.
func (s *Sink) Enqueue(rec *plugin.LogRecord) bool {
	if s.q.Enqueue(rec) {
		return true
	}
	s.counters.Dropped.Add(1)
	s.warn(&s.lastDrop, "log queue full, dropping entries", "queued", s.q.Len())
	return false
}

// Close stops accepting entries, delivers the waiting ones and closes
// the destination; when ctx ends first, deliveries still running are
// cancelled.
func (s *Sink) Close(ctx context.Context) error {
	stop := context.AfterFunc(ctx, s.cancel)
	defer stop()
	err := s.q.Close(ctx)
	s.inflight.Wait()
	s.cancel()
	if cerr := s.d.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close %s destination: %w", s.plugin, cerr))
	}
	return err
}

// handle runs on the queue's worker with a batch it reuses afterwards.
func (s *Sink) handle(batch []*plugin.LogRecord) {
	if s.sem == nil {
		s.deliver(batch)
		return
	}
	own := append([]*plugin.LogRecord(nil), batch...)
	s.sem <- struct{}{}
	s.inflight.Add(1)
	go func() {
		defer func() { <-s.sem; s.inflight.Done() }()
		s.deliver(own)
	}()
}

// deliver sends one batch, retrying per the policy.
func (s *Sink) deliver(batch []*plugin.LogRecord) {
	start := time.Now()
	var delay time.Duration
	if r := s.opts.Retry; r != nil {
		delay = r.InitialDelay
	}
	for {
		err := s.d.Deliver(s.ctx, batch)
		if err == nil {
			s.counters.Sent.Add(uint64(len(batch)))
			return
		}
		r := s.opts.Retry
		if r == nil || s.ctx.Err() != nil || time.Since(start)+delay > r.MaxTime {
			s.counters.Failed.Add(uint64(len(batch)))
			s.warn(&s.lastFail, "log delivery failed, entries abandoned", "entries", len(batch), "error", err)
			return
		}
		if !sleep(s.ctx, delay) {
			s.counters.Failed.Add(uint64(len(batch)))
			return
		}
		delay = min(delay*2, r.MaxDelay)
	}
}

// sleep waits d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// warn logs msg at most once per warnEvery, using last as the clock.
func (s *Sink) warn(last *atomic.Int64, msg string, args ...any) {
	l := logger.Load()
	if l == nil {
		return
	}
	now := time.Now().UnixNano()
	prev := last.Load()
	if now-prev < int64(warnEvery) || !last.CompareAndSwap(prev, now) {
		return
	}
	l.Warn(msg, append([]any{"plugin", s.plugin}, args...)...)
}
