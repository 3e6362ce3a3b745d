package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CreditLine is a line of a patient's credit ledger.
type CreditLine struct {
	ID        int64
	Amount    int64 // paise; negative when credit was spent
	Kind      string
	UploadID  string
	Note      string
	CreatedBy string
	CreatedAt time.Time
}

// CreditBalance returns an account's credit balance in paise.
func (db *DB) CreditBalance(ctx context.Context, userID int64) (int64, error) {
	var b int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0) FROM credit_ledger WHERE user_id = ?`, userID).Scan(&b); err != nil {
		return 0, fmt.Errorf("store: credit balance: %w", err)
	}
	return b, nil
}

// CreditLines returns an account's ledger, newest first.
func (db *DB) CreditLines(ctx context.Context, userID int64, limit int) ([]CreditLine, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, amount, kind, upload_id, note, created_by, created_at FROM credit_ledger
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: credit lines: %w", err)
	}
	defer rows.Close()
	var out []CreditLine
	for rows.Next() {
		var l CreditLine
		var at int64
		if err := rows.Scan(&l.ID, &l.Amount, &l.Kind, &l.UploadID, &l.Note, &l.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("store: credit lines: %w", err)
		}
		l.CreatedAt = fromMS(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

func creditBalance(ctx context.Context, tx *sql.Tx, userID int64) (int64, error) {
	var b int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0) FROM credit_ledger WHERE user_id = ?`, userID).Scan(&b)
	return b, err
}

// addCredit appends a ledger line, refusing to take the balance below zero.
func addCredit(ctx context.Context, tx *sql.Tx, userID, amount int64, kind, uploadID, note, actor string, at time.Time) error {
	if amount < 0 {
		b, err := creditBalance(ctx, tx, userID)
		if err != nil {
			return err
		}
		if b+amount < 0 {
			return fmt.Errorf("credit balance %d cannot pay %d: %w", b, -amount, ErrConflict)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO credit_ledger (user_id, amount, kind, upload_id, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, amount, kind, uploadID, note, actor, ms(at))
	return err
}
