package dbless

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/store/memory"
)

// manyRoutes returns a declarative file with n services, each with one
// route nested under it.
func manyRoutes(n int) []byte {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- name: svc-%d\n  url: http://backend-%d.test:8080/api\n  routes:\n"+
			"  - name: route-%d\n    paths: [/r/%d]\n    methods: [GET, POST]\n", i, i%50, i, i)
	}
	return []byte(b.String())
}

// BenchmarkLoad10kRoutes measures a whole load of 10,000 services and
// 10,000 routes into an empty store: parsing, validation, the store
// transaction and the event batch.
func BenchmarkLoad10kRoutes(b *testing.B) {
	text := manyRoutes(10000)
	reg := nodeRegistry(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		l := New(memory.New(reg), reg)
		b.StartTimer()
		res, err := l.Load(ctx, Source{Text: text})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Entities["routes"]) != 10000 {
			b.Fatalf("%d routes loaded", len(res.Entities["routes"]))
		}
	}
}

// BenchmarkReload10kRoutes measures loading the same 10,000 routes again
// over themselves (everything compared, nothing changes).
func BenchmarkReload10kRoutes(b *testing.B) {
	text := manyRoutes(10000)
	reg := nodeRegistry(b)
	ctx := context.Background()
	l := New(memory.New(reg), reg)
	if _, err := l.Load(ctx, Source{Text: text}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Load(ctx, Source{Text: text}); err != nil {
			b.Fatal(err)
		}
	}
}
