// Package sqlite is the embedded store backend: store.Store on a single
// SQLite file through the pure-Go modernc.org/sqlite driver.
//
// Entities are kept schema-driven in four generic tables (see migrate.go):
// the JSON body per (entity, id), the unique keys, the foreign references
// and the tags. All SQL is plain and parameterized with $N placeholders so
// that it runs unchanged on PostgreSQL; only opening the database (pragmas,
// BEGIN IMMEDIATE) is SQLite specific.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// write that returned success survives a crash of the process or of the
// machine. Writers are serialized by a mutex inside the process and by
// BEGIN IMMEDIATE with a busy timeout across processes, so concurrent
// writes wait for each other instead of failing with SQLITE_BUSY. Readers
// never wait for writers.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another process before giving up with SQLITE_BUSY.
const busyTimeoutMillis = 10000

// maxIdleConns keeps a few read connections warm.
const maxIdleConns = 8

// Store is the SQLite implementation of store.Store. It is safe for
// concurrent use.
type Store struct {
	db  *sql.DB
	reg *entity.Registry
	// writeMu serializes write transactions and keeps the event queue in
	// commit order.
	writeMu sync.Mutex
	events  dispatcher
	reader  reader
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.BodyScanner = (*reader)(nil)
)

// Open opens (creating it if needed) the SQLite database at path, applies
// pending migrations and returns a Store that knows the schemas of reg.
// path must be a file system path; it may not contain '?'.
func Open(ctx context.Context, path string, reg *entity.Registry) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open %q: path must be a plain file path", path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	db.SetMaxIdleConns(maxIdleConns)
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	s := &Store{db: db, reg: reg}
	s.reader = reader{q: db, reg: reg}
	return s, nil
}

// dsn builds the driver connection string. Every pooled connection gets the
// busy timeout, WAL journaling and synchronous=FULL; _txlock=immediate makes
// read-write transactions take the write lock at BEGIN (read-only ones stay
// deferred), so a transaction never fails upgrading its lock.
func dsn(path string) string {
	return path + fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeoutMillis) +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
}

// Close closes the database. Subscribers are not notified.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.db)
}

// Get implements store.Reader.
func (s *Store) Get(ctx context.Context, sc *entity.Schema, id string) (entity.Object, error) {
	return s.reader.Get(ctx, sc, id)
}

// GetBy implements store.Reader.
func (s *Store) GetBy(ctx context.Context, sc *entity.Schema, field, value string) (entity.Object, error) {
	return s.reader.GetBy(ctx, sc, field, value)
}

// List implements store.Reader.
func (s *Store) List(ctx context.Context, sc *entity.Schema, opts store.ListOptions) (store.Page, error) {
	return s.reader.List(ctx, sc, opts)
}

// All implements store.Reader.
func (s *Store) All(ctx context.Context, sc *entity.Schema) ([]entity.Object, error) {
	return s.reader.All(ctx, sc)
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
// methods (which would wait for this transaction to end). fn's error is
// returned unchanged. Subscribers see the transaction's events after it
// commits.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.writeMu.Lock()
	events, err := s.runWrite(ctx, fn)
	if err == nil && len(events) > 0 {
		s.events.enqueue(events)
	}
	s.writeMu.Unlock()
	if err != nil {
		return err
	}
	s.events.deliver()
	return nil
}

// runWrite runs fn in a write transaction and returns its events once it
// committed. The caller holds writeMu.
func (s *Store) runWrite(ctx context.Context, fn func(store.Tx) error) (events []store.Event, err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin write transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback() // the fn or commit error is what matters
		}
	}()
	tx := &writeTx{reader: reader{q: sqlTx, reg: s.reg}}
	if err := fn(tx); err != nil {
		return nil, err
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	return tx.events, nil
}

// View implements store.Store: fn reads one consistent snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	sqlTx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read transaction: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }() // read-only: nothing to keep
	return fn(&reader{q: sqlTx, reg: s.reg})
}

// Subscribe implements store.Store. Callbacks run on a writing goroutine
// after its commit, never while a store lock is held, so they may read and
// write the store. Batches arrive in commit order; while one goroutine is
// delivering, batches committed meanwhile are delivered by it, so a write
// can return before its own events reached every subscriber.
func (s *Store) Subscribe(fn func([]store.Event)) (unsubscribe func()) {
	return s.events.subscribe(fn)
}

// isNoRows reports whether err says a single-row query matched nothing.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
