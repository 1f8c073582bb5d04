package logserializer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func record(status int) *plugin.LogRecord {
	return &plugin.LogRecord{
		Request:  plugin.LogRequest{Method: "GET", URI: "/a?b=<c>", Headers: map[string]any{"x": "y"}},
		Response: plugin.LogResponse{Status: status},
		Tries:    []plugin.LogTry{{IP: "127.0.0.1", Port: 80, Hostname: "localhost", State: "failed", Cause: "connect-refused"}},
	}
}

func TestAppendJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := AppendJSON(&buf, record(200)); err != nil {
		t.Fatal(err)
	}
	if bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		t.Error("entry ends with a newline")
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"uri":"/a?b=<c>"`)) {
		t.Errorf("HTML characters escaped: %s", buf.Bytes())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	try := got["tries"].([]any)[0].(map[string]any)
	if try["hostname"] != "localhost" || try["cause"] != "connect-refused" || try["ip"] != "127.0.0.1" {
		t.Errorf("try = %v", try)
	}
	buf.Reset()
	if err := AppendJSONArray(&buf, []*plugin.LogRecord{record(200), record(500)}); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &list); err != nil || len(list) != 2 {
		t.Fatalf("array %s: %v", buf.Bytes(), err)
	}
}

func TestCustomFieldsByLua(t *testing.T) {
	f := CustomFieldsByLua()
	tests := []struct {
		value any
		want  string
	}{
		{nil, ""},
		{map[string]any{}, ""},
		{map[string]any{"x": "return 1"}, MsgCustomFieldsUnsupported},
	}
	for _, tt := range tests {
		if got := f.Check(tt.value); got != tt.want {
			t.Errorf("Check(%v) = %q, want %q", tt.value, got, tt.want)
		}
		err := RejectCustomFields(entity.Object{"custom_fields_by_lua": tt.value})
		if (err != nil) != (tt.want != "") {
			t.Errorf("RejectCustomFields(%v) = %v", tt.value, err)
		}
	}
}

func TestQueueDefaults(t *testing.T) {
	schema := &entity.Field{Type: entity.TypeRecord, Fields: []*entity.Field{QueueField()}}
	filled := plugin.FillDefaults(schema, nil)
	want := map[string]any{"max_batch_size": 1.0, "max_coalescing_delay": 1.0, "max_entries": 10000.0,
		"max_bytes": nil, "max_retry_time": 60.0, "initial_retry_delay": 0.01, "max_retry_delay": 60.0,
		"concurrency_limit": 1.0}
	q := filled["queue"].(entity.Object)
	for k, v := range want {
		if got, ok := q[k]; !ok || got != v {
			t.Errorf("queue.%s = %v, want %v", k, got, v)
		}
	}
	cfg, err := plugin.DecodeConfig[QueueConfig](q)
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.Options()
	if opts.Queue.Size != 10000 || opts.Queue.MaxBatch != 1 || opts.Concurrency != 1 ||
		opts.Retry.MaxTime != time.Minute || opts.Retry.InitialDelay != 10*time.Millisecond {
		t.Errorf("options = %+v retry %+v", opts, opts.Retry)
	}
}

// fakeDest records batches and fails the first failures deliveries.
type fakeDest struct {
	mu       sync.Mutex
	batches  [][]int
	failures int
	attempts atomic.Int32
	block    chan struct{}
	closed   bool
}

func (d *fakeDest) Deliver(ctx context.Context, batch []*plugin.LogRecord) error {
	d.attempts.Add(1)
	if d.block != nil {
		select {
		case <-d.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failures > 0 {
		d.failures--
		return errors.New("destination down")
	}
	var statuses []int
	for _, r := range batch {
		statuses = append(statuses, r.Response.Status)
	}
	d.batches = append(d.batches, statuses)
	return nil
}

func (d *fakeDest) Close() error { d.mu.Lock(); d.closed = true; d.mu.Unlock(); return nil }

func closeSink(t *testing.T, s *Sink) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSinkBatchesAndRetries(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		failures    int
		wantBatches int
		wantSent    uint64
		wantFailed  uint64
	}{
		{"batched", Options{Queue: plugin.LogQueueOptions{MaxBatch: 5, FlushEvery: time.Hour}}, 0, 2, 10, 0},
		{"retried until success", Options{Queue: plugin.LogQueueOptions{MaxBatch: 10, FlushEvery: time.Hour},
			Retry: &RetryPolicy{MaxTime: time.Second, InitialDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}}, 3, 1, 10, 0},
		{"abandoned without retry", Options{Queue: plugin.LogQueueOptions{MaxBatch: 10, FlushEvery: time.Hour}}, 1, 0, 0, 10},
		{"abandoned after retry time", Options{Queue: plugin.LogQueueOptions{MaxBatch: 10, FlushEvery: time.Hour},
			Retry: &RetryPolicy{MaxTime: 20 * time.Millisecond, InitialDelay: 5 * time.Millisecond, MaxDelay: 5 * time.Millisecond}}, 1000, 0, 0, 10},
		{"concurrent", Options{Queue: plugin.LogQueueOptions{MaxBatch: 2, FlushEvery: time.Hour}, Concurrency: 4}, 0, 5, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := &fakeDest{failures: tt.failures}
			name := "test-" + tt.name
			s, err := Acquire(name, "k", tt.opts, func() (Deliverer, error) { return dest, nil })
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				if !s.Enqueue(record(200 + i)) {
					t.Fatal("enqueue refused")
				}
			}
			closeSink(t, s)
			if len(dest.batches) != tt.wantBatches || !dest.closed {
				t.Errorf("batches %v closed %v", dest.batches, dest.closed)
			}
			c := CountersFor(name)
			if c.Sent.Load() != tt.wantSent || c.Failed.Load() != tt.wantFailed {
				t.Errorf("sent %d failed %d", c.Sent.Load(), c.Failed.Load())
			}
		})
	}
}

func TestSinkDropsWhenFullWithoutBlocking(t *testing.T) {
	dest := &fakeDest{block: make(chan struct{})}
	s, err := Acquire("test-drop", "k", Options{Queue: plugin.LogQueueOptions{Size: 4}}, func() (Deliverer, error) { return dest, nil })
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range 100 {
		s.Enqueue(record(i))
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("enqueue blocked for %v", d)
	}
	dropped := CountersFor("test-drop").Dropped.Load()
	if dropped < 100-4-1 || dropped > 100-4 {
		t.Errorf("dropped %d, want 95 or 96", dropped)
	}
	close(dest.block)
	closeSink(t, s)
}

func TestAcquireSharesAndReleaseCloses(t *testing.T) {
	opened := 0
	dest := &fakeDest{}
	open := func() (Deliverer, error) { opened++; return dest, nil }
	a, err := Acquire("test-share", "same", Options{}, open)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Acquire("test-share", "same", Options{}, open)
	if a != b || opened != 1 {
		t.Fatalf("same key gave distinct sinks (opened %d)", opened)
	}
	a.Enqueue(record(201))
	a.Release()
	if dest.closed {
		t.Fatal("closed while still referenced")
	}
	b.Release()
	deadline := time.Now().Add(5 * time.Second)
	for {
		dest.mu.Lock()
		closed, n := dest.closed, len(dest.batches)
		dest.mu.Unlock()
		if closed {
			if n != 1 {
				t.Errorf("waiting entry not delivered before close: %d batches", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("last release did not close the sink")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c, _ := Acquire("test-share", "same", Options{}, open)
	if c == a || opened != 2 {
		t.Error("a released key reused the closed sink")
	}
	c.Release()
}
