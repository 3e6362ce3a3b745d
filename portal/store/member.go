package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Relationships of members to the account holder; RelSelf is the holder.
const (
	RelSelf    = "self"
	RelSpouse  = "spouse"
	RelChild   = "child"
	RelParent  = "parent"
	RelSibling = "sibling"
	RelWard    = "ward" // a minor in the holder's legal care
	RelOther   = "other"
)

// Member is a person whose studies an account sees: the holder or a
// family member.
type Member struct {
	ID           int64
	HolderID     int64
	Name         string
	BirthDate    string // YYYYMMDD, "" when unknown
	IDNumber     string // national ID, normalised
	PhoneKey     string // last ten digits of the phone number
	Relationship string
	Guardian     bool // the holder declared being the parent or legal guardian
	Consent      bool // an adult member agreed to be seen by the holder
	CreatedAt    time.Time
	Studies      int // filled by Members
}

// BirthISO is the birth date as YYYY-MM-DD, "" when unknown.
func (m Member) BirthISO() string {
	if len(m.BirthDate) != 8 {
		return ""
	}
	return m.BirthDate[:4] + "-" + m.BirthDate[4:6] + "-" + m.BirthDate[6:]
}

const memberColumns = `m.id, m.holder_id, m.name, m.birth_date, m.id_number, m.phone_key, m.relationship, m.guardian, m.consent, m.created_at`

func scanMember(row interface{ Scan(...any) error }, extra ...any) (Member, error) {
	var m Member
	var created int64
	dst := append([]any{&m.ID, &m.HolderID, &m.Name, &m.BirthDate, &m.IDNumber, &m.PhoneKey, &m.Relationship, &m.Guardian, &m.Consent, &created}, extra...)
	err := row.Scan(dst...)
	m.CreatedAt = fromMS(created)
	return m, err
}

