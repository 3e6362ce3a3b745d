package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order, each in its own transaction, and
// recorded in schema_migrations. Never edit one that has shipped: append.
//
// Times are Unix milliseconds. Secrets (session ids, API tokens) are kept
// only as SHA-256 hashes, passwords as argon2id PHC strings.
var migrations = []string{
	schemaFoundation,
	schemaUploads, // migration_uploads.go (upload and payment)
	schemaReports, // migration_reports.go (radiology reporting)
	schemaSharing, // migration_sharing.go (sharing, downloads, family, retention)
}

// schemaFoundation: accounts, sessions, tokens, study links, support, audit.
const schemaFoundation = `
CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	email                TEXT NOT NULL COLLATE NOCASE UNIQUE,
	phone                TEXT UNIQUE, -- digits with an optional leading +; NULL when none
	name                 TEXT NOT NULL DEFAULT '',
	role                 TEXT NOT NULL CHECK (role IN ('patient', 'radiologist', 'admin')),
	password_hash        TEXT NOT NULL,
	must_change_password INTEGER NOT NULL DEFAULT 0,
	disabled             INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	password_changed_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
	id_hash      TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API clients: hospital PACS, external viewers, scripts. A client holds one
-- secret, usable as a bearer token or as the password of HTTP Basic.
CREATE TABLE api_clients (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
	scopes       TEXT NOT NULL,
	secret_hash  TEXT NOT NULL UNIQUE,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
);

-- What the portal knows of a study beyond its DICOM attributes (which stay
-- in the archive): when it arrived, where it is in the workflow and, once
-- the payment feature sets them, its priority and report deadline.
CREATE TABLE studies (
	study_uid   TEXT PRIMARY KEY,
	uploaded_at INTEGER NOT NULL,
	uploaded_by TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('processing', 'ready', 'reported')),
	priority    TEXT NOT NULL DEFAULT '',
	due_at      INTEGER
) WITHOUT ROWID;

-- Which accounts may see which studies, and why: the account uploaded it,
-- an admin linked it (later: matched by patient ID, a family member's).
CREATE TABLE study_links (
	study_uid  TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	reason     TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, study_uid)
) WITHOUT ROWID;
CREATE INDEX study_links_study ON study_links (study_uid);

CREATE TABLE support_requests (
	id             INTEGER PRIMARY KEY,
	user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
	name           TEXT NOT NULL,
	phone          TEXT NOT NULL,
	issue          TEXT NOT NULL,
	preferred_time TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	closed_at      INTEGER
);

-- The audit trail: who did what to which study, when and from where.
-- Append-only for the application: the triggers refuse changes.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	role      TEXT NOT NULL,
	action    TEXT NOT NULL,
	study_uid TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '',
	status    INTEGER NOT NULL DEFAULT 0,
	remote    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_study ON audit (study_uid, at) WHERE study_uid != '';
CREATE INDEX audit_actor ON audit (actor, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
`

// migrate brings the schema up to date; the writer begins transactions
// IMMEDIATE, so two processes cannot apply one migration twice.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var latest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if latest > len(migrations) {
		return fmt.Errorf("store: schema version %d is newer than this program (%d)", latest, len(migrations))
	}
	for v := latest + 1; v <= len(migrations); v++ {
		if err := apply(ctx, db, v); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&done); err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	return tx.Commit()
}
