package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Refund is money given back for an upload.
type Refund struct {
	ID          int64
	UploadID    string
	UserID      int64
	Kind        string // "method" (through Razorpay) or "credit"
	Amount      int64
	Status      string // pending, processed, failed
	RazorpayID  string
	PaymentID   string
	Reason      string
	CreatedBy   string
	CreatedAt   time.Time
	ProcessedAt time.Time
}

// The kinds of refund.
const (
	RefundToMethod = "method"
	RefundToCredit = "credit"
)

// NewRefund is what CreateRefund needs.
type NewRefund struct {
	UploadID string
	Kind     string
	Amount   int64
	Reason   string
	Actor    string
}

// Refundable is what is left to give back of an upload: in all, and to
// the original payment method.
type Refundable struct {
	Total, ToMethod int64
}

// refundable computes what an upload may still give back: what came in
// (the payment, and the credit spent and not released) less the refunds
// not failed.
func refundable(ctx context.Context, tx *sql.Tx, u Upload) (Refundable, error) {
	var paid int64
	if u.PaymentID != "" {
		paid = u.AmountDue
	}
	var credit, back, backMethod int64
	if err := tx.QueryRowContext(ctx, `SELECT -coalesce(sum(amount), 0) FROM credit_ledger WHERE upload_id = ? AND kind IN ('spent', 'released')`,
		u.ID).Scan(&credit); err != nil {
		return Refundable{}, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0), coalesce(sum(CASE WHEN kind = 'method' THEN amount END), 0)
		FROM refunds WHERE upload_id = ? AND status != 'failed'`, u.ID).Scan(&back, &backMethod); err != nil {
		return Refundable{}, err
	}
	r := Refundable{Total: max(0, paid+credit-back), ToMethod: max(0, paid-backMethod)}
	r.ToMethod = min(r.ToMethod, r.Total)
	return r, nil
}

// UploadRefundable returns what is left to give back of an upload.
func (db *DB) UploadRefundable(ctx context.Context, id string) (Refundable, error) {
	var r Refundable
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id))
		if err != nil {
			return err
		}
		r, err = refundable(ctx, tx, u)
		return err
	})
	if err != nil {
		return Refundable{}, fmt.Errorf("store: refundable: %w", err)
	}
	return r, nil
}

// CreateRefund records a refund of an upload. To credit, it is processed
// at once; to the original method it is pending until SetRefundResult
// records Razorpay's answer. More than is left is ErrInvalid.
func (db *DB) CreateRefund(ctx context.Context, n NewRefund) (Refund, error) {
	var f Refund
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, n.UploadID))
		if err != nil {
			return err
		}
		left, err := refundable(ctx, tx, u)
		if err != nil {
			return err
		}
		limit := left.Total
		if n.Kind == RefundToMethod {
			limit = left.ToMethod
		}
		if n.Amount <= 0 || n.Amount > limit || (n.Kind != RefundToMethod && n.Kind != RefundToCredit) {
			return fmt.Errorf("refund of %d paise (%s) with %d left: %w", n.Amount, n.Kind, limit, ErrInvalid)
		}
		f, err = insertRefund(ctx, tx, db.now(), u, n, "refund")
		return err
	})
	if err != nil {
		return Refund{}, fmt.Errorf("store: create refund: %w", err)
	}
	return f, nil
}

// insertRefund adds a refund row; one to credit also adds its ledger line
// of the given kind.
func insertRefund(ctx context.Context, tx *sql.Tx, now time.Time, u Upload, n NewRefund, ledgerKind string) (Refund, error) {
	f := Refund{UploadID: u.ID, UserID: u.UserID, Kind: n.Kind, Amount: n.Amount, Status: "pending", PaymentID: u.PaymentID,
		Reason: n.Reason, CreatedBy: n.Actor, CreatedAt: now}
	var processed any
	if n.Kind == RefundToCredit {
		f.Status, f.ProcessedAt, processed = "processed", now, ms(now)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO refunds (upload_id, user_id, kind, amount, status, payment_id, reason, created_by, created_at, processed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.UploadID, f.UserID, f.Kind, f.Amount, f.Status, f.PaymentID, f.Reason, f.CreatedBy, ms(now), processed)
	if err != nil {
		return Refund{}, err
	}
	f.ID, _ = res.LastInsertId()
	if n.Kind == RefundToCredit {
		return f, addCredit(ctx, tx, u.UserID, n.Amount, ledgerKind, u.ID, n.Reason, n.Actor, now)
	}
	return f, nil
}

// SetRefundResult records Razorpay's answer to a refund to the original
// method: its id and status, or failed when the request was refused.
func (db *DB) SetRefundResult(ctx context.Context, id int64, razorpayID, status string) error {
	var rid any
	if razorpayID != "" {
		rid = razorpayID
	}
	var at any
	if status == "processed" {
		at = ms(db.now())
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE refunds SET razorpay_id = coalesce(?, razorpay_id), status = ?, processed_at = coalesce(?, processed_at)
		WHERE id = ? AND status = 'pending'`, rid, status, at, id); err != nil {
		return fmt.Errorf("store: set refund result: %w", err)
	}
	return nil
}

