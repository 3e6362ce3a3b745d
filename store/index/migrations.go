package index

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order, each in its own transaction, and
// recorded in schema_migrations. Never edit one that has shipped: append.
//
// Person-name columns hold matching forms, not the values clients see
// (those are in attrs): patient_name and its groups in lower case,
// *_fold the folded tokens for fuzzy matching. Dates are YYYYMMDD, times
// HHMMSS.FFFFFF, empty when absent or malformed. Instance metadata lives in
// its own table so that the instances table stays narrow for scans.
var migrations = []string{
	`
CREATE TABLE studies (
	id                       INTEGER PRIMARY KEY,
	study_uid                TEXT NOT NULL UNIQUE,
	patient_id               TEXT NOT NULL DEFAULT '',
	patient_name             TEXT NOT NULL DEFAULT '',
	patient_name_ideo        TEXT NOT NULL DEFAULT '',
	patient_name_phon        TEXT NOT NULL DEFAULT '',
	patient_name_fold        TEXT NOT NULL DEFAULT '',
	patient_birth_date       TEXT NOT NULL DEFAULT '',
	patient_sex              TEXT NOT NULL DEFAULT '',
	study_date               TEXT NOT NULL DEFAULT '',
	study_time               TEXT NOT NULL DEFAULT '',
	accession_number         TEXT NOT NULL DEFAULT '',
	study_id                 TEXT NOT NULL DEFAULT '',
	study_description        TEXT NOT NULL DEFAULT '',
	referring_physician_name TEXT NOT NULL DEFAULT '',
	referring_physician_fold TEXT NOT NULL DEFAULT '',
	num_series               INTEGER NOT NULL DEFAULT 0,
	num_instances            INTEGER NOT NULL DEFAULT 0,
	modalities               TEXT NOT NULL DEFAULT '',
	attrs                    BLOB,
	updated_at               INTEGER NOT NULL
);
CREATE INDEX studies_recent ON studies (study_date DESC, study_time DESC, id DESC);
CREATE INDEX studies_patient_id ON studies (patient_id);
CREATE INDEX studies_patient_name ON studies (patient_name);
CREATE INDEX studies_accession ON studies (accession_number);

CREATE TABLE series (
	id                 INTEGER PRIMARY KEY,
	study_id           INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
	series_uid         TEXT NOT NULL UNIQUE,
	modality           TEXT NOT NULL DEFAULT '',
	series_number      INTEGER,
	series_description TEXT NOT NULL DEFAULT '',
	series_date        TEXT NOT NULL DEFAULT '',
	series_time        TEXT NOT NULL DEFAULT '',
	body_part          TEXT NOT NULL DEFAULT '',
	pps_start_date     TEXT NOT NULL DEFAULT '',
	pps_start_time     TEXT NOT NULL DEFAULT '',
	num_instances      INTEGER NOT NULL DEFAULT 0,
	attrs              BLOB,
	updated_at         INTEGER NOT NULL
);
CREATE INDEX series_study ON series (study_id, series_number, id);
CREATE INDEX series_modality ON series (modality, study_id);

CREATE TABLE instances (
	id              INTEGER PRIMARY KEY,
	series_id       INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	sop_uid         TEXT NOT NULL UNIQUE,
	sop_class_uid   TEXT NOT NULL DEFAULT '',
	instance_number INTEGER,
	transfer_syntax TEXT NOT NULL DEFAULT '',
	frames          INTEGER NOT NULL DEFAULT 0,
	rows            INTEGER NOT NULL DEFAULT 0,
	cols            INTEGER NOT NULL DEFAULT 0,
	blob_key        TEXT NOT NULL,
	size            INTEGER NOT NULL DEFAULT 0,
	digest          TEXT NOT NULL DEFAULT '',
	attrs           BLOB,
	created_at      INTEGER NOT NULL,
	version         INTEGER NOT NULL
);
CREATE INDEX instances_series ON instances (series_id, instance_number, id);

CREATE TABLE instance_metadata (
	instance_id INTEGER PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
	metadata    BLOB
);

-- counters holds values that must never go backwards, such as the
-- instance version behind MetadataVersion.
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('instance_version', 0);
-- epoch tells this index from an earlier one recreated at the same path,
-- whose versions started from zero too.
INSERT INTO counters (name, value) VALUES ('epoch', abs(random() % 4294967296));
`,
	// The recent-first order of study lists now also carries the columns
	// lists filter on with a leading wildcard ("*doe*"), which no index
	// can seek: such a scan reads this index instead of whole rows.
	`
DROP INDEX studies_recent;
CREATE INDEX studies_recent ON studies (study_date DESC, study_time DESC, id DESC,
	patient_name, patient_name_fold, patient_id, accession_number, study_description);
`,
}

// migrate applies the migrations of list that db lacks. The writer
// connection begins transactions IMMEDIATE, so two processes opening one
// file cannot apply a migration twice.
func migrate(ctx context.Context, db *sql.DB, list []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("index: create schema_migrations: %w", err)
	}
	var latest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("index: read schema version: %w", err)
	}
	if latest > len(list) {
		return fmt.Errorf("index: schema version %d is newer than this program (%d)", latest, len(list))
	}
	for v := latest + 1; v <= len(list); v++ {
		if err := applyMigration(ctx, db, v, list[v-1]); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, v int, script string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index: migration %d: %w", v, err)
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&done); err != nil {
		return fmt.Errorf("index: migration %d: %w", v, err)
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("index: migration %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("index: migration %d: %w", v, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index: migration %d: commit: %w", v, err)
	}
	return nil
}
