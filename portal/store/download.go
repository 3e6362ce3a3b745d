package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Download is a link to the original files of a study, usable once its
// security code is given, until it expires or too many wrong codes.
type Download struct {
	ID          int64
	UserID      int64
	StudyUID    string
	CodeHash    string
	SentTo      string // where the code went, masked, for the page
	CreatedAt   time.Time
	ExpiresAt   time.Time
	FailedCodes int
	VerifiedAt  time.Time // zero until the right code was given
	Fetched     int
}

// Usable reports whether the link still works at now.
func (d Download) Usable(now time.Time) bool {
	return now.Before(d.ExpiresAt) && d.FailedCodes < MaxWrongGuesses
}

// NewDownload is what CreateDownload needs.
type NewDownload struct {
	TokenHash, CodeHash string
	UserID              int64
	StudyUID            string
	SentTo              string
	ExpiresAt           time.Time
}

// CreateDownload stores a download link.
func (db *DB) CreateDownload(ctx context.Context, n NewDownload) (Download, error) {
	if n.TokenHash == "" || n.CodeHash == "" || n.UserID == 0 || n.StudyUID == "" {
		return Download{}, fmt.Errorf("store: create download: %w", ErrInvalid)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO downloads (token_hash, user_id, study_uid, code_hash, sent_to, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.TokenHash, n.UserID, n.StudyUID, n.CodeHash, n.SentTo, ms(db.now()), ms(n.ExpiresAt))
	if err != nil {
		return Download{}, fmt.Errorf("store: create download: %w", err)
	}
	id, _ := res.LastInsertId()
	return db.downloadWhere(ctx, db.w, `id = ?`, id)
}

// DownloadByTokenHash returns a download link or ErrNotFound.
func (db *DB) DownloadByTokenHash(ctx context.Context, hash string) (Download, error) {
	return db.downloadWhere(ctx, db.r, `token_hash = ?`, hash)
}

func (db *DB) downloadWhere(ctx context.Context, q *sql.DB, where string, args ...any) (Download, error) {
	var d Download
	var created, expires int64
	var verified sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, user_id, study_uid, code_hash, sent_to, created_at, expires_at, failed_codes,
		verified_at, fetched FROM downloads WHERE `+where, args...).Scan(&d.ID, &d.UserID, &d.StudyUID, &d.CodeHash, &d.SentTo,
		&created, &expires, &d.FailedCodes, &verified, &d.Fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return Download{}, fmt.Errorf("store: download: %w", ErrNotFound)
	}
	if err != nil {
		return Download{}, fmt.Errorf("store: download: %w", err)
	}
	d.CreatedAt, d.ExpiresAt, d.VerifiedAt = fromMS(created), fromMS(expires), nullMS(verified)
	return d, nil
}

// FailDownloadCode counts one wrong code, atomically, and returns the
// count; ErrGone when the link was already dead of wrong codes.
func (db *DB) FailDownloadCode(ctx context.Context, id int64) (int, error) {
	return db.countFailure(ctx, `UPDATE downloads SET failed_codes = failed_codes + 1
		WHERE id = ? AND failed_codes < ? RETURNING failed_codes`, id)
}

// VerifyDownload marks the right code as given, only if the link still
// works at this moment: ErrGone otherwise.
func (db *DB) VerifyDownload(ctx context.Context, id int64) error {
	now := ms(db.now())
	res, err := db.w.ExecContext(ctx, `UPDATE downloads SET verified_at = coalesce(verified_at, ?1)
		WHERE id = ?2 AND expires_at > ?1 AND failed_codes < ?3`, now, id, MaxWrongGuesses)
	if err != nil {
		return fmt.Errorf("store: verify download: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: verify download %d: %w", id, ErrGone)
	}
	return nil
}

// CountFetch records that the files were fetched through a link.
func (db *DB) CountFetch(ctx context.Context, id int64) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE downloads SET fetched = fetched + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: count fetch: %w", err)
	}
	return nil
}
