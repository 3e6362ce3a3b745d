package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxWrongGuesses is how many wrong share passwords or download codes a
// share or a download link survives, over its whole life.
const MaxWrongGuesses = 10

// Share is a link that lets someone without an account see one study.
type Share struct {
	ID              int64
	StudyUID        string
	OwnerID         int64
	Label           string // who it is for, as the owner wrote it
	PasswordHash    string // "" when the share has no password
	AllowDownload   bool
	IncludeReport   bool
	CreatedAt       time.Time
	ExpiresAt       time.Time
	RevokedAt       time.Time // zero while not revoked
	RevokedBy       string
	FailedPasswords int
	Opens           int
	FirstOpenedAt   time.Time
	LastOpenedAt    time.Time
	OwnerName       string // filled by lists
}

// ShareState is why a share works or not.
type ShareState string

// The states of a share.
const (
	ShareActive  ShareState = "active"
	ShareExpired ShareState = "expired"
	ShareRevoked ShareState = "revoked"
	ShareLocked  ShareState = "locked" // too many wrong passwords
)

// State tells whether the share works at now.
func (s Share) State(now time.Time) ShareState {
	switch {
	case !s.RevokedAt.IsZero():
		return ShareRevoked
	case s.FailedPasswords >= MaxWrongGuesses:
		return ShareLocked
	case !now.Before(s.ExpiresAt):
		return ShareExpired
	}
	return ShareActive
}

// NewShare is what CreateShare needs; the hashes come from the caller.
type NewShare struct {
	TokenHash, CodeHash string
	StudyUID            string
	OwnerID             int64
	Label               string
	PasswordHash        string
	AllowDownload       bool
	IncludeReport       bool
	ExpiresAt           time.Time
}

const shareColumns = `s.id, s.study_uid, s.owner_id, s.label, s.password_hash, s.allow_download, s.include_report,
	s.created_at, s.expires_at, s.revoked_at, s.revoked_by, s.failed_passwords, s.opens, s.first_opened_at,
	s.last_opened_at, coalesce(u.name, '')`

const shareFrom = ` FROM shares s LEFT JOIN users u ON u.id = s.owner_id`

func scanShare(row interface{ Scan(...any) error }) (Share, error) {
	var s Share
	var created, expires int64
	var revoked, first, last sql.NullInt64
	err := row.Scan(&s.ID, &s.StudyUID, &s.OwnerID, &s.Label, &s.PasswordHash, &s.AllowDownload, &s.IncludeReport,
		&created, &expires, &revoked, &s.RevokedBy, &s.FailedPasswords, &s.Opens, &first, &last, &s.OwnerName)
	s.CreatedAt, s.ExpiresAt = fromMS(created), fromMS(expires)
	s.RevokedAt, s.FirstOpenedAt, s.LastOpenedAt = nullMS(revoked), nullMS(first), nullMS(last)
	return s, err
}

