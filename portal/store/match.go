package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Match states of a study's identity.
const (
	MatchPending   = "pending"   // not looked at yet
	MatchMatched   = "matched"   // matched to a member
	MatchUnmatched = "unmatched" // nobody fits (yet)
	MatchAmbiguous = "ambiguous" // several accounts fit: left to an admin
	MatchInvited   = "invited"   // nobody fits; the patient was invited
	MatchUpload    = "upload"    // a patient's own upload: never matched
)

// StudyIdentity is what the portal read from a study's attributes.
type StudyIdentity struct {
	StudyUID    string
	PatientID   string
	Issuer      string
	OtherIDs    []string // normalised
	BirthDate   string   // YYYYMMDD
	Phones      []string // last ten digits
	Name        string   // DICOM person name
	Accession   string
	StudyDate   string // YYYYMMDD
	Institution string
	Description string
	Hospital    bool // pushed by a hospital system, not uploaded by a patient
	MatchState  string
	ReadAt      time.Time
	// Phone is the first phone number as the study wrote it, and Email
	// the first email address of Patient's Telecom Information, for an
	// invitation; they are not stored.
	Phone, Email string
}

const identityColumns = `study_uid, patient_id, issuer, other_ids, birth_date, phones, name, accession, study_date,
	institution, description, hospital, match_state, read_at`

func scanIdentity(row interface{ Scan(...any) error }) (StudyIdentity, error) {
	var s StudyIdentity
	var others, phones string
	var read int64
	err := row.Scan(&s.StudyUID, &s.PatientID, &s.Issuer, &others, &s.BirthDate, &phones, &s.Name, &s.Accession, &s.StudyDate,
		&s.Institution, &s.Description, &s.Hospital, &s.MatchState, &read)
	s.OtherIDs, s.Phones, s.ReadAt = strings.Fields(others), strings.Fields(phones), fromMS(read)
	return s, err
}

// PutStudyIdentity stores what was read of a study, keeping the match
// state of an earlier reading.
func (db *DB) PutStudyIdentity(ctx context.Context, s StudyIdentity) error {
	if s.MatchState == "" {
		s.MatchState = MatchPending
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO study_identity (`+identityColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (study_uid) DO UPDATE SET patient_id = excluded.patient_id, issuer = excluded.issuer, other_ids = excluded.other_ids,
		birth_date = excluded.birth_date, phones = excluded.phones, name = excluded.name, accession = excluded.accession,
		study_date = excluded.study_date, institution = excluded.institution, description = excluded.description, read_at = excluded.read_at`,
		s.StudyUID, s.PatientID, s.Issuer, strings.Join(s.OtherIDs, " "), s.BirthDate, strings.Join(s.Phones, " "), s.Name, s.Accession,
		s.StudyDate, s.Institution, s.Description, s.Hospital, s.MatchState, ms(db.now()))
	if err != nil {
		return fmt.Errorf("store: put study identity: %w", err)
	}
	return nil
}

// StudyIdentityOf returns what was read of a study, or ErrNotFound.
func (db *DB) StudyIdentityOf(ctx context.Context, uid string) (StudyIdentity, error) {
	s, err := scanIdentity(db.r.QueryRowContext(ctx, `SELECT `+identityColumns+` FROM study_identity WHERE study_uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return StudyIdentity{}, fmt.Errorf("store: study identity: %w", ErrNotFound)
	}
	if err != nil {
		return StudyIdentity{}, fmt.Errorf("store: study identity: %w", err)
	}
	return s, nil
}

func (db *DB) identities(ctx context.Context, where string, args ...any) ([]StudyIdentity, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+identityColumns+` FROM study_identity WHERE `+where+` ORDER BY study_date, study_uid`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: study identities: %w", err)
	}
	defer rows.Close()
	var out []StudyIdentity
	for rows.Next() {
		s, err := scanIdentity(rows)
		if err != nil {
			return nil, fmt.Errorf("store: study identities: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetMatchState records how matching a study ended.
func (db *DB) SetMatchState(ctx context.Context, uid, state string) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE study_identity SET match_state = ? WHERE study_uid = ?`, state, uid); err != nil {
		return fmt.Errorf("store: set match state: %w", err)
	}
	return nil
}

// StudiesWithoutIdentity returns studies the portal knows of but has not
// read yet (stored before, or the reading failed), with their uploader.
func (db *DB) StudiesWithoutIdentity(ctx context.Context, limit int) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.study_uid, s.uploaded_by FROM studies s
		WHERE NOT EXISTS (SELECT 1 FROM study_identity i WHERE i.study_uid = s.study_uid) LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: studies without identity: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var uid, by string
		if err := rows.Scan(&uid, &by); err != nil {
			return nil, fmt.Errorf("store: studies without identity: %w", err)
		}
		out[uid] = by
	}
	return out, rows.Err()
}

