package plugin_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

func closeQueue[T any](t *testing.T, q *plugin.LogQueue[T]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestLogQueueDropsWhenFull(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []int
	q := plugin.NewLogQueue(plugin.LogQueueOptions{Size: 2}, func(batch []int) {
		mu.Lock()
		handled = append(handled, batch...)
		first := len(handled) == 1
		mu.Unlock()
		if first {
			close(started)
			<-release
		}
	})
	if !q.Enqueue(1) {
		t.Fatal("first Enqueue refused")
	}
	<-started // the worker holds item 1; the buffer is empty
	for i, want := range []bool{true, true, false, false} {
		if got := q.Enqueue(i + 2); got != want {
			t.Errorf("Enqueue(%d) = %v, want %v", i+2, got, want)
		}
	}
	if q.Dropped() != 2 {
		t.Errorf("Dropped = %d, want 2", q.Dropped())
	}
	close(release)
	closeQueue(t, q)
	if !slices.Equal(handled, []int{1, 2, 3}) {
		t.Errorf("handled %v, want [1 2 3]", handled)
	}
	if q.Enqueue(9) || q.Dropped() != 3 {
		t.Errorf("Enqueue after Close accepted or not counted (dropped %d)", q.Dropped())
	}
}

func TestLogQueueBatches(t *testing.T) {
	var sizes []int
	q := plugin.NewLogQueue(plugin.LogQueueOptions{MaxBatch: 3, FlushEvery: time.Hour}, func(batch []int) {
		sizes = append(sizes, len(batch))
	})
	for i := range 7 {
		q.Enqueue(i)
	}
	closeQueue(t, q) // the partial batch is flushed on Close
	if !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("batch sizes %v, want [3 3 1]", sizes)
	}
}

func TestLogQueueFlushesPartialBatchAfterInterval(t *testing.T) {
	got := make(chan []string, 1)
	q := plugin.NewLogQueue(plugin.LogQueueOptions{MaxBatch: 100, FlushEvery: 10 * time.Millisecond}, func(batch []string) {
		got <- slices.Clone(batch)
	})
	defer closeQueue(t, q)
	q.Enqueue("a")
	q.Enqueue("b")
	select {
	case b := <-got:
		if !slices.Equal(b, []string{"a", "b"}) {
			t.Errorf("batch %v, want [a b]", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("partial batch never flushed")
	}
}

func TestLogQueueCloseTimesOut(t *testing.T) {
	release := make(chan struct{})
	q := plugin.NewLogQueue(plugin.LogQueueOptions{}, func([]int) { <-release })
	q.Enqueue(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Close(ctx); err == nil {
		t.Error("Close returned before the handler finished")
	}
	close(release)
	closeQueue(t, q)
}

func TestLogQueueConcurrentAccounting(t *testing.T) {
	var handled atomic.Int64
	q := plugin.NewLogQueue(plugin.LogQueueOptions{Size: 16, MaxBatch: 4}, func(batch []int) {
		handled.Add(int64(len(batch)))
	})
	const senders, each = 8, 1000
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range each {
				q.Enqueue(i)
			}
		})
	}
	wg.Wait()
	closeQueue(t, q)
	if total := handled.Load() + int64(q.Dropped()); total != senders*each {
		t.Errorf("handled %d + dropped %d = %d, want %d", handled.Load(), q.Dropped(), total, senders*each)
	}
}
