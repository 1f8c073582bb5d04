package snapshot

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/memory"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// mixedRouteInput returns the Admin API input of route i of a table of
// mixed shapes (the benchmark harness's routes case): plain host, prefix
// path, host plus two prefixes with methods, regex path, wildcard host
// plus prefix, and header plus prefix.
func mixedRouteInput(i int, serviceID string) entity.Object {
	o := entity.Object{"name": fmt.Sprintf("r%d", i), "strip_path": true, "service": map[string]any{"id": serviceID}}
	switch i % 6 {
	case 0:
		o["hosts"] = []any{fmt.Sprintf("svc%d.example.com", i)}
	case 1:
		o["paths"] = []any{fmt.Sprintf("/svc%d", i)}
	case 2:
		o["hosts"] = []any{fmt.Sprintf("api%d.example.com", i)}
		o["paths"] = []any{fmt.Sprintf("/v1/items%d", i), fmt.Sprintf("/v2/items%d", i)}
		o["methods"] = []any{"GET", "POST"}
	case 3:
		o["paths"] = []any{fmt.Sprintf(`~/res%d/(?<id>\d+)$`, i)}
	case 4:
		o["hosts"] = []any{fmt.Sprintf("*.tenant%d.test", i)}
		o["paths"] = []any{"/api"}
	default:
		o["headers"] = map[string]any{"x-tenant": []any{fmt.Sprintf("t%d", i)}}
		o["paths"] = []any{fmt.Sprintf("/hdr%d", i)}
	}
	return o
}

// seedStore fills a new SQLite store with one service, routes mixed
// routes and consumers consumers, processed by their schemas as the
// Admin API would.
func seedStore(tb testing.TB, routes, consumers int) (store.Store, *entity.Registry) {
	tb.Helper()
	reg := entity.Core()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "strait.db"), reg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	fill(tb, st, routes, consumers)
	return st, reg
}

// fill inserts into st one service, routes mixed routes and consumers
// consumers, processed by their schemas as the Admin API would.
func fill(tb testing.TB, st store.Store, routes, consumers int) {
	tb.Helper()
	ctx := context.Background()
	insert := func(tx store.Tx, s *entity.Schema, in entity.Object) (entity.Object, error) {
		obj, verr := s.Process(in, entity.OpInsert, nil)
		if verr != nil {
			return nil, fmt.Errorf("%s %v: %v", s.Name, in, verr)
		}
		return obj, tx.Insert(ctx, s, obj)
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		svc, err := insert(tx, entity.Services, entity.Object{"name": "bench", "url": "http://127.0.0.1:8080"})
		if err != nil {
			return err
		}
		for i := range routes {
			if _, err := insert(tx, entity.Routes, mixedRouteInput(i, svc["id"].(string))); err != nil {
				return err
			}
		}
		for i := range consumers {
			if _, err := insert(tx, entity.Consumers, entity.Object{"username": fmt.Sprintf("consumer-%d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkBuild10k builds, as a node does at start and after every
// change, a snapshot of 10,000 routes of mixed shapes and 10,000
// consumers from the SQLite store. Besides the time and allocations of a
// build it reports live-MiB, the heap the snapshot keeps.
func BenchmarkBuild10k(b *testing.B) {
	st, reg := seedStore(b, 10000, 10000)
	benchmarkBuild(b, st, reg)
}

// BenchmarkBuild10kMemory is BenchmarkBuild10k on the memory store of
// DB-less mode.
func BenchmarkBuild10kMemory(b *testing.B) {
	reg := entity.Core()
	st := memory.New(reg)
	fill(b, st, 10000, 10000)
	benchmarkBuild(b, st, reg)
}

func benchmarkBuild(b *testing.B, st store.Store, reg *entity.Registry) {
	plugins, err := plugin.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	before := heapInUse()
	s, err := Build(ctx, st, reg, plugins, nil)
	if err != nil {
		b.Fatal(err)
	}
	live := heapInUse() - before
	if s.Router.Len() != 10000 || len(s.Routes) != 10000 {
		b.Fatalf("compiled %d routes", s.Router.Len())
	}
	if c, _, _ := s.Directory.Len(); c != 10000 {
		b.Fatalf("compiled %d consumers", c)
	}
	runtime.KeepAlive(s)
	s = nil
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(ctx, st, reg, plugins, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
}