// HospitalStudiesOfPatient returns the hospital studies with a patient ID
// and issuer.
func (db *DB) HospitalStudiesOfPatient(ctx context.Context, patientID, issuer string) ([]StudyIdentity, error) {
	return db.identities(ctx, `patient_id = ? AND issuer = ? AND hospital = 1`, patientID, issuer)
}

// HospitalStudiesFor returns the hospital studies whose patient ID or
// other IDs are idNumber, or whose phones include phoneKey ("" skips
// either).
func (db *DB) HospitalStudiesFor(ctx context.Context, idNumber, phoneKey string) ([]StudyIdentity, error) {
	return db.identities(ctx, `hospital = 1 AND ((?1 != '' AND (upper(patient_id) = ?1 OR ' ' || other_ids || ' ' LIKE '% ' || ?1 || ' %'))
		OR (?2 != '' AND ' ' || phones || ' ' LIKE '% ' || ?2 || ' %'))`, idNumber, phoneKey)
}

// ManualMatchCandidates returns the hospital studies with an accession
// number (or examination ID), a study date and an institution.
func (db *DB) ManualMatchCandidates(ctx context.Context, accession, studyDate, institution string) ([]StudyIdentity, error) {
	return db.identities(ctx, `hospital = 1 AND accession = ? AND study_date = ? AND institution = ?`,
		strings.TrimSpace(accession), studyDate, strings.TrimSpace(institution))
}

// Institutions lists the institution names studies came from.
func (db *DB) Institutions(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT institution FROM study_identity WHERE institution != ''
		UNION SELECT name FROM organisations ORDER BY 1 COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("store: institutions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: institutions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// MembersByPatientID returns the members a patient ID (and issuer) is
// known to belong to.
func (db *DB) MembersByPatientID(ctx context.Context, patientID, issuer string) ([]Member, error) {
	return db.members(ctx, `WHERE m.id IN (SELECT member_id FROM member_patient_ids WHERE patient_id = ? AND issuer = ?)`, patientID, issuer)
}

// MembersByIDNumber returns the members with one of the national IDs.
func (db *DB) MembersByIDNumber(ctx context.Context, ids []string) ([]Member, error) {
	return db.membersIn(ctx, "m.id_number", ids)
}

// MembersByPhone returns the members with one of the phone keys.
func (db *DB) MembersByPhone(ctx context.Context, keys []string) ([]Member, error) {
	return db.membersIn(ctx, "m.phone_key", keys)
}

func (db *DB) membersIn(ctx context.Context, column string, values []string) ([]Member, error) {
	var args []any
	for _, v := range values {
		if v != "" {
			args = append(args, v)
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	return db.members(ctx, `WHERE `+column+` IN (?`+strings.Repeat(",?", len(args)-1)+`)`, args...)
}

// ForgetSharing removes what the sharing features kept of a deleted
// study: matches, identity and exemption go, shares are revoked and
// download links removed.
func (db *DB) ForgetSharing(ctx context.Context, studyUID string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: forget sharing: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM member_studies WHERE study_uid = ?`,
		`DELETE FROM study_identity WHERE study_uid = ?`,
		`DELETE FROM study_keep WHERE study_uid = ?`,
		`DELETE FROM downloads WHERE study_uid = ?`,
		`DELETE FROM share_unlocks WHERE share_id IN (SELECT id FROM shares WHERE study_uid = ?)`,
	} {
		if _, err := tx.ExecContext(ctx, q, studyUID); err != nil {
			return fmt.Errorf("store: forget sharing: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE shares SET revoked_at = ?, revoked_by = 'deleted' WHERE study_uid = ? AND revoked_at IS NULL`,
		ms(db.now()), studyUID); err != nil {
		return fmt.Errorf("store: forget sharing: %w", err)
	}
	return tx.Commit()
}
