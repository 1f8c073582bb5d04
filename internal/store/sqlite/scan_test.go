package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/storetest"
)

func TestScanBodies(t *testing.T) {
	sc := storetest.NewSchemas()
	s := openTemp(t, sc.Registry)
	defer s.Close()
	ctx := context.Background()
	parents := []entity.Object{
		{"id": "a0000000-0000-4000-8000-000000000002", "name": "b", "port": 80, "tags": []any{"x"}},
		{"id": "a0000000-0000-4000-8000-000000000001", "name": "a<&>", "custom_id": nil},
	}
	for _, p := range parents {
		if err := s.Insert(ctx, sc.Parents, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Insert(ctx, sc.RestrictChildren, entity.Object{"id": "c0000000-0000-4000-8000-000000000001", "name": "c",
		"parent": map[string]any{"id": "a0000000-0000-4000-8000-000000000001"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		entities []string
		want     []string // "entity/id", sorted
	}{
		{"one type", []string{"parents"}, []string{"parents/a0000000-0000-4000-8000-000000000001", "parents/a0000000-0000-4000-8000-000000000002"}},
		{"two types", []string{"restrict_children", "parents"}, []string{"parents/a0000000-0000-4000-8000-000000000001",
			"parents/a0000000-0000-4000-8000-000000000002", "restrict_children/c0000000-0000-4000-8000-000000000001"}},
		{"no stored rows", []string{"scoped"}, nil},
		{"none asked", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := s.View(ctx, func(r store.Reader) error {
				return r.(store.BodyScanner).ScanBodies(ctx, tt.entities, func(name, body string) error {
					// The body decodes to what Get returns.
					var obj entity.Object
					if err := json.Unmarshal([]byte(body), &obj); err != nil {
						return err
					}
					id, _ := obj["id"].(string)
					got = append(got, name+"/"+id)
					want, err := r.Get(ctx, sc.Registry.Get(name), id)
					if err != nil {
						return err
					}
					if !reflect.DeepEqual(obj, want) {
						t.Errorf("%s %s: body %s, Get %v", name, id, body, want)
					}
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("scanned %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScanBodiesStopsOnError(t *testing.T) {
	sc := storetest.NewSchemas()
	s := openTemp(t, sc.Registry)
	defer s.Close()
	ctx := context.Background()
	for _, name := range []string{"a", "b"} {
		if err := s.Insert(ctx, sc.Parents, entity.Object{"id": "a0000000-0000-4000-8000-00000000000" + name, "name": name}); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := s.View(ctx, func(r store.Reader) error {
		return r.(store.BodyScanner).ScanBodies(ctx, []string{"parents"}, func(string, string) error {
			calls++
			return stop
		})
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err %v after %d calls, want the callback's error after 1", err, calls)
	}
}