// SaveMember creates a member (m.ID zero) or updates one of the holder's.
// ErrConflict when the holder already has a 'self' member.
func (db *DB) SaveMember(ctx context.Context, m Member) (Member, error) {
	if m.HolderID == 0 || m.Name == "" || m.Relationship == "" {
		return Member{}, fmt.Errorf("store: save member: %w", ErrInvalid)
	}
	var err error
	var res sql.Result
	if m.ID == 0 {
		res, err = db.w.ExecContext(ctx, `INSERT INTO members (holder_id, name, birth_date, id_number, phone_key, relationship, guardian, consent, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.HolderID, m.Name, m.BirthDate, m.IDNumber, m.PhoneKey, m.Relationship, m.Guardian, m.Consent, ms(db.now()))
	} else {
		res, err = db.w.ExecContext(ctx, `UPDATE members SET name = ?, birth_date = ?, id_number = ?, phone_key = ?, guardian = ?, consent = ?
			WHERE id = ? AND holder_id = ?`, m.Name, m.BirthDate, m.IDNumber, m.PhoneKey, m.Guardian, m.Consent, m.ID, m.HolderID)
	}
	if isUnique(err) {
		return Member{}, fmt.Errorf("store: save member: %w", ErrConflict)
	}
	if err != nil {
		return Member{}, fmt.Errorf("store: save member: %w", err)
	}
	id := m.ID
	if id == 0 {
		id, _ = res.LastInsertId()
	} else if n, _ := res.RowsAffected(); n == 0 {
		return Member{}, fmt.Errorf("store: save member %d: %w", id, ErrNotFound)
	}
	return db.memberWhere(ctx, db.w, `m.id = ?`, id)
}

// Member returns one of the holder's members, or ErrNotFound.
func (db *DB) Member(ctx context.Context, holderID, id int64) (Member, error) {
	return db.memberWhere(ctx, db.r, `m.id = ? AND m.holder_id = ?`, id, holderID)
}

// MemberByID returns any member, or ErrNotFound.
func (db *DB) MemberByID(ctx context.Context, id int64) (Member, error) {
	return db.memberWhere(ctx, db.r, `m.id = ?`, id)
}

// SelfMember returns the holder's own member, or ErrNotFound.
func (db *DB) SelfMember(ctx context.Context, holderID int64) (Member, error) {
	return db.memberWhere(ctx, db.r, `m.holder_id = ? AND m.relationship = 'self'`, holderID)
}

func (db *DB) memberWhere(ctx context.Context, q *sql.DB, where string, args ...any) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members m WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("store: member: %w", ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("store: member: %w", err)
	}
	return m, nil
}

// Members lists the holder's members, the holder first, with the number
// of studies matched to each.
func (db *DB) Members(ctx context.Context, holderID int64) ([]Member, error) {
	return db.members(ctx, `WHERE m.holder_id = ?`, holderID)
}

func (db *DB) members(ctx context.Context, where string, args ...any) ([]Member, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+memberColumns+`, (SELECT count(*) FROM member_studies s WHERE s.member_id = m.id)
		FROM members m `+where+` ORDER BY m.relationship != 'self', m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var n int
		m, err := scanMember(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		m.Studies = n
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMember removes one of the holder's family members (never the
// holder) and what was matched to them.
func (db *DB) DeleteMember(ctx context.Context, holderID, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM members WHERE id = ? AND holder_id = ? AND relationship != 'self'`, id, holderID)
	if err != nil {
		return fmt.Errorf("store: delete member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete member %d: %w", id, ErrNotFound)
	}
	return nil
}

// SelectMember makes a session look at one member's studies; memberID 0
// goes back to everyone's.
func (db *DB) SelectMember(ctx context.Context, sessionHash string, memberID int64) error {
	var err error
	if memberID == 0 {
		_, err = db.w.ExecContext(ctx, `DELETE FROM member_selection WHERE session_hash = ?`, sessionHash)
	} else {
		_, err = db.w.ExecContext(ctx, `INSERT INTO member_selection (session_hash, member_id) VALUES (?, ?)
			ON CONFLICT (session_hash) DO UPDATE SET member_id = excluded.member_id`, sessionHash, memberID)
	}
	if err != nil {
		return fmt.Errorf("store: select member: %w", err)
	}
	return nil
}

// SelectedMember returns the member a session looks at, or ErrNotFound.
func (db *DB) SelectedMember(ctx context.Context, sessionHash string) (Member, error) {
	return db.memberWhere(ctx, db.r, `m.id = (SELECT member_id FROM member_selection WHERE session_hash = ?)`, sessionHash)
}

// VisibleStudies returns the studies a patient account sees: those linked
// to it and those of its members; with a member selected in the session,
// only that member's (the holder's own links count as the 'self'
// member's).
func (db *DB) VisibleStudies(ctx context.Context, userID int64, sessionHash string) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `WITH sel AS (
			SELECT m.id, m.relationship FROM member_selection x JOIN members m ON m.id = x.member_id
			WHERE x.session_hash = ?2 AND m.holder_id = ?1)
		SELECT study_uid FROM study_links WHERE user_id = ?1
			AND (NOT EXISTS (SELECT 1 FROM sel) OR EXISTS (SELECT 1 FROM sel WHERE relationship = 'self'))
		UNION
		SELECT s.study_uid FROM member_studies s JOIN members m ON m.id = s.member_id WHERE m.holder_id = ?1
			AND (NOT EXISTS (SELECT 1 FROM sel) OR m.id IN (SELECT id FROM sel))`, userID, sessionHash)
	if err != nil {
		return nil, fmt.Errorf("store: visible studies: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("store: visible studies: %w", err)
		}
		out[uid] = true
	}
	return out, rows.Err()
}

// LinkMemberStudy matches a study to a member; again is not an error.
func (db *DB) LinkMemberStudy(ctx context.Context, memberID int64, studyUID, reason string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO member_studies (member_id, study_uid, reason, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, memberID, studyUID, reason, ms(db.now()))
	if err != nil {
		return fmt.Errorf("store: link member study: %w", err)
	}
	return nil
}

// StudyMembers returns the members a study is matched to.
func (db *DB) StudyMembers(ctx context.Context, studyUID string) ([]Member, error) {
	return db.members(ctx, `WHERE m.id IN (SELECT member_id FROM member_studies WHERE study_uid = ?)`, studyUID)
}

// AddMemberPatientID records a patient ID (and issuer) as a member's.
func (db *DB) AddMemberPatientID(ctx context.Context, memberID int64, patientID, issuer, source string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO member_patient_ids (patient_id, issuer, member_id, source, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, patientID, issuer, memberID, source, ms(db.now()))
	if err != nil {
		return fmt.Errorf("store: add member patient id: %w", err)
	}
	return nil
}
