package httplog

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/logserializer"
)

func newHandler(t testing.TB, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

func flush(t testing.TB, h *Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func rec(status int) *plugin.LogRecord {
	return &plugin.LogRecord{Response: plugin.LogResponse{Status: status}, Request: plugin.LogRequest{Method: "GET", URI: "/x"}}
}

// collector is an endpoint that records request bodies and answers with
// the statuses of fail first.
type collector struct {
	mu     sync.Mutex
	bodies []string
	heads  []http.Header
	fail   []int
	srv    *httptest.Server
}

func newCollector(t *testing.T, fail ...int) *collector {
	c := &collector{fail: fail}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.fail) > 0 {
			w.WriteHeader(c.fail[0])
			c.fail = c.fail[1:]
			return
		}
		c.bodies = append(c.bodies, string(body))
		c.heads = append(c.heads, r.Header.Clone())
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func TestDelivery(t *testing.T) {
	tests := []struct {
		name    string
		config  func(url string) entity.Object
		fail    []int
		entries int
		check   func(t *testing.T, c *collector)
	}{
		{"single object per request by default", func(u string) entity.Object {
			return entity.Object{"http_endpoint": u, "queue": map[string]any{"max_coalescing_delay": 0.001}}
		}, nil, 3, func(t *testing.T, c *collector) {
			if len(c.bodies) != 3 || !strings.HasPrefix(c.bodies[0], "{") {
				t.Errorf("bodies %q", c.bodies)
			}
			if ct := c.heads[0].Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
		}},
		{"batches as arrays", func(u string) entity.Object {
			return entity.Object{"http_endpoint": u, "method": "PUT", "content_type": "application/json; charset=utf-8",
				"headers": map[string]any{"X-Token": "t"},
				"queue":   map[string]any{"max_batch_size": float64(5), "max_coalescing_delay": float64(60)}}
		}, nil, 10, func(t *testing.T, c *collector) {
			if len(c.bodies) != 2 {
				t.Fatalf("%d requests, want 2", len(c.bodies))
			}
			var list []map[string]any
			if err := json.Unmarshal([]byte(c.bodies[0]), &list); err != nil || len(list) != 5 {
				t.Errorf("batch %q: %v", c.bodies[0], err)
			}
			if c.heads[0].Get("X-Token") != "t" || c.heads[0].Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("headers %v", c.heads[0])
			}
		}},
		{"user info becomes basic auth", func(u string) entity.Object {
			return entity.Object{"http_endpoint": strings.Replace(u, "http://", "http://bob:pw@", 1),
				"queue": map[string]any{"max_coalescing_delay": 0.001}}
		}, nil, 1, func(t *testing.T, c *collector) {
			if got := c.heads[0].Get("Authorization"); got != "Basic Ym9iOnB3" {
				t.Errorf("authorization %q", got)
			}
		}},
		{"retried after failures", func(u string) entity.Object {
			return entity.Object{"http_endpoint": u, "queue": map[string]any{"initial_retry_delay": 0.001, "max_retry_delay": 0.002}}
		}, []int{500, 503, 302}, 1, func(t *testing.T, c *collector) {
			if len(c.bodies) != 1 {
				t.Errorf("%d delivered, want 1", len(c.bodies))
			}
		}},
		{"max_bytes splits batches", func(u string) entity.Object {
			return entity.Object{"http_endpoint": u, "queue": map[string]any{"max_batch_size": float64(4),
				"max_coalescing_delay": float64(60), "max_bytes": float64(300)}}
		}, nil, 4, func(t *testing.T, c *collector) {
			if len(c.bodies) < 2 {
				t.Errorf("%d requests, want the batch split", len(c.bodies))
			}
			for _, b := range c.bodies {
				var list []any
				if err := json.Unmarshal([]byte(b), &list); err != nil {
					t.Errorf("body %q: %v", b, err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCollector(t, tt.fail...)
			h := newHandler(t, tt.config(c.srv.URL))
			for i := range tt.entries {
				h.Log(rec(200 + i))
			}
			flush(t, h)
			c.mu.Lock()
			defer c.mu.Unlock()
			tt.check(t, c)
		})
	}
}

func TestDeadEndpointNeverBlocks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/dead"
	ln.Close()
	before := logserializer.CountersFor(Name)
	droppedBefore, failedBefore := before.Dropped.Load(), before.Failed.Load()
	h := newHandler(t, entity.Object{"http_endpoint": dead, "timeout": float64(50),
		"queue": map[string]any{"max_entries": float64(10), "max_retry_time": 0.05, "initial_retry_delay": 0.01}})
	start := time.Now()
	for i := range 1000 {
		h.Log(rec(i))
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("1000 Log calls took %v", d)
	}
	flush(t, h)
	c := logserializer.CountersFor(Name)
	if c.Dropped.Load()-droppedBefore < 900 {
		t.Errorf("dropped %d, want at least 900", c.Dropped.Load()-droppedBefore)
	}
	if c.Failed.Load() == failedBefore {
		t.Error("no failed delivery counted")
	}
}

func TestConfigValidation(t *testing.T) {
	schema := Plugin{}.ConfigSchema()
	field := func(name string) *entity.Field {
		for _, f := range schema.Fields {
			if f.Name == name {
				return f
			}
		}
		t.Fatalf("no field %s", name)
		return nil
	}
	endpoint := []struct{ in, want string }{
		{"http://example.com/log", ""},
		{"https://example.com", ""},
		{"example.com/log", msgMissingScm},
		{"http:///log", msgMissingHost},
		{"ftp://example.com", msgBadScheme},
	}
	for _, tt := range endpoint {
		if got := field("http_endpoint").Check(tt.in); got != tt.want {
			t.Errorf("endpoint %q: %q, want %q", tt.in, got, tt.want)
		}
	}
	headers := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"X-A": "1"}, ""},
		{map[string]any{"host": "x"}, "cannot contain 'Host' header"},
		{map[string]any{"Content-Length": "1"}, "cannot contain 'Content-Length' header"},
		{map[string]any{"content-type": "x"}, "cannot contain 'Content-Type' header"},
	}
	for _, tt := range headers {
		if got := field("headers").Check(tt.in); got != tt.want {
			t.Errorf("headers %v: %q, want %q", tt.in, got, tt.want)
		}
	}
	check := schema.Checks[0].Custom
	if got := check(entity.Object{"http_endpoint": "http://u:p@h", "headers": map[string]any{"authorization": "x"}}, entity.OpInsert); got == nil {
		t.Error("user info with an Authorization header accepted")
	}
	if got := check(entity.Object{"http_endpoint": "http://h", "headers": map[string]any{"authorization": "x"}}, entity.OpInsert); got != nil {
		t.Errorf("Authorization header alone rejected: %v", got)
	}
	d := plugin.FillDefaults(schema, entity.Object{"http_endpoint": "http://h"})
	if d["method"] != "POST" || d["content_type"] != "application/json" || d["timeout"] != 10000.0 ||
		d["keepalive"] != 60000.0 || d["retry_count"] != nil || d["headers"] != nil {
		t.Errorf("defaults %v", d)
	}
}

