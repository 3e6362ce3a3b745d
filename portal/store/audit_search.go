package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditRecord is an event of the audit trail with its sequence number.
type AuditRecord struct {
	ID int64
	Event
}

// AuditQuery narrows SearchAudit; empty fields match everything.
type AuditQuery struct {
	Actor    string // exact: "user:12", "share:3", "client:2"
	Role     string
	Action   string // a prefix: "share." finds every share action
	StudyUID string
	Detail   string // exact
	Remote   string // exact address
	From, To time.Time
	BeforeID int64 // paging: only events older than this one
	Limit    int   // 0: no limit (for exports)
}

func (q AuditQuery) where() (string, []any) {
	where, args := []string{"1"}, []any{}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if q.Actor != "" {
		add("actor = ?", q.Actor)
	}
	if q.Role != "" {
		add("role = ?", q.Role)
	}
	if q.Action != "" {
		add(`action LIKE ? ESCAPE '\'`, escapeLike(q.Action)+"%")
	}
	if q.StudyUID != "" {
		add("study_uid = ?", q.StudyUID)
	}
	if q.Detail != "" {
		add("detail = ?", q.Detail)
	}
	if q.Remote != "" {
		add("remote = ?", q.Remote)
	}
	if !q.From.IsZero() {
		add("at >= ?", ms(q.From))
	}
	if !q.To.IsZero() {
		add("at < ?", ms(q.To))
	}
	if q.BeforeID > 0 {
		add("id < ?", q.BeforeID)
	}
	return strings.Join(where, " AND "), args
}

// EachAudit calls fn with the matching events, newest first, streaming
// from one read transaction (a CSV export of the whole trail stays small).
func (db *DB) EachAudit(ctx context.Context, q AuditQuery, fn func(AuditRecord) error) error {
	where, args := q.where()
	query := `SELECT id, at, actor, role, action, study_uid, detail, status, remote FROM audit WHERE ` + where + ` ORDER BY id DESC`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: search audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditRecord
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Role, &e.Action, &e.StudyUID, &e.Detail, &e.Status, &e.Remote); err != nil {
			return fmt.Errorf("store: search audit: %w", err)
		}
		e.At = fromMS(at)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SearchAudit returns the matching events, newest first.
func (db *DB) SearchAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var out []AuditRecord
	err := db.EachAudit(ctx, q, func(e AuditRecord) error {
		out = append(out, e)
		return nil
	})
	return out, err
}
