package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Organisation holds the settings of an institution studies come from.
type Organisation struct {
	ID        int64
	Name      string
	Downloads bool
	// UploadRetentionDays is how long patients' uploads are kept (0: the
	// server's default); HospitalRetentionDays how long studies the
	// hospital pushed are kept (0: for ever).
	UploadRetentionDays   int
	HospitalRetentionDays int
	// ReportReleaseHours is how long after the scan patients wait for a
	// signed report of this organisation's studies; -1: the server's delay.
	ReportReleaseHours int
	UpdatedAt          time.Time
}

const orgColumns = `id, name, downloads, coalesce(upload_retention_days, 0), coalesce(hospital_retention_days, 0), coalesce(report_release_hours, -1), updated_at`

func scanOrg(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var updated int64
	err := row.Scan(&o.ID, &o.Name, &o.Downloads, &o.UploadRetentionDays, &o.HospitalRetentionDays, &o.ReportReleaseHours, &updated)
	o.UpdatedAt = fromMS(updated)
	return o, err
}

// SaveOrganisation creates or updates (by name, any case) an
// organisation's settings.
func (db *DB) SaveOrganisation(ctx context.Context, o Organisation) (Organisation, error) {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || o.UploadRetentionDays < 0 || o.HospitalRetentionDays < 0 || o.ReportReleaseHours < -1 {
		return Organisation{}, fmt.Errorf("store: save organisation: %w", ErrInvalid)
	}
	null := func(n int) any {
		if n == 0 {
			return nil
		}
		return n
	}
	var release any
	if o.ReportReleaseHours >= 0 {
		release = o.ReportReleaseHours
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO organisations (name, downloads, upload_retention_days, hospital_retention_days,
		report_release_hours, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET downloads = excluded.downloads,
		upload_retention_days = excluded.upload_retention_days, hospital_retention_days = excluded.hospital_retention_days,
		report_release_hours = excluded.report_release_hours, updated_at = excluded.updated_at`,
		o.Name, o.Downloads, null(o.UploadRetentionDays), null(o.HospitalRetentionDays), release, ms(db.now()))
	if err != nil {
		return Organisation{}, fmt.Errorf("store: save organisation: %w", err)
	}
	return db.orgByName(ctx, db.w, o.Name)
}

// OrganisationByName returns an organisation's settings, or ErrNotFound.
func (db *DB) OrganisationByName(ctx context.Context, name string) (Organisation, error) {
	return db.orgByName(ctx, db.r, name)
}

func (db *DB) orgByName(ctx context.Context, q *sql.DB, name string) (Organisation, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE name = ?`, strings.TrimSpace(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, fmt.Errorf("store: organisation: %w", ErrNotFound)
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("store: organisation: %w", err)
	}
	return o, nil
}

// Organisations lists every organisation with settings, by name.
func (db *DB) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("store: organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
