package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// upsertStudy creates the study or gives it rec's values and returns its
// id.
func (w *writer) upsertStudy(rec *InstanceRecord) (int64, error) {
	alpha, ideo, phon := rec.PatientName, rec.PatientNameIdeo, rec.PatientNamePhon
	if g := pnGroups(alpha); g[1] != "" || g[2] != "" {
		alpha = g[0]
		ideo = cmpOr(ideo, g[1])
		phon = cmpOr(phon, g[2])
	}
	ref := pnGroups(rec.ReferringPhysicianName)
	date, _ := normDate(rec.StudyDate)
	tm, _ := normTime(rec.StudyTime, false)
	birth, _ := normDate(rec.PatientBirthDate)
	args := []any{rec.StudyInstanceUID, rec.PatientID, pnLower(alpha), pnLower(ideo), pnLower(phon),
		foldTokens(alpha, ideo, phon), birth, rec.PatientSex, date, tm, rec.AccessionNumber,
		rec.StudyID, rec.StudyDescription, pnLower(ref[0]), foldTokens(ref[:]...), rec.StudyAttrs, w.now}
	if w.lastStudy.same(rec.StudyInstanceUID, args) {
		return w.lastStudy.id, nil
	}
	var id int64
	if err := w.stmt(sUpsertStudy).QueryRowContext(w.ctx, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("index: upsert study: %w", err)
	}
	w.lastStudy = upserted{rec.StudyInstanceUID, id, args}
	return id, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DeleteStudy removes a study with its series and instances and returns
// the blob keys of the removed instances, for the caller to delete after
// this returns. It returns ErrNotFound when there is no such study.
func (db *DB) DeleteStudy(ctx context.Context, studyUID string) ([]string, error) {
	var keys []string
	err := db.write(ctx, func(w *writer) error {
		var id int64
		err := w.tx.QueryRowContext(ctx, `SELECT id FROM studies WHERE study_uid = ?`, studyUID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("index: study %s: %w", studyUID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("index: find study: %w", err)
		}
		if keys, err = w.blobKeys(`SELECT i.blob_key FROM instances i
			JOIN series se ON se.id = i.series_id WHERE se.study_id = ? ORDER BY i.id`, id); err != nil {
			return err
		}
		// Series, instances and metadata follow by ON DELETE CASCADE.
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM studies WHERE id = ?`, id); err != nil {
			return fmt.Errorf("index: delete study: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// blobKeys collects the blob keys a query returns.
func (w *writer) blobKeys(query string, args ...any) ([]string, error) {
	rows, err := w.tx.QueryContext(w.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("index: list blob keys: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("index: list blob keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index: list blob keys: %w", err)
	}
	return keys, nil
}
