package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// WorkItem is a study on the radiologists' worklist.
type WorkItem struct {
	Study       StudyRecord
	State       ReportState // ReportReady when unclaimed
	ClaimedBy   int64
	ClaimedName string
	ClaimedAt   time.Time
	SignedAt    time.Time // the first signature, for signed reports
}

// Worklist filters.
const (
	WorkOpen      = ""          // everything not yet signed
	WorkUnclaimed = "unclaimed" // nobody has it
	WorkClaimed   = "claimed"   // claimed or with a draft
	WorkSigned    = "signed"    // final or amended (for addenda)
)

// WorklistFilter narrows Worklist.
type WorklistFilter struct {
	Status string // one of the Work* filters
	Mine   int64  // when not zero, only this radiologist's studies
	Limit  int
}

// Worklist returns the studies awaiting a report, the most urgent first:
// priority studies first, then by deadline (studies without one last),
// then the oldest upload. Studies still arriving are left out. Signed
// reports (WorkSigned) come most recent first.
func (db *DB) Worklist(ctx context.Context, f WorklistFilter) ([]WorkItem, error) {
	where := []string{"s.status != 'processing'"}
	var args []any
	order := `(s.priority = '` + PriorityUrgent + `') DESC, s.due_at IS NULL, s.due_at, s.uploaded_at, s.study_uid`
	switch f.Status {
	case WorkUnclaimed:
		where = append(where, "coalesce(r.state, 'ready') = 'ready'")
	case WorkClaimed:
		where = append(where, "r.state IN ('claimed', 'draft')")
	case WorkSigned:
		where = append(where, "r.state IN ('final', 'amended')")
		order = "r.finalised_at DESC, s.study_uid"
	default:
		where = append(where, "coalesce(r.state, 'ready') IN ('ready', 'claimed', 'draft')")
	}
	if f.Mine != 0 {
		where = append(where, `(r.claimed_by = ? OR EXISTS (SELECT 1 FROM report_versions v WHERE v.study_uid = s.study_uid AND v.author_id = ?))`)
		args = append(args, f.Mine, f.Mine)
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, `SELECT s.study_uid, s.uploaded_at, s.uploaded_by, s.status, s.priority, s.due_at,
			coalesce(r.state, 'ready'), coalesce(r.claimed_by, 0), coalesce(u.name, ''), r.claimed_at, r.finalised_at
		FROM studies s LEFT JOIN reports r ON r.study_uid = s.study_uid LEFT JOIN users u ON u.id = r.claimed_by
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: worklist: %w", err)
	}
	defer rows.Close()
	var out []WorkItem
	for rows.Next() {
		var w WorkItem
		var up int64
		var due, claimed, signed sql.NullInt64
		s := &w.Study
		if err := rows.Scan(&s.StudyUID, &up, &s.UploadedBy, &s.Status, &s.Priority, &due, &w.State, &w.ClaimedBy, &w.ClaimedName,
			&claimed, &signed); err != nil {
			return nil, fmt.Errorf("store: worklist: %w", err)
		}
		s.UploadedAt, s.DueAt, w.ClaimedAt, w.SignedAt = fromMS(up), nullMS(due), nullMS(claimed), nullMS(signed)
		out = append(out, w)
	}
	return out, rows.Err()
}

// ReportSetting returns an admin's setting, and whether it is set.
func (db *DB) ReportSetting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM report_settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: report setting: %w", err)
	}
	return v, true, nil
}

// SetReportSetting sets (or, with an empty value, clears) a setting.
func (db *DB) SetReportSetting(ctx context.Context, key, value string) error {
	var err error
	if value == "" {
		_, err = db.w.ExecContext(ctx, `DELETE FROM report_settings WHERE key = ?`, key)
	} else {
		_, err = db.w.ExecContext(ctx, `INSERT INTO report_settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	}
	if err != nil {
		return fmt.Errorf("store: set report setting: %w", err)
	}
	return nil
}