// SetRefundStatusByRazorpay applies a refund webhook: changed is false
// when the refund was already in that state (a replay). An unknown refund
// id is ErrNotFound.
func (db *DB) SetRefundStatusByRazorpay(ctx context.Context, razorpayID, status string) (changed bool, err error) {
	var at any
	if status == "processed" {
		at = ms(db.now())
	}
	res, err := db.w.ExecContext(ctx, `UPDATE refunds SET status = ?, processed_at = coalesce(?, processed_at)
		WHERE razorpay_id = ? AND status = 'pending'`, status, at, razorpayID)
	if err != nil {
		return false, fmt.Errorf("store: refund status: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	var id int64
	err = db.r.QueryRowContext(ctx, `SELECT id FROM refunds WHERE razorpay_id = ?`, razorpayID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: refund %s: %w", razorpayID, ErrNotFound)
	}
	return false, err
}

// Refunds returns the refunds of an upload, oldest first.
func (db *DB) Refunds(ctx context.Context, uploadID string) ([]Refund, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, upload_id, user_id, kind, amount, status, coalesce(razorpay_id, ''), payment_id,
		reason, created_by, created_at, processed_at FROM refunds WHERE upload_id = ? ORDER BY id`, uploadID)
	if err != nil {
		return nil, fmt.Errorf("store: refunds: %w", err)
	}
	defer rows.Close()
	var out []Refund
	for rows.Next() {
		var f Refund
		var at int64
		var done sql.NullInt64
		if err := rows.Scan(&f.ID, &f.UploadID, &f.UserID, &f.Kind, &f.Amount, &f.Status, &f.RazorpayID, &f.PaymentID,
			&f.Reason, &f.CreatedBy, &at, &done); err != nil {
			return nil, fmt.Errorf("store: refunds: %w", err)
		}
		f.CreatedAt, f.ProcessedAt = fromMS(at), nullMS(done)
		out = append(out, f)
	}
	return out, rows.Err()
}

// FailUpload gives up on a paid upload: it becomes failed and at once
// credited, with everything that came in for it (and was not already
// given back) added to the patient's credit balance. Its studies stored so
// far show as Ready without a paid deadline.
func (db *DB) FailUpload(ctx context.Context, id, reason string) (credited int64, err error) {
	err = db.uploadTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if !u.State.Accepting() {
			return fmt.Errorf("upload is %s: %w", u.State, ErrConflict)
		}
		left, err := refundable(ctx, tx, u)
		if err != nil {
			return err
		}
		now := db.now()
		if credited = left.Total; credited > 0 {
			if _, err := insertRefund(ctx, tx, now, u, NewRefund{UploadID: id, Kind: RefundToCredit, Amount: credited,
				Reason: "upload failed: " + reason, Actor: "system"}, "failed_upload"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'credited', failure = ?, finished_at = ? WHERE id = ?`, reason, ms(now), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE studies SET status = 'ready', priority = '', due_at = NULL WHERE status = 'processing'
			AND study_uid IN (SELECT study_uid FROM upload_studies WHERE upload_id = ?)`, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: fail upload %s: %w", id, err)
	}
	return credited, nil
}
