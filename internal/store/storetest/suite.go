// Package storetest is the conformance suite every store.Store backend
// must pass. Backends run it from their own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, reg *entity.Registry) store.Store {
//			return openFresh(t, reg)
//		})
//	}
//
// open must return a new, empty store knowing the schemas of reg; the
// suite closes it when the test ends.
package storetest

import (
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// Run runs the whole suite, each case on a fresh store.
func Run(t *testing.T, open func(t *testing.T, reg *entity.Registry) store.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"CRUD", testCRUD},
		{"StoredCopyIsIndependent", testStoredCopyIsIndependent},
		{"GetByRejectsNonUniqueField", testGetByNonUnique},
		{"PrimaryKeyViolation", testPrimaryKeyViolation},
		{"UniqueViolation", testUniqueViolation},
		{"UniqueTogether", testUniqueTogether},
		{"ForeignKeyViolation", testForeignKeyViolation},
		{"RestrictDelete", testRestrictDelete},
		{"CascadeDelete", testCascadeDelete},
		{"CascadeBlockedByRestrictGrandchild", testCascadeBlocked},
		{"Pagination", testPagination},
		{"PaginationDefaultSize", testPaginationDefaultSize},
		{"InvalidOffset", testInvalidOffset},
		{"EmptyList", testEmptyList},
		{"TagFilters", testTagFilters},
		{"ForeignFilter", testForeignFilter},
		{"UpdateRollback", testUpdateRollback},
		{"UpdateSeesOwnWritesAndIsolates", testUpdateIsolation},
		{"UpdateSurvivesFailedWrite", testUpdateSurvivesFailedWrite},
		{"ViewConsistency", testViewConsistency},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentUniqueRace", testConcurrentUniqueRace},
		{"Events", testEvents},
		{"EventsInCommitOrder", testEventsInCommitOrder},
		{"SubscriberMayWrite", testSubscriberMayWrite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newHarness(t, open))
		})
	}
}