// CreateShare stores a share; ErrConflict when its token or code hash is
// taken (draw new ones).
func (db *DB) CreateShare(ctx context.Context, n NewShare) (Share, error) {
	if n.TokenHash == "" || n.CodeHash == "" || n.StudyUID == "" || n.OwnerID == 0 {
		return Share{}, fmt.Errorf("store: create share: %w", ErrInvalid)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO shares (token_hash, code_hash, study_uid, owner_id, label, password_hash,
		allow_download, include_report, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.TokenHash, n.CodeHash, n.StudyUID, n.OwnerID, n.Label, n.PasswordHash, n.AllowDownload, n.IncludeReport,
		ms(db.now()), ms(n.ExpiresAt))
	if isUnique(err) {
		return Share{}, fmt.Errorf("store: create share: %w", ErrConflict)
	}
	if err != nil {
		return Share{}, fmt.Errorf("store: create share: %w", err)
	}
	id, _ := res.LastInsertId()
	return db.shareWhere(ctx, db.w, `s.id = ?`, id)
}

// ShareByID returns a share or ErrNotFound.
func (db *DB) ShareByID(ctx context.Context, id int64) (Share, error) {
	return db.shareWhere(ctx, db.r, `s.id = ?`, id)
}

// ShareByKeyHash returns the share whose token or code hashes to hash.
func (db *DB) ShareByKeyHash(ctx context.Context, hash string) (Share, error) {
	return db.shareWhere(ctx, db.r, `s.token_hash = ?1 OR s.code_hash = ?1`, hash)
}

func (db *DB) shareWhere(ctx context.Context, q *sql.DB, where string, args ...any) (Share, error) {
	s, err := scanShare(q.QueryRowContext(ctx, `SELECT `+shareColumns+shareFrom+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Share{}, fmt.Errorf("store: share: %w", ErrNotFound)
	}
	if err != nil {
		return Share{}, fmt.Errorf("store: share: %w", err)
	}
	return s, nil
}

// ShareFilter narrows Shares.
type ShareFilter struct {
	StudyUID   string // "" for all
	OwnerID    int64  // 0 for all
	ActiveOnly bool
	Limit      int
}

// Shares lists shares, newest first.
func (db *DB) Shares(ctx context.Context, f ShareFilter) ([]Share, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	now := ms(db.now())
	rows, err := db.r.QueryContext(ctx, `SELECT `+shareColumns+shareFrom+`
		WHERE (?1 = '' OR s.study_uid = ?1) AND (?2 = 0 OR s.owner_id = ?2)
		AND (?3 = 0 OR (s.revoked_at IS NULL AND s.expires_at > ?4 AND s.failed_passwords < ?5))
		ORDER BY s.id DESC LIMIT ?6`, f.StudyUID, f.OwnerID, f.ActiveOnly, now, MaxWrongGuesses, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: shares: %w", err)
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		s, err := scanShare(rows)
		if err != nil {
			return nil, fmt.Errorf("store: shares: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RevokeShare ends a share at once; ErrNotFound when it was already
// revoked or does not exist.
func (db *DB) RevokeShare(ctx context.Context, id int64, by string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: revoke share: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE shares SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`, ms(db.now()), by, id)
	if err != nil {
		return fmt.Errorf("store: revoke share: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: revoke share %d: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM share_unlocks WHERE share_id = ?`, id); err != nil {
		return fmt.Errorf("store: revoke share: %w", err)
	}
	return tx.Commit()
}

// FailSharePassword counts one wrong password, atomically, and returns the
// count; ErrGone when the share was already dead of wrong passwords.
func (db *DB) FailSharePassword(ctx context.Context, id int64) (int, error) {
	return db.countFailure(ctx, `UPDATE shares SET failed_passwords = failed_passwords + 1
		WHERE id = ? AND failed_passwords < ? RETURNING failed_passwords`, id)
}

// ErrGone is returned for a share or download link that no longer works.
var ErrGone = errors.New("no longer valid")

func (db *DB) countFailure(ctx context.Context, query string, id int64) (int, error) {
	var n int
	err := db.w.QueryRowContext(ctx, query, id, MaxWrongGuesses).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return MaxWrongGuesses, fmt.Errorf("store: count failure: %w", ErrGone)
	}
	if err != nil {
		return 0, fmt.Errorf("store: count failure: %w", err)
	}
	return n, nil
}

// OpenShare counts an opening of a share, only if it still works at this
// moment (not revoked, not expired, not locked): ErrGone otherwise.
func (db *DB) OpenShare(ctx context.Context, id int64) error {
	now := ms(db.now())
	res, err := db.w.ExecContext(ctx, `UPDATE shares SET opens = opens + 1, first_opened_at = coalesce(first_opened_at, ?1),
		last_opened_at = ?1 WHERE id = ?2 AND revoked_at IS NULL AND expires_at > ?1 AND failed_passwords < ?3`, now, id, MaxWrongGuesses)
	if err != nil {
		return fmt.Errorf("store: open share: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: open share %d: %w", id, ErrGone)
	}
	return nil
}

// UnlockShare records that a browser gave the share's password.
func (db *DB) UnlockShare(ctx context.Context, idHash string, shareID int64, expires time.Time) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM share_unlocks WHERE expires_at <= ?`, ms(db.now())); err != nil {
		return fmt.Errorf("store: unlock share: %w", err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO share_unlocks (id_hash, share_id, expires_at) VALUES (?, ?, ?)`,
		idHash, shareID, ms(expires)); err != nil {
		return fmt.Errorf("store: unlock share: %w", err)
	}
	return nil
}

// ShareUnlocked reports whether the unlock idHash opens the share.
func (db *DB) ShareUnlocked(ctx context.Context, idHash string, shareID int64) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM share_unlocks WHERE id_hash = ? AND share_id = ? AND expires_at > ?`,
		idHash, shareID, ms(db.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: share unlocked: %w", err)
	}
	return n > 0, nil
}
