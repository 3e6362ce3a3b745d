package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// upsertSeries creates the series in study studyID or gives it rec's
// values (moving it to studyID if needed) and returns its id.
func (w *writer) upsertSeries(rec *InstanceRecord, studyID int64) (int64, error) {
	date, _ := normDate(rec.SeriesDate)
	tm, _ := normTime(rec.SeriesTime, false)
	ppsDate, _ := normDate(rec.PerformedProcedureStepStartDate)
	ppsTime, _ := normTime(rec.PerformedProcedureStepStartTime, false)
	args := []any{rec.SeriesInstanceUID, studyID, rec.Modality, nullInt(rec.SeriesNumber),
		rec.SeriesDescription, date, tm, rec.BodyPartExamined, ppsDate, ppsTime, rec.SeriesAttrs, w.now}
	if w.lastSeries.same(rec.SeriesInstanceUID, args) {
		return w.lastSeries.id, nil
	}
	var id int64
	if err := w.stmt(sUpsertSeries).QueryRowContext(w.ctx, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("index: upsert series: %w", err)
	}
	w.lastSeries = upserted{rec.SeriesInstanceUID, id, args}
	return id, nil
}

// DeleteSeries removes a series of a study with its instances and returns
// the blob keys of the removed instances, for the caller to delete after
// this returns. The study goes too if it is left empty. It returns
// ErrNotFound when the study has no such series.
func (db *DB) DeleteSeries(ctx context.Context, studyUID, seriesUID string) ([]string, error) {
	var keys []string
	err := db.write(ctx, func(w *writer) error {
		var id, studyID, count int64
		err := w.tx.QueryRowContext(ctx, `SELECT se.id, st.id, se.num_instances
			FROM series se JOIN studies st ON st.id = se.study_id
			WHERE se.series_uid = ? AND st.study_uid = ?`, seriesUID, studyUID).Scan(&id, &studyID, &count)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("index: series %s of study %s: %w", seriesUID, studyUID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("index: find series: %w", err)
		}
		if keys, err = w.blobKeys(`SELECT blob_key FROM instances WHERE series_id = ? ORDER BY id`, id); err != nil {
			return err
		}
		// Instances and metadata follow by ON DELETE CASCADE.
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM series WHERE id = ?`, id); err != nil {
			return fmt.Errorf("index: delete series: %w", err)
		}
		w.addStudyCounts(studyID, -1, -count)
		w.emptyStudies[studyID] = true
		w.modalities[studyID] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}
