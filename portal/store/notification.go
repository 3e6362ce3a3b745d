package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Notification is a message to one recipient over one channel, kept in
// the outbox table from which it is delivered.
type Notification struct {
	ID        int64
	CreatedAt time.Time
	Channel   string // "email" or "sms"
	Recipient string
	Subject   string
	Body      string
	Kind      string // report.final, report.critical, ...
	StudyUID  string
	Status    string // pending, sent, logged (no channel configured), failed
	Attempts  int
	SentAt    time.Time
	Error     string
}

// AddNotification puts a message in the outbox, pending.
func (db *DB) AddNotification(ctx context.Context, n Notification) (int64, error) {
	if n.Channel != "email" && n.Channel != "sms" || n.Recipient == "" {
		return 0, fmt.Errorf("store: add notification: %w: channel and recipient are required", ErrInvalid)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO notifications (created_at, channel, recipient, subject, body, kind, study_uid)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ms(db.now()), n.Channel, n.Recipient, n.Subject, n.Body, n.Kind, n.StudyUID)
	if err != nil {
		return 0, fmt.Errorf("store: add notification: %w", err)
	}
	return res.LastInsertId()
}

const notificationColumns = `id, created_at, channel, recipient, subject, body, kind, study_uid, status, attempts, sent_at, error`

func scanNotification(row interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var created int64
	var sent sql.NullInt64
	err := row.Scan(&n.ID, &created, &n.Channel, &n.Recipient, &n.Subject, &n.Body, &n.Kind, &n.StudyUID, &n.Status, &n.Attempts, &sent, &n.Error)
	n.CreatedAt, n.SentAt = fromMS(created), nullMS(sent)
	return n, err
}

// Notifications lists the outbox, newest first; pendingOnly lists the
// messages still to deliver, oldest first.
func (db *DB) Notifications(ctx context.Context, pendingOnly bool, limit int) ([]Notification, error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications ORDER BY id DESC LIMIT ?`
	if pendingOnly {
		q = `SELECT ` + notificationColumns + ` FROM notifications WHERE status = 'pending' ORDER BY id LIMIT ?`
	}
	rows, err := db.r.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// maxAttempts is how often delivery of a message is tried.
const maxAttempts = 5

// MarkNotification records a delivery attempt: delivered ("sent", or
// "logged" when no channel is configured) when sendErr is nil, else
// pending again until the attempts run out, then failed.
func (db *DB) MarkNotification(ctx context.Context, id int64, delivered string, sendErr error) error {
	var err error
	if sendErr == nil {
		if delivered != "logged" {
			delivered = "sent"
		}
		_, err = db.w.ExecContext(ctx, `UPDATE notifications SET status = ?, attempts = attempts + 1, sent_at = ?, error = ''
			WHERE id = ?`, delivered, ms(db.now()), id)
	} else {
		_, err = db.w.ExecContext(ctx, `UPDATE notifications SET attempts = attempts + 1, error = ?,
			status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END WHERE id = ?`, sendErr.Error(), maxAttempts, id)
	}
	if err != nil {
		return fmt.Errorf("store: mark notification: %w", err)
	}
	return nil
}
