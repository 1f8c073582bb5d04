// Package memory is an in-memory store backend: store.Store without any
// file, used when the node runs without a database (database = off) and
// its whole configuration comes from a declarative file.
//
// Concurrency: the current data set is an immutable state published
// through an atomic pointer. Readers and View take the pointer once and
// never wait. Writers are serialized by a mutex; a transaction works on a
// copy of the state that shares every table it does not change and owns
// private copies of the tables it does, and commits by publishing that
// copy. A rolled back transaction is simply dropped.
package memory

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// Store is the in-memory implementation of store.Store. It is safe for
// concurrent use.
type Store struct {
	reg     *entity.Registry
	current atomic.Pointer[state]
	// writeMu serializes write transactions and keeps the event queue in
	// commit order.
	writeMu sync.Mutex
	events  dispatcher
}

var _ store.Store = (*Store)(nil)

// New returns an empty store. Tables are created by the first write of
// each schema; reg orders the events of Replace (it may be nil).
func New(reg *entity.Registry) *Store {
	s := &Store{reg: reg}
	s.current.Store(&state{tables: map[string]*table{}})
	return s
}

// Close releases nothing; the data stays readable.
func (s *Store) Close() error { return nil }

func (s *Store) snapshot() *reader { return &reader{st: s.current.Load()} }

// Get implements store.Reader.
func (s *Store) Get(ctx context.Context, sc *entity.Schema, id string) (entity.Object, error) {
	return s.snapshot().Get(ctx, sc, id)
}

// GetBy implements store.Reader.
func (s *Store) GetBy(ctx context.Context, sc *entity.Schema, field, value string) (entity.Object, error) {
	return s.snapshot().GetBy(ctx, sc, field, value)
}

// List implements store.Reader.
func (s *Store) List(ctx context.Context, sc *entity.Schema, opts store.ListOptions) (store.Page, error) {
	return s.snapshot().List(ctx, sc, opts)
}

// All implements store.Reader.
func (s *Store) All(ctx context.Context, sc *entity.Schema) ([]entity.Object, error) {
	return s.snapshot().All(ctx, sc)
}

// Insert implements store.Writer in its own transaction.
func (s *Store) Insert(ctx context.Context, sc *entity.Schema, obj entity.Object) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Insert(ctx, sc, obj) })
}

// Put implements store.Writer in its own transaction.
func (s *Store) Put(ctx context.Context, sc *entity.Schema, obj entity.Object) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, sc, obj) })
}

// Delete implements store.Writer in its own transaction.
func (s *Store) Delete(ctx context.Context, sc *entity.Schema, id string) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, sc, id) })
}

// Update implements store.Store. fn must use tx, not the Store's own write
// methods (which would wait for this transaction to end), and must not use
// tx after returning. fn's error is returned unchanged. Subscribers see
// the transaction's events after it commits.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	tx := newWriteTx(s.current.Load())
	err := fn(tx)
	if err == nil {
		s.current.Store(tx.finish())
		if len(tx.events) > 0 {
			s.events.enqueue(tx.events)
		}
	}
	s.writeMu.Unlock()
	if err != nil {
		return err
	}
	s.events.deliver()
	return nil
}

// View implements store.Store: fn reads the state current when View was
// called, whatever commits meanwhile.
func (s *Store) View(_ context.Context, fn func(store.Reader) error) error {
	return fn(s.snapshot())
}

// Subscribe implements store.Store. Callbacks run on a writing goroutine
// after its commit, never while the write lock is held, so they may read
// and write the store. Batches arrive in commit order.
func (s *Store) Subscribe(fn func([]store.Event)) (unsubscribe func()) {
	return s.events.subscribe(fn)
}
