package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SupportRequest is a call-back request.
type SupportRequest struct {
	ID            int64
	UserID        int64 // 0 when sent without an account
	Name          string
	Phone         string
	Issue         string
	PreferredTime string
	CreatedAt     time.Time
	ClosedAt      time.Time // zero while open
}

// CreateSupportRequest stores a call-back request.
func (db *DB) CreateSupportRequest(ctx context.Context, r SupportRequest) (int64, error) {
	var user any
	if r.UserID != 0 {
		user = r.UserID
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO support_requests (user_id, name, phone, issue, preferred_time, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, user, r.Name, r.Phone, r.Issue, r.PreferredTime, ms(db.now()))
	if err != nil {
		return 0, fmt.Errorf("store: create support request: %w", err)
	}
	return res.LastInsertId()
}

// SupportRequests lists call-back requests, newest first.
func (db *DB) SupportRequests(ctx context.Context, limit, offset int) ([]SupportRequest, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, coalesce(user_id, 0), name, phone, issue, preferred_time, created_at, closed_at
		FROM support_requests ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: support requests: %w", err)
	}
	defer rows.Close()
	var out []SupportRequest
	for rows.Next() {
		var r SupportRequest
		var at int64
		var closed sql.NullInt64
		if err := rows.Scan(&r.ID, &r.UserID, &r.Name, &r.Phone, &r.Issue, &r.PreferredTime, &at, &closed); err != nil {
			return nil, fmt.Errorf("store: support requests: %w", err)
		}
		r.CreatedAt, r.ClosedAt = fromMS(at), nullMS(closed)
		out = append(out, r)
	}
	return out, rows.Err()
}
