package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WebhookEvent is a Razorpay webhook event the portal handled.
type WebhookEvent struct {
	EventID    string
	BodySHA256 string
	Event      string
	OrderID    string
	Outcome    string // what it did: "paid", "duplicate payment", "ignored", ...
	ReceivedAt time.Time
}

// WebhookSeen reports whether an event was handled before, by its id or by
// its body.
func (db *DB) WebhookSeen(ctx context.Context, eventID, bodySHA256 string) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM webhook_events WHERE event_id = ? OR body_sha256 = ?`,
		eventID, bodySHA256).Scan(&n); err != nil {
		return false, fmt.Errorf("store: webhook seen: %w", err)
	}
	return n > 0, nil
}

// RecordWebhookEvent notes a handled event; recording one twice is not an
// error (two deliveries can race).
func (db *DB) RecordWebhookEvent(ctx context.Context, e WebhookEvent) error {
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = db.now()
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO webhook_events (event_id, body_sha256, event, order_id, outcome, received_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, e.EventID, e.BodySHA256, e.Event, e.OrderID, e.Outcome, ms(e.ReceivedAt)); err != nil {
		return fmt.Errorf("store: record webhook event: %w", err)
	}
	return nil
}

// WebhookEvents returns the latest events handled, newest first.
func (db *DB) WebhookEvents(ctx context.Context, limit int) ([]WebhookEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT event_id, body_sha256, event, order_id, outcome, received_at FROM webhook_events
		ORDER BY received_at DESC, event_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: webhook events: %w", err)
	}
	defer rows.Close()
	var out []WebhookEvent
	for rows.Next() {
		var e WebhookEvent
		var at int64
		if err := rows.Scan(&e.EventID, &e.BodySHA256, &e.Event, &e.OrderID, &e.Outcome, &at); err != nil {
			return nil, fmt.Errorf("store: webhook events: %w", err)
		}
		e.ReceivedAt = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Payments returns the payment attempts of an upload, oldest first.
func (db *DB) Payments(ctx context.Context, uploadID string) ([]PaymentRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, coalesce(upload_id, ''), order_id, amount, currency, status, method, error,
		created_at, updated_at FROM payments WHERE upload_id = ? ORDER BY created_at, id`, uploadID)
	if err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	defer rows.Close()
	var out []PaymentRecord
	for rows.Next() {
		var p PaymentRecord
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.UploadID, &p.OrderID, &p.Amount, &p.Currency, &p.Status, &p.Method, &p.Error,
			&created, &updated); err != nil {
			return nil, fmt.Errorf("store: payments: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, p)
	}
	return out, rows.Err()
}

// UploadByPayment returns the upload a payment paid.
func (db *DB) UploadByPayment(ctx context.Context, paymentID string) (Upload, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT id FROM uploads WHERE payment_id = ?`, paymentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, fmt.Errorf("store: upload by payment: %w", ErrNotFound)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("store: upload by payment: %w", err)
	}
	return db.Upload(ctx, id)
}

// UploadsOfStudy returns the uploads that paid for a study, newest first.
func (db *DB) UploadsOfStudy(ctx context.Context, studyUID string) ([]Upload, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT upload_id FROM upload_studies s JOIN uploads u ON u.id = s.upload_id
		WHERE s.study_uid = ? ORDER BY u.created_at DESC`, studyUID)
	if err != nil {
		return nil, fmt.Errorf("store: uploads of study: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: uploads of study: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Upload, 0, len(ids))
	for _, id := range ids {
		u, err := db.Upload(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
