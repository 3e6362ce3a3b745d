package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// StudyStatus is where a study is in the workflow.
type StudyStatus string

// The statuses a dashboard shows.
const (
	StatusProcessing StudyStatus = "processing" // files are still arriving
	StatusReady      StudyStatus = "ready"      // stored; awaiting a report
	StatusReported   StudyStatus = "reported"   // the report is final
)

// PriorityUrgent marks a study whose report was paid for as priority.
const PriorityUrgent = "priority"

// StudyRecord is what the portal knows of a study beyond its DICOM data.
type StudyRecord struct {
	StudyUID   string
	UploadedAt time.Time
	UploadedBy string // an actor, as in the audit trail
	Status     StudyStatus
	Priority   string    // "" (none yet), "standard" or PriorityUrgent
	DueAt      time.Time // the report deadline; zero when none
}

// RecordUpload notes that instances of a study were stored by actor: the
// first time, the study gets its upload time and the status ready. When
// userID is not zero, that account may see the study from now on.
func (db *DB) RecordUpload(ctx context.Context, studyUID, actor string, userID int64) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record upload: %w", err)
	}
	defer tx.Rollback()
	now := ms(db.now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO studies (study_uid, uploaded_at, uploaded_by) VALUES (?, ?, ?)
		ON CONFLICT (study_uid) DO NOTHING`, studyUID, now, actor); err != nil {
		return fmt.Errorf("store: record upload: %w", err)
	}
	if userID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO study_links (study_uid, user_id, reason, created_by, created_at)
			VALUES (?, ?, 'uploaded', ?, ?) ON CONFLICT DO NOTHING`, studyUID, userID, actor, now); err != nil {
			return fmt.Errorf("store: record upload: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: record upload: %w", err)
	}
	return nil
}

// StudyRecords returns the records of the given studies that exist.
func (db *DB) StudyRecords(ctx context.Context, uids []string) (map[string]StudyRecord, error) {
	out := make(map[string]StudyRecord, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	args := make([]any, len(uids))
	for i, u := range uids {
		args[i] = u
	}
	rows, err := db.r.QueryContext(ctx, `SELECT study_uid, uploaded_at, uploaded_by, status, priority, due_at FROM studies
		WHERE study_uid IN (?`+strings.Repeat(",?", len(uids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: study records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r StudyRecord
		var up int64
		var due sql.NullInt64
		if err := rows.Scan(&r.StudyUID, &up, &r.UploadedBy, &r.Status, &r.Priority, &due); err != nil {
			return nil, fmt.Errorf("store: study records: %w", err)
		}
		r.UploadedAt, r.DueAt = fromMS(up), nullMS(due)
		out[r.StudyUID] = r
	}
	return out, rows.Err()
}

// SetStudyStatus moves a known study to another status.
func (db *DB) SetStudyStatus(ctx context.Context, studyUID string, s StudyStatus) error {
	return db.updateStudy(ctx, studyUID, `UPDATE studies SET status = ? WHERE study_uid = ?`, s, studyUID)
}

// SetStudyPriority sets a known study's report type and deadline.
func (db *DB) SetStudyPriority(ctx context.Context, studyUID, priority string, due time.Time) error {
	var d any
	if !due.IsZero() {
		d = ms(due)
	}
	return db.updateStudy(ctx, studyUID, `UPDATE studies SET priority = ?, due_at = ? WHERE study_uid = ?`, priority, d, studyUID)
}

func (db *DB) updateStudy(ctx context.Context, uid, query string, args ...any) error {
	res, err := db.w.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: update study: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update study %s: %w", uid, ErrNotFound)
	}
	return nil
}

// Link says why an account may see a study.
type Link struct {
	StudyUID  string
	User      User
	Reason    string // "uploaded", "linked"
	CreatedBy string
	CreatedAt time.Time
}

// LinkStudy lets an account see a study; linking twice is not an error.
func (db *DB) LinkStudy(ctx context.Context, studyUID string, userID int64, reason, actor string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO study_links (study_uid, user_id, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, studyUID, userID, reason, actor, ms(db.now()))
	if err != nil {
		return fmt.Errorf("store: link study: %w", err)
	}
	return nil
}

// UnlinkStudy takes a study away from an account.
func (db *DB) UnlinkStudy(ctx context.Context, studyUID string, userID int64) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM study_links WHERE study_uid = ? AND user_id = ?`, studyUID, userID); err != nil {
		return fmt.Errorf("store: unlink study: %w", err)
	}
	return nil
}

// LinkedStudies returns the Study Instance UIDs an account may see.
func (db *DB) LinkedStudies(ctx context.Context, userID int64) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT study_uid FROM study_links WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: linked studies: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("store: linked studies: %w", err)
		}
		out[uid] = true
	}
	return out, rows.Err()
}

// StudyLinks returns the accounts linked to a study.
func (db *DB) StudyLinks(ctx context.Context, studyUID string) ([]Link, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT l.reason, l.created_by, l.created_at, `+uUserColumns+`
		FROM study_links l JOIN users u ON u.id = l.user_id WHERE l.study_uid = ? ORDER BY l.created_at`, studyUID)
	if err != nil {
		return nil, fmt.Errorf("store: study links: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		l := Link{StudyUID: studyUID}
		var at, uCreated, uChanged int64
		u := &l.User
		if err := rows.Scan(&l.Reason, &l.CreatedBy, &at, &u.ID, &u.Email, &u.Phone, &u.Name, &u.Role, &u.PasswordHash,
			&u.MustChangePassword, &u.Disabled, &uCreated, &uChanged); err != nil {
			return nil, fmt.Errorf("store: study links: %w", err)
		}
		l.CreatedAt, u.CreatedAt, u.PasswordChangedAt = fromMS(at), fromMS(uCreated), fromMS(uChanged)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ForgetStudy removes the portal's record of a deleted study and every
// account's access to it.
func (db *DB) ForgetStudy(ctx context.Context, studyUID string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: forget study: %w", err)
	}
	defer tx.Rollback()
	// The report goes with the study: patients are told both are kept for
	// the retention period, and a report must not outlive what it reads.
	// (Its versions go by ON DELETE CASCADE.)
	for _, q := range []string{`DELETE FROM study_links WHERE study_uid = ?`, `DELETE FROM reports WHERE study_uid = ?`,
		`DELETE FROM studies WHERE study_uid = ?`} {
		if _, err := tx.ExecContext(ctx, q, studyUID); err != nil {
			return fmt.Errorf("store: forget study: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: forget study: %w", err)
	}
	return nil
}
