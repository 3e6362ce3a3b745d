package store

import (
	"context"
	"fmt"
	"time"
)

// Event is one line of the audit trail.
type Event struct {
	At       time.Time // set by Record when zero
	Actor    string    // "user:12", "client:3", "anonymous"
	Role     string    // the actor's role: patient, radiologist, admin, client, anonymous
	Action   string    // e.g. "study.view", "dicomweb.frames", "user.create"
	StudyUID string
	Detail   string // what else identifies the object: a path without query, a user id
	Status   int    // the HTTP status answered, when there was one
	Remote   string // the client's address
}

// Record appends an event to the audit trail.
func (db *DB) Record(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO audit (at, actor, role, action, study_uid, detail, status, remote)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ms(e.At), e.Actor, e.Role, e.Action, e.StudyUID, e.Detail, e.Status, e.Remote)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditFilter narrows Events.
type AuditFilter struct {
	StudyUID string // "" for all
	Actor    string // "" for all
	Limit    int
}

// Events returns audit events, newest first.
func (db *DB) Events(ctx context.Context, f AuditFilter) ([]Event, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := db.r.QueryContext(ctx, `SELECT at, actor, role, action, study_uid, detail, status, remote FROM audit
		WHERE (? = '' OR study_uid = ?) AND (? = '' OR actor = ?) ORDER BY id DESC LIMIT ?`,
		f.StudyUID, f.StudyUID, f.Actor, f.Actor, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Role, &e.Action, &e.StudyUID, &e.Detail, &e.Status, &e.Remote); err != nil {
			return nil, fmt.Errorf("store: audit events: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
