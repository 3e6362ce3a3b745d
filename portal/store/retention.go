package store

import (
	"context"
	"fmt"
	"time"
)

// RetentionRow is a study as retention sees it.
type RetentionRow struct {
	StudyUID    string
	UploadedAt  time.Time
	UploadedBy  string
	Institution string
	// Hospital is true for a study a hospital system pushed; false for a
	// patient's upload.
	Hospital bool
	Kept     bool // an admin exempted it
}

// RetentionRows returns every study the portal knows of, with what
// retention needs to decide its fate. A study not read yet counts as a
// patient's upload when a patient account stored it.
func (db *DB) RetentionRows(ctx context.Context) ([]RetentionRow, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.study_uid, s.uploaded_at, s.uploaded_by, coalesce(i.institution, ''),
		coalesce(i.hospital, NOT EXISTS (SELECT 1 FROM users u WHERE 'user:' || u.id = s.uploaded_by AND u.role = 'patient')),
		k.study_uid IS NOT NULL
		FROM studies s LEFT JOIN study_identity i ON i.study_uid = s.study_uid LEFT JOIN study_keep k ON k.study_uid = s.study_uid`)
	if err != nil {
		return nil, fmt.Errorf("store: retention rows: %w", err)
	}
	defer rows.Close()
	var out []RetentionRow
	for rows.Next() {
		var r RetentionRow
		var up int64
		if err := rows.Scan(&r.StudyUID, &up, &r.UploadedBy, &r.Institution, &r.Hospital, &r.Kept); err != nil {
			return nil, fmt.Errorf("store: retention rows: %w", err)
		}
		r.UploadedAt = fromMS(up)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RetentionRowOf returns one study's row, or ErrNotFound.
func (db *DB) RetentionRowOf(ctx context.Context, uid string) (RetentionRow, error) {
	var r RetentionRow
	var up int64
	err := db.r.QueryRowContext(ctx, `SELECT s.study_uid, s.uploaded_at, s.uploaded_by, coalesce(i.institution, ''),
		coalesce(i.hospital, NOT EXISTS (SELECT 1 FROM users u WHERE 'user:' || u.id = s.uploaded_by AND u.role = 'patient')),
		k.study_uid IS NOT NULL
		FROM studies s LEFT JOIN study_identity i ON i.study_uid = s.study_uid LEFT JOIN study_keep k ON k.study_uid = s.study_uid
		WHERE s.study_uid = ?`, uid).Scan(&r.StudyUID, &up, &r.UploadedBy, &r.Institution, &r.Hospital, &r.Kept)
	if err != nil {
		return RetentionRow{}, fmt.Errorf("store: retention row: %w", notFound(err))
	}
	r.UploadedAt = fromMS(up)
	return r, nil
}

// KeepStudy exempts a study from retention, or ends the exemption.
func (db *DB) KeepStudy(ctx context.Context, uid, by string, keep bool) error {
	var err error
	if keep {
		_, err = db.w.ExecContext(ctx, `INSERT INTO study_keep (study_uid, kept_by, kept_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, uid, by, ms(db.now()))
	} else {
		_, err = db.w.ExecContext(ctx, `DELETE FROM study_keep WHERE study_uid = ?`, uid)
	}
	if err != nil {
		return fmt.Errorf("store: keep study: %w", err)
	}
	return nil
}
