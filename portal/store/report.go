package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReportState is where a study's report is in its workflow:
// ready -> claimed -> draft -> final -> amended.
type ReportState string

// The report states. A study without a report row is ReportReady.
const (
	ReportReady   ReportState = "ready"   // awaiting a radiologist
	ReportClaimed ReportState = "claimed" // a radiologist took it, nothing written yet
	ReportDraft   ReportState = "draft"   // text saved, not signed
	ReportFinal   ReportState = "final"   // signed
	ReportAmended ReportState = "amended" // signed, then corrected or added to
)

// Signed reports whether the report has been finalised at least once.
func (s ReportState) Signed() bool { return s == ReportFinal || s == ReportAmended }

// ErrClaimedByOther is returned when a report is claimed by, or a revision
// is being written by, another radiologist.
var ErrClaimedByOther = fmt.Errorf("claimed by another radiologist: %w", ErrConflict)

// The kinds of report versions.
const (
	VersionOriginal  = "original"
	VersionAddendum  = "addendum"  // text added to a signed report
	VersionAmendment = "amendment" // a signed report corrected
)

// Report is the workflow record of a study's report.
type Report struct {
	StudyUID      string
	State         ReportState
	ClaimedBy     int64 // 0 when nobody
	ClaimedByName string
	ClaimedAt     time.Time
	FinalisedAt   time.Time // the first signature
	ReleaseAt     time.Time // when patients may read it
	SeriesUID     string
	UpdatedAt     time.Time
}

// Released reports whether patients may read a signed report at now.
func (r Report) Released(now time.Time) bool {
	return r.State.Signed() && !now.Before(r.ReleaseAt)
}

// ReportSections are the parts of a report patients read.
type ReportSections struct {
	ClinicalHistory, Technique, Comparison, Findings, Impression, Recommendation string
}

// ReportVersion is one version of a report's text.
type ReportVersion struct {
	StudyUID string
	Version  int
	Kind     string // VersionOriginal, VersionAddendum, VersionAmendment
	Final    bool
	ReportSections
	Note        string // an addendum's text, or why the report was amended
	Critical    bool
	AuthorID    int64
	AuthorName  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SignedAt    time.Time
	SignedBy    string
	SOPUID      string // the Encapsulated PDF in the archive, once published
	PublishedAt time.Time
}

const reportColumns = `r.study_uid, r.state, coalesce(r.claimed_by, 0), coalesce(u.name, ''), r.claimed_at, r.finalised_at, r.release_at, r.series_uid, r.updated_at`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var claimed, final, release sql.NullInt64
	var updated int64
	err := row.Scan(&r.StudyUID, &r.State, &r.ClaimedBy, &r.ClaimedByName, &claimed, &final, &release, &r.SeriesUID, &updated)
	r.ClaimedAt, r.FinalisedAt, r.ReleaseAt, r.UpdatedAt = nullMS(claimed), nullMS(final), nullMS(release), fromMS(updated)
	return r, err
}

// GetReport returns a study's report record, or ErrNotFound when nobody
// has claimed the study yet.
func (db *DB) GetReport(ctx context.Context, studyUID string) (Report, error) {
	r, err := scanReport(db.r.QueryRowContext(ctx, `SELECT `+reportColumns+`
		FROM reports r LEFT JOIN users u ON u.id = r.claimed_by WHERE r.study_uid = ?`, studyUID))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, fmt.Errorf("store: report %s: %w", studyUID, ErrNotFound)
	}
	if err != nil {
		return Report{}, fmt.Errorf("store: report: %w", err)
	}
	return r, nil
}

