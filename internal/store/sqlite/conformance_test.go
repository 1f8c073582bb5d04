package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/storetest"
)

// openTemp opens a fresh store in the test's temporary directory.
func openTemp(t testing.TB, reg *entity.Registry) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, reg *entity.Registry) store.Store {
		return openTemp(t, reg)
	})
}