func TestDeprecatedFieldsMapOntoQueue(t *testing.T) {
	size, flushT := 7, 3.0
	cfg := Config{QueueSize: &size, FlushTimeout: &flushT, Queue: logserializer.QueueConfig{MaxBatchSize: 1, MaxCoalescingDelay: 1}}
	applyDeprecated(&cfg)
	if cfg.Queue.MaxBatchSize != 7 || cfg.Queue.MaxCoalescingDelay != 3 {
		t.Errorf("queue %+v", cfg.Queue)
	}
}

// BenchmarkLogEnqueue measures the request-path cost of http-log: one Log
// call per request, many goroutines at once, with a live endpoint.
func BenchmarkLogEnqueue(b *testing.B) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
	}))
	defer srv.Close()
	h := newHandler(b, entity.Object{"http_endpoint": srv.URL + "/bench",
		"queue": map[string]any{"max_batch_size": float64(100), "max_entries": float64(100000)}})
	r := rec(200)
	c := logserializer.CountersFor(Name)
	dropped, sent := c.Dropped.Load(), c.Sent.Load()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Log(r)
		}
	})
	b.StopTimer()
	flush(b, h)
	b.ReportMetric(float64(c.Dropped.Load()-dropped)/float64(b.N), "dropped/op")
	b.ReportMetric(float64(c.Sent.Load()-sent)/float64(b.N), "sent/op")
}
