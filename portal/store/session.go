package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a logged-in browser. Its id is kept only as a hash: the
// cookie holds the id itself.
type Session struct {
	IDHash     string
	UserID     int64
	CSRF       string // the token forms and unsafe DICOMweb requests must carry
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, s.IDHash, s.UserID, s.CSRF, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash returns a session and its account; ErrNotFound when it
// does not exist (logged out, revoked, or never was). Expiry is the
// caller's business.
func (db *DB) SessionByHash(ctx context.Context, hash string) (Session, User, error) {
	row := db.r.QueryRowContext(ctx, `SELECT s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, `+
		uUserColumns+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, hash)
	var s Session
	var u User
	var created, seen, expires, uCreated, uChanged int64
	err := row.Scan(&s.IDHash, &s.UserID, &s.CSRF, &created, &seen, &expires,
		&u.ID, &u.Email, &u.Phone, &u.Name, &u.Role, &u.PasswordHash, &u.MustChangePassword, &u.Disabled, &uCreated, &uChanged)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("store: session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	u.CreatedAt, u.PasswordChangedAt = fromMS(uCreated), fromMS(uChanged)
	return s, u, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, hash string, seen time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, ms(seen), hash); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session; ending a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessionsIdleSince removes sessions past their expiry or unused
// since idleBefore, and returns how many went.
func (db *DB) DeleteSessionsIdleSince(ctx context.Context, idleBefore time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?`, ms(db.now()), ms(idleBefore))
	if err != nil {
		return 0, fmt.Errorf("store: delete old sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
