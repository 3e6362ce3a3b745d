package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invitation asks the patient of a hospital study to activate an account.
type Invitation struct {
	ID         int64
	PatientID  string
	Issuer     string
	Name       string // DICOM person name
	BirthDate  string
	Phone      string
	StudyUID   string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt time.Time
}

// CreateInvitation stores an invitation; ErrConflict when the patient
// already has one pending.
func (db *DB) CreateInvitation(ctx context.Context, tokenHash string, inv Invitation) (Invitation, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return Invitation{}, fmt.Errorf("store: create invitation: %w", err)
	}
	defer tx.Rollback()
	now := ms(db.now())
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM invitations WHERE patient_id = ? AND issuer = ?
		AND (accepted_at IS NOT NULL OR expires_at > ?)`, inv.PatientID, inv.Issuer, now).Scan(&n); err != nil {
		return Invitation{}, fmt.Errorf("store: create invitation: %w", err)
	}
	if n > 0 {
		return Invitation{}, fmt.Errorf("store: create invitation: %w", ErrConflict)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, patient_id, issuer, name, birth_date, phone, study_uid, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tokenHash, inv.PatientID, inv.Issuer, inv.Name, inv.BirthDate, inv.Phone, inv.StudyUID, now, ms(inv.ExpiresAt))
	if err != nil {
		return Invitation{}, fmt.Errorf("store: create invitation: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Invitation{}, fmt.Errorf("store: create invitation: %w", err)
	}
	inv.ID, _ = res.LastInsertId()
	inv.CreatedAt = fromMS(now)
	return inv, nil
}

// InvitationByTokenHash returns an invitation, or ErrNotFound.
func (db *DB) InvitationByTokenHash(ctx context.Context, hash string) (Invitation, error) {
	var inv Invitation
	var created, expires int64
	var accepted sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT id, patient_id, issuer, name, birth_date, phone, study_uid, created_at, expires_at, accepted_at
		FROM invitations WHERE token_hash = ?`, hash).Scan(&inv.ID, &inv.PatientID, &inv.Issuer, &inv.Name, &inv.BirthDate, &inv.Phone,
		&inv.StudyUID, &created, &expires, &accepted)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, fmt.Errorf("store: invitation: %w", ErrNotFound)
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("store: invitation: %w", err)
	}
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = fromMS(created), fromMS(expires), nullMS(accepted)
	return inv, nil
}

// AcceptInvitation marks an invitation used by an account; ErrGone when it
// was used or expired meanwhile.
func (db *DB) AcceptInvitation(ctx context.Context, id, userID int64) error {
	now := ms(db.now())
	res, err := db.w.ExecContext(ctx, `UPDATE invitations SET accepted_at = ?1, user_id = ?2
		WHERE id = ?3 AND accepted_at IS NULL AND expires_at > ?1`, now, userID, id)
	if err != nil {
		return fmt.Errorf("store: accept invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: accept invitation %d: %w", id, ErrGone)
	}
	return nil
}
