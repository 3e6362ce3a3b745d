package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PaymentRecord is a Razorpay payment as the portal keeps it.
type PaymentRecord struct {
	ID        string
	UploadID  string
	OrderID   string
	Amount    int64
	Currency  string
	Status    string // captured, authorized, failed
	Method    string
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PaidOutcome is what MarkUploadPaid did.
type PaidOutcome int

// The outcomes of MarkUploadPaid.
const (
	PaidNow      PaidOutcome = iota + 1 // the upload is paid from now on
	PaidAlready                         // this payment had already paid it: nothing changed
	PaidCredited                        // the upload could not use it: the amount went to the credit balance
)

// MarkUploadPaid records a captured payment of an upload's order. An
// upload waiting for payment becomes paid; a payment already counted
// changes nothing; a payment the upload cannot use (it was cancelled, or
// paid by another payment) is credited to the patient, so no money is
// lost. A payment of another amount than the one due is ErrInvalid; a
// payment that paid another upload is ErrConflict.
func (db *DB) MarkUploadPaid(ctx context.Context, uploadID string, p PaymentRecord) (PaidOutcome, error) {
	var out PaidOutcome
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, uploadID))
		if err != nil {
			return err
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT coalesce(upload_id, '') FROM payments WHERE id = ?`, p.ID).Scan(&other)
		switch {
		case err == nil && other != "" && other != u.ID:
			return fmt.Errorf("payment %s paid upload %s: %w", p.ID, other, ErrConflict)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if p.OrderID != u.OrderID || p.Currency != u.Currency {
			return fmt.Errorf("payment of order %s in %s for upload of order %s: %w", p.OrderID, p.Currency, u.OrderID, ErrInvalid)
		}
		if u.PaymentID == p.ID {
			out = PaidAlready
			return upsertPayment(ctx, tx, p, u.ID)
		}
		if err := upsertPayment(ctx, tx, p, u.ID); err != nil {
			return err
		}
		now := ms(p.UpdatedAt)
		if u.State == UploadCreated && u.PaymentID == "" {
			if p.Amount != u.AmountDue {
				return fmt.Errorf("payment of %d paise for %d due: %w", p.Amount, u.AmountDue, ErrInvalid)
			}
			out = PaidNow
			_, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'paid', payment_id = ?, paid_at = ? WHERE id = ?`, p.ID, now, u.ID)
			return err
		}
		out = PaidCredited
		why := "payment " + p.ID + " arrived for an upload that could not use it"
		if u.State != UploadCancelled {
			return addCredit(ctx, tx, u.UserID, p.Amount, "unusable_payment", u.ID, why, "razorpay", p.UpdatedAt)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'credited', payment_id = ?, paid_at = ?, finished_at = ?,
			failure = 'paid after the upload was abandoned' WHERE id = ?`, p.ID, now, now, u.ID); err != nil {
			return err
		}
		u.PaymentID = p.ID
		_, err = insertRefund(ctx, tx, p.UpdatedAt, u, NewRefund{UploadID: u.ID, Kind: RefundToCredit, Amount: p.Amount,
			Reason: why, Actor: "razorpay"}, "unusable_payment")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark upload paid: %w", err)
	}
	return out, nil
}

// RecordPayment keeps a payment attempt (a failed one, say) without
// changing its upload.
func (db *DB) RecordPayment(ctx context.Context, p PaymentRecord) error {
	if err := db.uploadTx(ctx, func(tx *sql.Tx) error { return upsertPayment(ctx, tx, p, p.UploadID) }); err != nil {
		return fmt.Errorf("store: record payment: %w", err)
	}
	return nil
}

func upsertPayment(ctx context.Context, tx *sql.Tx, p PaymentRecord, uploadID string) error {
	var up any
	if uploadID != "" {
		up = uploadID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (id, upload_id, order_id, amount, currency, status, method, error, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
		status = CASE WHEN payments.status = 'captured' THEN payments.status ELSE excluded.status END,
		method = excluded.method, error = excluded.error, updated_at = excluded.updated_at,
		upload_id = coalesce(payments.upload_id, excluded.upload_id)`,
		p.ID, up, p.OrderID, p.Amount, p.Currency, p.Status, p.Method, p.Error, ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

// StartUploading moves a paid upload to uploading; other states are left
// as they are.
func (db *DB) StartUploading(ctx context.Context, id string) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE uploads SET state = 'uploading' WHERE id = ? AND state = 'paid'`, id); err != nil {
		return fmt.Errorf("store: start uploading: %w", err)
	}
	return nil
}

// RecordUploadInstance notes an instance stored for an upload.
func (db *DB) RecordUploadInstance(ctx context.Context, uploadID, studyUID, sopUID string) error {
	if _, err := db.w.ExecContext(ctx, `INSERT INTO upload_instances (upload_id, sop_uid, study_uid) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, uploadID, sopUID, studyUID); err != nil {
		return fmt.Errorf("store: record upload instance: %w", err)
	}
	return nil
}

// UploadInstances returns the SOP Instance UIDs an upload stored.
func (db *DB) UploadInstances(ctx context.Context, uploadID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT sop_uid FROM upload_instances WHERE upload_id = ? ORDER BY sop_uid`, uploadID)
	if err != nil {
		return nil, fmt.Errorf("store: upload instances: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: upload instances: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// MarkStudyProcessing shows a study of an upload as Processing, with the
// upload's report type and deadline; a replaced study also gets a new
// upload time. A reported study keeps its status.
func (db *DB) MarkStudyProcessing(ctx context.Context, studyUID string, u Upload, replaced bool) error {
	_, err := db.w.ExecContext(ctx, `UPDATE studies SET status = CASE WHEN status = 'reported' THEN status ELSE 'processing' END,
		priority = ?, due_at = ?, uploaded_at = CASE WHEN ? THEN ? ELSE uploaded_at END WHERE study_uid = ?`,
		u.ReportType, ms(u.Due()), replaced, ms(db.now()), studyUID)
	if err != nil {
		return fmt.Errorf("store: mark study processing: %w", err)
	}
	return nil
}

// FinishUpload marks an upload stored and its studies Ready.
func (db *DB) FinishUpload(ctx context.Context, id string) error {
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		res, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'stored', finished_at = ? WHERE id = ? AND state IN ('paid', 'uploading')`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		_, err = tx.ExecContext(ctx, `UPDATE studies SET status = 'ready' WHERE status = 'processing'
			AND study_uid IN (SELECT study_uid FROM upload_studies WHERE upload_id = ?)`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish upload %s: %w", id, err)
	}
	return nil
}

// CancelUpload abandons an upload that was never paid, giving back the
// credit it reserved.
func (db *DB) CancelUpload(ctx context.Context, id, actor string) error {
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if u.State != UploadCreated {
			return ErrConflict
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'cancelled', finished_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		if u.CreditUsed > 0 {
			return addCredit(ctx, tx, u.UserID, u.CreditUsed, "released", id, "upload not paid", actor, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: cancel upload %s: %w", id, err)
	}
	return nil
}
