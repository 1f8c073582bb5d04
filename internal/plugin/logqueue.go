package plugin

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// LogQueue moves log-phase work off the request path: Enqueue never
// blocks, a single worker goroutine hands items to the handler in batches,
// and items that do not fit in the bounded buffer are dropped and counted.
type LogQueue[T any] struct {
	items    chan T
	stop     chan struct{}
	done     chan struct{}
	closing  atomic.Bool
	once     sync.Once
	dropped  atomic.Uint64
	handle   func(batch []T)
	maxBatch int
	flush    time.Duration
}

// LogQueueOptions configures a LogQueue; zero fields take defaults.
type LogQueueOptions struct {
	// Size bounds the number of waiting items (default 10000).
	Size int
	// MaxBatch bounds the items handed to the handler at once (default 1).
	MaxBatch int
	// FlushEvery is how long a partial batch may wait for more items
	// (default 1s); it only matters when MaxBatch > 1.
	FlushEvery time.Duration
}

// NewLogQueue starts a queue whose worker calls handle with batches of at
// most opts.MaxBatch items. handle runs on the worker goroutine only; the
// batch slice is reused after it returns.
func NewLogQueue[T any](opts LogQueueOptions, handle func(batch []T)) *LogQueue[T] {
	if opts.Size <= 0 {
		opts.Size = 10000
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = time.Second
	}
	q := &LogQueue[T]{
		items:    make(chan T, opts.Size),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		handle:   handle,
		maxBatch: opts.MaxBatch,
		flush:    opts.FlushEvery,
	}
	go q.work()
	return q
}

// Enqueue adds v without blocking. It reports false, and counts a drop,
// when the queue is full or closed.
func (q *LogQueue[T]) Enqueue(v T) bool {
	if q.closing.Load() {
		q.dropped.Add(1)
		return false
	}
	select {
	case q.items <- v:
		return true
	default:
		q.dropped.Add(1)
		return false
	}
}

// Dropped returns the number of items dropped so far.
func (q *LogQueue[T]) Dropped() uint64 { return q.dropped.Load() }

// Len returns the number of items waiting.
func (q *LogQueue[T]) Len() int { return len(q.items) }

// Close stops accepting items, lets the worker hand the waiting ones to
// the handler and waits for it, or for ctx to end. Items enqueued
// concurrently with Close may be lost.
func (q *LogQueue[T]) Close(ctx context.Context) error {
	q.once.Do(func() {
		q.closing.Store(true)
		close(q.stop)
	})
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close log queue with %d items waiting: %w", q.Len(), ctx.Err())
	}
}

func (q *LogQueue[T]) work() {
	defer close(q.done)
	batch := make([]T, 0, q.maxBatch)
	timer := time.NewTimer(q.flush)
	timer.Stop()
	timerOn := false
	send := func() {
		if len(batch) == 0 {
			return
		}
		q.handle(batch)
		clear(batch)
		batch = batch[:0]
	}
	for {
		select {
		case v := <-q.items:
			batch = append(batch, v)
			if len(batch) >= q.maxBatch {
				send()
				if timerOn {
					timer.Stop()
					timerOn = false
				}
			} else if !timerOn {
				timer.Reset(q.flush)
				timerOn = true
			}
		case <-timer.C:
			timerOn = false
			send()
		case <-q.stop:
			// Hand every waiting item to the handler before exiting.
			for {
				select {
				case v := <-q.items:
					batch = append(batch, v)
					if len(batch) >= q.maxBatch {
						send()
					}
				default:
					send()
					return
				}
			}
		}
	}
}
