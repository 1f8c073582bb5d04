package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/straitgw/strait/internal/store/storetest"
)

func TestOpenRejectsNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := Open(context.Background(), path, storetest.NewSchemas().Registry); err == nil {
			_ = s.Close()
			t.Fatalf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestOpenSetsDurabilityPragmas(t *testing.T) {
	s := openTemp(t, storetest.NewSchemas().Registry)
	defer s.Close()
	ctx := context.Background()
	pragmas := []struct {
		name, want string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
	}
	for _, p := range pragmas {
		var got string
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil || got != p.want {
			t.Fatalf("PRAGMA %s = %q (%v), want %q", p.name, got, err, p.want)
		}
	}
}

func TestReopenKeepsDataAndSchemaVersion(t *testing.T) {
	ctx := context.Background()
	sc := storetest.NewSchemas()
	path := filepath.Join(t.TempDir(), "strait.db")
	s, err := Open(ctx, path, sc.Registry)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	obj := map[string]any{"id": "00000000-0000-4000-8000-000000000001", "name": "kept",
		"custom_id": nil, "port": nil, "tags": []any{"t"}}
	if err := s.Insert(ctx, sc.Parents, obj); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for i := 0; i < 2; i++ { // migrations are applied once, then skipped
		s, err = Open(ctx, path, sc.Registry)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("schema version %d (%v), want %d", v, err, len(migrations))
		}
		if _, err := s.GetBy(ctx, sc.Parents, "name", "kept"); err != nil {
			t.Fatalf("reopen %d: row lost: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
}
