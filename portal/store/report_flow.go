package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// reportTx runs fn in a write transaction with the study's report row
// (nil when there is none yet).
func (db *DB) reportTx(ctx context.Context, op, studyUID string, fn func(tx *sql.Tx, r *Report) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	defer tx.Rollback()
	r, err := scanReport(tx.QueryRowContext(ctx, `SELECT `+reportColumns+`
		FROM reports r LEFT JOIN users u ON u.id = r.claimed_by WHERE r.study_uid = ?`, studyUID))
	var rp *Report
	switch {
	case err == nil:
		rp = &r
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if err := fn(tx, rp); err != nil {
		return fmt.Errorf("store: %s %s: %w", op, studyUID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// ClaimReport gives a study to a radiologist so that nobody else reports
// it. Claiming one's own study again is not an error.
func (db *DB) ClaimReport(ctx context.Context, studyUID string, userID int64) error {
	now := ms(db.now())
	return db.reportTx(ctx, "claim report", studyUID, func(tx *sql.Tx, r *Report) error {
		switch {
		case r == nil:
			_, err := tx.ExecContext(ctx, `INSERT INTO reports (study_uid, state, claimed_by, claimed_at, updated_at)
				VALUES (?, 'claimed', ?, ?, ?)`, studyUID, userID, now, now)
			return err
		case r.State.Signed():
			return fmt.Errorf("already signed: %w", ErrConflict)
		case r.ClaimedBy == userID:
			return nil
		case r.ClaimedBy != 0:
			return ErrClaimedByOther
		}
		state := ReportClaimed
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM report_versions WHERE study_uid = ?`, studyUID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			state = ReportDraft // a draft left by the one who gave it up
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET state = ?, claimed_by = ?, claimed_at = ?, updated_at = ? WHERE study_uid = ?`,
			state, userID, now, now, studyUID)
		return err
	})
}

// ReleaseClaim gives an unsigned report back to the worklist, keeping any
// draft for the next radiologist. Only the claimer may, unless force (an
// admin).
func (db *DB) ReleaseClaim(ctx context.Context, studyUID string, userID int64, force bool) error {
	return db.reportTx(ctx, "release claim", studyUID, func(tx *sql.Tx, r *Report) error {
		switch {
		case r == nil || r.State == ReportReady:
			return nil
		case r.State.Signed():
			return fmt.Errorf("already signed: %w", ErrConflict)
		case r.ClaimedBy != userID && !force:
			return ErrClaimedByOther
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET state = 'ready', claimed_by = NULL, claimed_at = NULL, updated_at = ?
			WHERE study_uid = ?`, ms(db.now()), studyUID)
		return err
	})
}

// Draft is the text of an unsigned version as its author last saved it.
type Draft struct {
	ReportSections
	Note     string
	Critical bool
}

// openVersion finds the version a user may write in: version 1 of a
// report the user has claimed, or the open addendum or amendment the user
// started on a signed one. It returns the version number and whether a
// row exists.
func openVersion(ctx context.Context, tx *sql.Tx, r *Report, userID int64) (int, bool, error) {
	if r == nil {
		return 0, false, fmt.Errorf("not claimed: %w", ErrConflict)
	}
	var version int
	var author sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT version, author_id FROM report_versions WHERE study_uid = ? AND status = 'draft'`,
		r.StudyUID).Scan(&version, &author)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	switch {
	case !r.State.Signed() && r.ClaimedBy != userID:
		if r.ClaimedBy == 0 {
			return 0, false, fmt.Errorf("not claimed: %w", ErrConflict)
		}
		return 0, false, ErrClaimedByOther
	case !r.State.Signed():
		return 1, exists, nil
	case !exists:
		return 0, false, fmt.Errorf("signed; start an addendum or amendment: %w", ErrConflict)
	case author.Int64 != userID:
		return 0, false, ErrClaimedByOther
	}
	return version, true, nil
}

// SaveDraft saves the text a user is writing; it never signs.
func (db *DB) SaveDraft(ctx context.Context, studyUID string, userID int64, d Draft) (time.Time, error) {
	now := db.now()
	err := db.reportTx(ctx, "save draft", studyUID, func(tx *sql.Tx, r *Report) error {
		v, exists, err := openVersion(ctx, tx, r, userID)
		if err != nil {
			return err
		}
		if !exists {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_versions (study_uid, version, kind, status, author_id, created_at, updated_at)
				VALUES (?, ?, 'original', 'draft', ?, ?, ?)`, studyUID, v, userID, ms(now), ms(now)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_versions SET clinical_history = ?, technique = ?, comparison = ?, findings = ?,
			impression = ?, recommendation = ?, note = ?, critical = ?, author_id = ?, updated_at = ? WHERE study_uid = ? AND version = ?`,
			d.ClinicalHistory, d.Technique, d.Comparison, d.Findings, d.Impression, d.Recommendation, d.Note, d.Critical,
			userID, ms(now), studyUID, v); err != nil {
			return err
		}
		if !r.State.Signed() {
			_, err = tx.ExecContext(ctx, `UPDATE reports SET state = 'draft', updated_at = ? WHERE study_uid = ?`, ms(now), studyUID)
		}
		return err
	})
	return now, err
}

// Signature is what FinaliseReport signs.
type Signature struct {
	Version   int // the version the caller rendered the PDF for
	Draft     Draft
	SignedBy  string // the radiologist's name as it reads on the report
	SignedAt  time.Time
	ReleaseAt time.Time // used on the first signature only
	PDF       []byte
}

// NextVersion returns the number and kind of the version a user would
// sign now (see openVersion).
func (db *DB) NextVersion(ctx context.Context, studyUID string, userID int64) (int, string, error) {
	var version int
	kind := VersionOriginal
	err := db.reportTx(ctx, "next version", studyUID, func(tx *sql.Tx, r *Report) error {
		v, exists, err := openVersion(ctx, tx, r, userID)
		version = v
		if err == nil && exists {
			err = tx.QueryRowContext(ctx, `SELECT kind FROM report_versions WHERE study_uid = ? AND version = ?`, studyUID, v).Scan(&kind)
		}
		return err
	})
	return version, kind, err
}

// FinaliseReport signs the version a user is writing: the report becomes
// final (or amended, for a later version), the study Reported, and the
// signed text and PDF never change again.
func (db *DB) FinaliseReport(ctx context.Context, studyUID string, userID int64, s Signature) error {
	if s.SignedBy == "" || len(s.PDF) == 0 {
		return fmt.Errorf("store: finalise report: %w: signer and PDF are required", ErrInvalid)
	}
	at := ms(s.SignedAt)
	return db.reportTx(ctx, "finalise report", studyUID, func(tx *sql.Tx, r *Report) error {
		v, exists, err := openVersion(ctx, tx, r, userID)
		if err != nil {
			return err
		}
		if v != s.Version {
			return fmt.Errorf("version %d is open, not %d: %w", v, s.Version, ErrConflict)
		}
		if !exists {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_versions (study_uid, version, kind, status, created_at, updated_at)
				VALUES (?, ?, 'original', 'draft', ?, ?)`, studyUID, v, at, at); err != nil {
				return err
			}
		}
		d := s.Draft
		if _, err := tx.ExecContext(ctx, `UPDATE report_versions SET status = 'final', clinical_history = ?, technique = ?, comparison = ?,
			findings = ?, impression = ?, recommendation = ?, note = ?, critical = ?, author_id = ?, updated_at = ?, signed_at = ?,
			signed_by = ?, pdf = ? WHERE study_uid = ? AND version = ?`,
			d.ClinicalHistory, d.Technique, d.Comparison, d.Findings, d.Impression, d.Recommendation, d.Note, d.Critical,
			userID, at, at, s.SignedBy, s.PDF, studyUID, v); err != nil {
			return err
		}
		if r.State.Signed() {
			_, err = tx.ExecContext(ctx, `UPDATE reports SET state = 'amended', updated_at = ? WHERE study_uid = ?`, at, studyUID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE reports SET state = 'final', finalised_at = ?, release_at = ?, updated_at = ?
				WHERE study_uid = ?`, at, ms(s.ReleaseAt), at, studyUID)
		}
		if err != nil {
			return err
		}
		// Studies stored before the portal knew of them get a record now.
		_, err = tx.ExecContext(ctx, `INSERT INTO studies (study_uid, uploaded_at, uploaded_by, status) VALUES (?, ?, 'archive', 'reported')
			ON CONFLICT (study_uid) DO UPDATE SET status = 'reported'`, studyUID, at)
		return err
	})
}

// StartRevision opens an addendum or amendment of a signed report, its
// sections copied from the latest signed version. A user's open revision
// is returned again; another's is ErrClaimedByOther.
func (db *DB) StartRevision(ctx context.Context, studyUID string, userID int64, kind string) (int, error) {
	if kind != VersionAddendum && kind != VersionAmendment {
		return 0, fmt.Errorf("store: start revision: %w: kind %q", ErrInvalid, kind)
	}
	var version int
	err := db.reportTx(ctx, "start revision", studyUID, func(tx *sql.Tx, r *Report) error {
		if r == nil || !r.State.Signed() {
			return fmt.Errorf("not signed yet: %w", ErrConflict)
		}
		var author sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT version, author_id FROM report_versions WHERE study_uid = ? AND status = 'draft'`,
			studyUID).Scan(&version, &author)
		switch {
		case err == nil && author.Int64 == userID:
			return nil
		case err == nil:
			return ErrClaimedByOther
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		now := ms(db.now())
		err = tx.QueryRowContext(ctx, `INSERT INTO report_versions (study_uid, version, kind, status, clinical_history, technique,
			comparison, findings, impression, recommendation, critical, author_id, created_at, updated_at)
			SELECT study_uid, version + 1, ?, 'draft', clinical_history, technique, comparison, findings, impression, recommendation,
				0, ?, ?, ? FROM report_versions WHERE study_uid = ? ORDER BY version DESC LIMIT 1
			RETURNING version`, kind, userID, now, now, studyUID).Scan(&version)
		return err
	})
	return version, err
}

// DiscardRevision drops a user's unsigned addendum or amendment.
func (db *DB) DiscardRevision(ctx context.Context, studyUID string, userID int64) error {
	return db.reportTx(ctx, "discard revision", studyUID, func(tx *sql.Tx, r *Report) error {
		if r == nil || !r.State.Signed() {
			return fmt.Errorf("not signed yet: %w", ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM report_versions WHERE study_uid = ? AND status = 'draft' AND author_id = ?`,
			studyUID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
