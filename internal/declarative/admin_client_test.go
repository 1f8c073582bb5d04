package declarative_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/straitgw/strait/internal/admin"
	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// TestAdminClientSync syncs through a real Admin API handler: every
// entity type, paging, nested targets, idempotence and Kong's errors.
func TestAdminClientSync(t *testing.T) {
	reg := entity.Core()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(admin.New(st, reg, admin.Options{Version: "3.9.1", Database: "sqlite"}))
	defer srv.Close()
	client := declarative.NewAdminClient(srv.URL, reg)
	client.PageSize = 1 // every collection read follows offsets

	file := `_format_version: "3.0"
services:
- name: svc
  host: a.test
  routes:
  - name: r1
    paths: [/a]
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
consumers:
- username: bob
- username: alice
  plugins:
  - name: rate-limiting
    config: { minute: 5 }
`
	sync := func(text string) []declarative.Change {
		t.Helper()
		current, err := client.ReadAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := declarative.ParseWithOptions([]byte(text), reg, declarative.ParseOptions{Existing: current})
		if err != nil {
			t.Fatal(err)
		}
		changes := declarative.Diff(reg, current, cfg.Entities, declarative.DiffOptions{})
		if err := declarative.Apply(ctx, changes, client); err != nil {
			t.Fatal(err)
		}
		return changes
	}
	if got := len(sync(file)); got != 7 {
		t.Errorf("first sync made %d changes, want 7", got)
	}
	if again := sync(file); len(again) != 0 {
		t.Errorf("second sync is not a no-op: %v", again)
	}
	stored, err := declarative.ReadStore(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored["targets"]) != 1 || len(stored["plugins"]) != 1 || len(stored["routes"]) != 1 {
		t.Errorf("store after sync: %v", stored)
	}
	changed := sync(`_format_version: "3.0"
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
    weight: 7
`)
	if len(changed) != 6 {
		t.Errorf("changes %v", changed)
	}
	stored, _ = declarative.ReadStore(ctx, st, reg)
	if len(stored["services"]) != 0 || len(stored["targets"]) != 1 || stored["targets"][0]["weight"] != float64(7) {
		t.Errorf("store after second sync: %v", stored)
	}

	// The server's own error message is surfaced.
	bad := entity.Object{"id": "8a5a4f3c-94c9-4a39-b36c-3e3f8c3a2f11", "name": "x", "host": "a b"}
	err = client.Put(ctx, entity.Services, bad, true)
	var aerr *declarative.AdminError
	if !errors.As(err, &aerr) || aerr.Status != 400 || aerr.Message != "schema violation (host: invalid value: a b)" {
		t.Errorf("error %v", err)
	}
}
