package snapshot

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/memory"
)

func TestCompileUpstreams(t *testing.T) {
	m := balancer.NewManager(balancer.Options{})
	t.Cleanup(m.Close)
	src := testSources()
	src.Upstreams = []entity.Object{{"id": "u1", "name": "backend", "algorithm": "round-robin"}}
	src.Targets = []entity.Object{{"id": "t1", "target": "10.0.0.1:8080", "weight": float64(100),
		"upstream": map[string]any{"id": "u1"}}}
	tests := []struct {
		name    string
		manager *balancer.Manager
		want    bool
	}{
		{"without a manager", nil, false},
		{"with a manager", m, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := CompileSources(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			CompileUpstreams(s, src, tt.manager)
			b := s.Upstreams["backend"]
			if (b != nil) != tt.want {
				t.Fatalf("Upstreams = %v", s.Upstreams)
			}
			if b == nil {
				return
			}
			a, ok, err := b.Pick(nil)
			if !ok || err != nil || a.String() != "10.0.0.1:8080" || a.Target != "10.0.0.1:8080" {
				t.Errorf("Pick = %v, %v, %v", a, ok, err)
			}
			b.Done(a, balancer.Outcome{Status: 200})
		})
	}
}

func TestWatcherWithBalancers(t *testing.T) {
	reg := entity.Core()
	st := memory.New(reg)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	insert := func(s *entity.Schema, o entity.Object) {
		t.Helper()
		if err := st.Insert(ctx, s, o); err != nil {
			t.Fatal(err)
		}
	}
	upstreamID := "5f4c3a1e-0000-4000-8000-000000000001"
	insert(entity.Upstreams, entity.Object{"id": upstreamID, "name": "backend", "algorithm": "round-robin"})
	insert(entity.Targets, entity.Object{"id": "5f4c3a1e-0000-4000-8000-000000000002", "target": "10.0.0.7:9000",
		"weight": float64(100), "upstream": map[string]any{"id": upstreamID}})

	m := balancer.NewManager(balancer.Options{})
	t.Cleanup(m.Close)
	var holder Holder
	w := NewWatcher(st, reg, &holder, slog.New(slog.DiscardHandler)).WithBalancers(m)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b := holder.Load().Upstreams["backend"]
	if b == nil {
		t.Fatalf("upstreams %v", holder.Load().Upstreams)
	}
	if a := mustPickAddr(t, b); a != "10.0.0.7:9000" {
		t.Errorf("picked %s", a)
	}
	// A target added later reaches the same balancer through a rebuild.
	insert(entity.Targets, entity.Object{"id": "5f4c3a1e-0000-4000-8000-000000000003", "target": "10.0.0.8:9000",
		"weight": float64(100), "upstream": map[string]any{"id": upstreamID}})
	deadline := time.Now().Add(5 * time.Second)
	for b.Health().Weight.Total != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("new target not compiled: %+v", b.Health())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if holder.Load().Upstreams["backend"] != b {
		t.Error("the balancer must survive the rebuild")
	}
}

func mustPickAddr(t *testing.T, b *balancer.Balancer) string {
	t.Helper()
	a, ok, err := b.Pick(nil)
	if !ok {
		t.Fatalf("Pick: %v", err)
	}
	b.Done(a, balancer.Outcome{Status: 200})
	return a.String()
}