// ReportsOf returns the report records of the given studies that have one.
func (db *DB) ReportsOf(ctx context.Context, uids []string) (map[string]Report, error) {
	out := make(map[string]Report, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	args := make([]any, len(uids))
	for i, u := range uids {
		args[i] = u
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+reportColumns+` FROM reports r LEFT JOIN users u ON u.id = r.claimed_by
		WHERE r.study_uid IN (?`+strings.Repeat(",?", len(uids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reports: %w", err)
		}
		out[r.StudyUID] = r
	}
	return out, rows.Err()
}

const versionColumns = `v.study_uid, v.version, v.kind, v.status = 'final', v.clinical_history, v.technique, v.comparison,
	v.findings, v.impression, v.recommendation, v.note, v.critical, coalesce(v.author_id, 0), coalesce(u.name, ''),
	v.created_at, v.updated_at, v.signed_at, v.signed_by, v.sop_uid, v.published_at`

func scanVersion(row interface{ Scan(...any) error }) (ReportVersion, error) {
	var v ReportVersion
	var created, updated int64
	var signed, published sql.NullInt64
	err := row.Scan(&v.StudyUID, &v.Version, &v.Kind, &v.Final, &v.ClinicalHistory, &v.Technique, &v.Comparison,
		&v.Findings, &v.Impression, &v.Recommendation, &v.Note, &v.Critical, &v.AuthorID, &v.AuthorName,
		&created, &updated, &signed, &v.SignedBy, &v.SOPUID, &published)
	v.CreatedAt, v.UpdatedAt, v.SignedAt, v.PublishedAt = fromMS(created), fromMS(updated), nullMS(signed), nullMS(published)
	return v, err
}

// ReportVersions returns every version of a study's report, oldest first
// (drafts included: callers decide who may see them).
func (db *DB) ReportVersions(ctx context.Context, studyUID string) ([]ReportVersion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+versionColumns+` FROM report_versions v
		LEFT JOIN users u ON u.id = v.author_id WHERE v.study_uid = ? ORDER BY v.version`, studyUID)
	if err != nil {
		return nil, fmt.Errorf("store: report versions: %w", err)
	}
	defer rows.Close()
	var out []ReportVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("store: report versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReportPDF returns the PDF signed with a final version.
func (db *DB) ReportPDF(ctx context.Context, studyUID string, version int) ([]byte, error) {
	var pdf []byte
	err := db.r.QueryRowContext(ctx, `SELECT pdf FROM report_versions WHERE study_uid = ? AND version = ? AND status = 'final'
		AND pdf IS NOT NULL`, studyUID, version).Scan(&pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report pdf %s/%d: %w", studyUID, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: report pdf: %w", err)
	}
	return pdf, nil
}

// Unpublished returns the final versions released by now that are not yet
// in the archive, oldest first.
func (db *DB) Unpublished(ctx context.Context, now time.Time, limit int) ([]ReportVersion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+versionColumns+` FROM report_versions v
		JOIN reports r ON r.study_uid = v.study_uid LEFT JOIN users u ON u.id = v.author_id
		WHERE v.status = 'final' AND v.published_at IS NULL AND r.release_at <= ?
		ORDER BY v.signed_at, v.study_uid, v.version LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: unpublished reports: %w", err)
	}
	defer rows.Close()
	var out []ReportVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unpublished reports: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReportSeries returns the series UID of a study's report in the archive,
// setting it to uid the first time.
func (db *DB) ReportSeries(ctx context.Context, studyUID, uid string) (string, error) {
	if _, err := db.w.ExecContext(ctx, `UPDATE reports SET series_uid = ? WHERE study_uid = ? AND series_uid = ''`, uid, studyUID); err != nil {
		return "", fmt.Errorf("store: report series: %w", err)
	}
	var got string
	if err := db.w.QueryRowContext(ctx, `SELECT series_uid FROM reports WHERE study_uid = ?`, studyUID).Scan(&got); err != nil {
		return "", fmt.Errorf("store: report series: %w", err)
	}
	return got, nil
}

// MarkPublished records that a version is stored in the archive as sopUID.
func (db *DB) MarkPublished(ctx context.Context, studyUID string, version int, sopUID string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE report_versions SET sop_uid = ?, published_at = ? WHERE study_uid = ? AND version = ?`,
		sopUID, ms(at), studyUID, version)
	if err != nil {
		return fmt.Errorf("store: mark published: %w", err)
	}
	return nil
}
