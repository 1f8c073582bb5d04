// Package store defines how Strait keeps its configuration entities: a
// backend-neutral interface with transactions, unique and foreign-key
// constraints (with Kong's cascade rules), tag filtering, Kong-style
// pagination and change events. Backends live in sub-packages (sqlite, and
// later postgres and memory) and must all pass the storetest conformance
// suite.
//
// The store does not validate field values: callers hand it objects that
// entity.Schema.Process already completed. It does enforce what needs the
// whole data set: uniqueness, foreign-key existence, restrict and cascade on
// delete.
package store

import (
	"context"
	"errors"

	"github.com/straitgw/strait/internal/entity"
)

// ErrNotFound is returned by Get and GetBy when no row matches.
var ErrNotFound = errors.New("store: not found")

// ListOptions selects a page of one entity type.
type ListOptions struct {
	// Size is the page size (1..1000); 0 means 100.
	Size int
	// Offset is the opaque token of a previous Page; empty for the first page.
	Offset string
	// Tags filters by tags: with TagsOr false an entity must carry all of
	// them, with TagsOr true any of them.
	Tags   []string
	TagsOr bool
	// ForeignField and ForeignID restrict the list to children of one
	// parent (e.g. routes whose "service" is ForeignID).
	ForeignField string
	ForeignID    string
}

// Page is one page of a listing. Offset is empty on the last page.
type Page struct {
	Data   []entity.Object
	Offset string
}

// Reader reads entities.
type Reader interface {
	// Get returns the entity with primary key id, or ErrNotFound.
	Get(ctx context.Context, s *entity.Schema, id string) (entity.Object, error)
	// GetBy returns the entity whose unique field equals value, or ErrNotFound.
	GetBy(ctx context.Context, s *entity.Schema, field, value string) (entity.Object, error)
	// List returns one page in ascending primary-key order. A malformed
	// offset yields an *entity.Error with code CodeInvalidOffset.
	List(ctx context.Context, s *entity.Schema, opts ListOptions) (Page, error)
	// All returns every entity of a type in ascending primary-key order.
	All(ctx context.Context, s *entity.Schema) ([]entity.Object, error)
}

// Writer changes entities. Objects must be complete (entity.Schema.Process
// output) and carry their "id". Constraint failures are *entity.Error
// values in Kong's shape (unique 409, primary key, foreign key 400).
type Writer interface {
	// Insert adds a new entity; an existing id is a primary key violation.
	Insert(ctx context.Context, s *entity.Schema, obj entity.Object) error
	// Put inserts or fully replaces the entity with obj's id.
	Put(ctx context.Context, s *entity.Schema, obj entity.Object) error
	// Delete removes the entity with id, cascading to children whose
	// foreign key says cascade and refusing (ReferencedBy error) while a
	// restricting child exists. Deleting a missing id is not an error.
	Delete(ctx context.Context, s *entity.Schema, id string) error
}

// BodyScanner is implemented by the Readers of backends that keep each
// entity as JSON text. ScanBodies reads every stored entity whose type is
// one of entities, in a single pass and in no particular order, and hands
// fn its type and stored JSON body without decoding it: a caller that
// needs a few fields, or the text itself, skips building an
// entity.Object. Decoding body with encoding/json yields what Get returns
// (primary key included). fn may keep body; an error from fn stops the
// scan and is returned.
type BodyScanner interface {
	ScanBodies(ctx context.Context, entities []string, fn func(entity, body string) error) error
}

// Tx is a transaction: reads see its own writes; nothing is visible to
// others, and no event fires, until it commits.
type Tx interface {
	Reader
	Writer
}

// Op is the kind of change an Event reports.
type Op string

// Change kinds.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Event reports one committed change. Old is nil for creates, New nil for
// deletes. Cascaded deletes produce their own events.
type Event struct {
	Entity string
	Op     Op
	ID     string
	Old    entity.Object
	New    entity.Object
}

// Store is a configuration store backend. Its Reader and Writer methods
// each run in their own transaction.
type Store interface {
	Reader
	Writer
	// Update runs fn in one read-write transaction, committed when fn
	// returns nil and rolled back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction with a consistent snapshot.
	View(ctx context.Context, fn func(Reader) error) error
	// Subscribe registers fn to receive every committed change, in commit
	// order, after the commit. It returns a function that unsubscribes.
	// fn must not block for long.
	Subscribe(fn func([]Event)) (unsubscribe func())
	// Close releases the backend.
	Close() error
}
