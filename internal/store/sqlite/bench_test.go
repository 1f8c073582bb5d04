package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/storetest"
)

// listAllTagged selects every row carrying tag on one large page.
func listAllTagged(tag string) store.ListOptions {
	return store.ListOptions{Size: 1 << 30, Tags: []string{tag}}
}

func benchParent(i int) entity.Object {
	return entity.Object{"id": uuid.NewString(), "name": fmt.Sprintf("svc-%d", i), "custom_id": nil,
		"port": 80, "tags": []any{"bench", fmt.Sprintf("t%d", i%10)}}
}

// BenchmarkInsert measures one durable single-row write transaction.
func BenchmarkInsert(b *testing.B) {
	sc := storetest.NewSchemas()
	s := openTemp(b, sc.Registry)
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.Insert(ctx, sc.Parents, benchParent(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertBatch measures rows written 100 to a transaction, the
// shape of a declarative import.
func BenchmarkInsertBatch(b *testing.B) {
	sc := storetest.NewSchemas()
	s := openTemp(b, sc.Registry)
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		err := s.Update(ctx, func(tx store.Tx) error {
			for j := 0; j < 100; j++ {
				n++
				if err := tx.Insert(ctx, sc.Parents, benchParent(n)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList pages through 10,000 rows, 100 at a time, with and
// without a tag filter.
func BenchmarkList(b *testing.B) {
	sc := storetest.NewSchemas()
	s := openTemp(b, sc.Registry)
	defer s.Close()
	ctx := context.Background()
	const rows = 10000
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := 0; i < rows; i++ {
			if err := tx.Insert(ctx, sc.Parents, benchParent(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts store.ListOptions
	}{
		{"page100", store.ListOptions{Size: 100}},
		{"page100-tag", store.ListOptions{Size: 100, Tags: []string{"t3"}}},
		{"page100-2tags", store.ListOptions{Size: 100, Tags: []string{"bench", "t3"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			opts := c.opts
			for b.Loop() {
				page, err := s.List(ctx, sc.Parents, opts)
				if err != nil {
					b.Fatal(err)
				}
				opts.Offset = page.Offset // wraps to the first page at the end
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if all, err := s.All(ctx, sc.Parents); err != nil || len(all) != rows {
				b.Fatal(len(all), err)
			}
		}
	})
}
