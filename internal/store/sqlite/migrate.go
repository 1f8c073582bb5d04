package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one numbered step of the database layout.
type migration struct {
	version    int
	name       string
	statements []string
}

// migrations lists every layout step in order. The layout is generic: it
// does not depend on the entity schemas, so adding an entity type or a
// field needs no migration. The SQL is accepted by SQLite and PostgreSQL.
//
//   - entities holds each object as a JSON body under (entity, id).
//   - uniques holds one row per unique key an object claims (see
//     store.UniqueKeys); its primary key makes a clash impossible.
//   - refs holds each non-null foreign key, indexed by the referenced row
//     for restrict and cascade on delete and for foreign filtering.
//   - tags holds each tag, indexed by (entity, tag) for tag filtering.
var migrations = []migration{{
	version: 1,
	name:    "generic entity tables",
	statements: []string{
		`CREATE TABLE entities (
			entity TEXT NOT NULL,
			id     TEXT NOT NULL,
			body   TEXT NOT NULL,
			PRIMARY KEY (entity, id))`,
		`CREATE TABLE uniques (
			entity TEXT NOT NULL,
			field  TEXT NOT NULL,
			value  TEXT NOT NULL,
			id     TEXT NOT NULL,
			PRIMARY KEY (entity, field, value))`,
		`CREATE INDEX uniques_by_owner ON uniques (entity, id)`,
		`CREATE TABLE refs (
			entity     TEXT NOT NULL,
			id         TEXT NOT NULL,
			field      TEXT NOT NULL,
			ref_entity TEXT NOT NULL,
			ref_id     TEXT NOT NULL,
			PRIMARY KEY (entity, id, field))`,
		`CREATE INDEX refs_by_target ON refs (ref_entity, ref_id)`,
		`CREATE INDEX refs_by_field ON refs (entity, field, ref_id)`,
		`CREATE TABLE tags (
			entity TEXT NOT NULL,
			id     TEXT NOT NULL,
			tag    TEXT NOT NULL,
			PRIMARY KEY (entity, id, tag))`,
		`CREATE INDEX tags_by_tag ON tags (entity, tag, id)`,
	},
}}

// migrate creates the version table when missing and applies, in one
// write transaction each, the migrations newer than the recorded version.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name    TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// applyMigration runs m unless it is already recorded. The version check
// happens inside the write transaction, so two processes opening the same
// database concurrently apply each step once.
func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // no-op after commit
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`,
		m.version).Scan(&applied); err != nil {
		return fmt.Errorf("read version: %w", err)
	}
	if applied > 0 {
		return nil
	}
	for _, stmt := range m.statements {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
		m.version, m.name); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	return tx.Commit()
}

// schemaVersion returns the newest applied migration, 0 when none.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	return int(v.Int64), nil
}
