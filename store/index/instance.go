package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// PutInstance indexes one stored instance in one transaction: the study
// and series rows are created or take this instance's values, the
// instance row is inserted or replaced, and counters and modalities are
// kept exact. An instance already stored with the same Digest and UIDs is
// left alone (Unchanged). An instance re-stored under another series or
// study moves there; parents left empty are removed. Missing UIDs or blob
// key give an error wrapping ErrInvalid.
func (db *DB) PutInstance(ctx context.Context, rec InstanceRecord) (PutResult, error) {
	if err := validate(&rec); err != nil {
		return PutResult{}, err
	}
	var res PutResult
	err := db.write(ctx, func(w *writer) error {
		var err error
		res, err = w.put(&rec)
		return err
	})
	if err != nil {
		return PutResult{}, err
	}
	return res, nil
}

// PutInstances indexes many instances in one transaction, with the
// semantics of PutInstance applied in order; results[i] is for recs[i].
// Either all are indexed or, on error, none.
func (db *DB) PutInstances(ctx context.Context, recs []InstanceRecord) ([]PutResult, error) {
	for i := range recs {
		if err := validate(&recs[i]); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
	}
	results := make([]PutResult, len(recs))
	err := db.write(ctx, func(w *writer) error {
		for i := range recs {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("index: put instances: %w", err)
			}
			res, err := w.put(&recs[i])
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
			results[i] = res
			if db.afterRecord != nil {
				db.afterRecord(i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func validate(rec *InstanceRecord) error {
	for _, f := range [...]struct{ name, v string }{
		{"StudyInstanceUID", rec.StudyInstanceUID},
		{"SeriesInstanceUID", rec.SeriesInstanceUID},
		{"SOPInstanceUID", rec.SOPInstanceUID},
		{"BlobKey", rec.BlobKey},
	} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("index: %w: missing %s", ErrInvalid, f.name)
		}
		// A backslash would make the UID a list in QIDO-RS.
		if f.name != "BlobKey" && strings.ContainsFunc(f.v, func(r rune) bool { return r == '\\' || r < ' ' }) {
			return fmt.Errorf("index: %w: malformed %s %q", ErrInvalid, f.name, f.v)
		}
	}
	return nil
}

// put indexes one validated record; see PutInstance.
func (w *writer) put(rec *InstanceRecord) (PutResult, error) {
	var old struct { // the instance as stored, if it is
		id, seriesID, studyID int64
		digest, blobKey       string
		seriesUID, studyUID   string
	}
	err := w.stmt(sFindInstance).QueryRowContext(w.ctx, rec.SOPInstanceUID).Scan(
		&old.id, &old.digest, &old.blobKey, &old.seriesID, &old.seriesUID, &old.studyID, &old.studyUID)
	if err != nil && err != sql.ErrNoRows {
		return PutResult{}, fmt.Errorf("index: find instance: %w", err)
	}
	found := err == nil
	if found && rec.Digest != "" && old.digest == rec.Digest &&
		old.seriesUID == rec.SeriesInstanceUID && old.studyUID == rec.StudyInstanceUID {
		return PutResult{Unchanged: true}, nil
	}

	se, seriesFound, err := w.findSeries(rec)
	if err != nil {
		return PutResult{}, err
	}

	// newHere: the instance is not yet counted in its target series (nor,
	// unless the series moves with it, in the target study).
	newHere := int64(1)
	if found && old.seriesUID == rec.SeriesInstanceUID {
		newHere = 0
	}
	studyID, err := w.upsertStudy(rec)
	if err != nil {
		return PutResult{}, err
	}
	w.addStudyCounts(studyID, 0, newHere)
	// A series re-stored under another study moves there, counts and all.
	moving := seriesFound && se.studyUID != rec.StudyInstanceUID
	if !seriesFound || moving {
		w.addStudyCounts(studyID, 1, 0)
	}
	if moving {
		count := se.count + w.seriesDelta[se.id]
		w.addStudyCounts(studyID, 0, count)
		w.addStudyCounts(se.studyID, -1, -count)
		w.emptyStudies[se.studyID] = true
		w.modalities[se.studyID] = true
	}
	if !seriesFound || moving || se.modality != rec.Modality {
		w.modalities[studyID] = true
	}
	seriesID, err := w.upsertSeries(rec, studyID)
	if err != nil {
		return PutResult{}, err
	}
	w.addSeriesCount(seriesID, newHere)

	w.version++
	if !found {
		return PutResult{}, w.insertInstance(rec, seriesID)
	}
	if err := w.updateInstance(rec, old.id, seriesID); err != nil {
		return PutResult{}, err
	}
	if newHere == 1 { // it left its old series
		w.addSeriesCount(old.seriesID, -1)
		w.addStudyCounts(old.studyID, 0, -1)
		w.emptySeries[old.seriesID] = true
		w.emptyStudies[old.studyID] = true
	}
	var res PutResult
	if old.blobKey != rec.BlobKey {
		res.ReplacedBlobKey = old.blobKey
	}
	return res, nil
}

// seriesRow is what put needs to know of the target series.
type seriesRow struct {
	id, count, studyID int64
	modality, studyUID string
}

// findSeries looks up rec's series. When the last upsert was of this
// series in this study, the answer is known; count is then left zero as
// only a series that moves to another study needs it.
func (w *writer) findSeries(rec *InstanceRecord) (seriesRow, bool, error) {
	ls, st := &w.lastSeries, &w.lastStudy
	if ls.uid == rec.SeriesInstanceUID && st.uid == rec.StudyInstanceUID && ls.args[1] == any(st.id) {
		return seriesRow{id: ls.id, studyID: st.id, studyUID: st.uid, modality: ls.args[2].(string)}, true, nil
	}
	var se seriesRow
	err := w.stmt(sFindSeries).QueryRowContext(w.ctx, rec.SeriesInstanceUID).Scan(
		&se.id, &se.modality, &se.count, &se.studyID, &se.studyUID)
	if err == sql.ErrNoRows {
		return se, false, nil
	}
	if err != nil {
		return se, false, fmt.Errorf("index: find series: %w", err)
	}
	return se, true, nil
}

func (w *writer) insertInstance(rec *InstanceRecord, seriesID int64) error {
	var id int64
	err := w.stmt(sInsertInstance).QueryRowContext(w.ctx, seriesID, rec.SOPInstanceUID,
		rec.SOPClassUID, nullInt(rec.InstanceNumber), rec.TransferSyntaxUID, rec.NumberOfFrames,
		rec.Rows, rec.Columns, rec.BlobKey, rec.Size, rec.Digest, rec.InstanceAttrs, w.now,
		w.version).Scan(&id)
	if err != nil {
		return fmt.Errorf("index: insert instance: %w", err)
	}
	if err := w.exec(sInsertMetadata, id, rec.Metadata); err != nil {
		return fmt.Errorf("index: insert metadata: %w", err)
	}
	return nil
}

func (w *writer) updateInstance(rec *InstanceRecord, id, seriesID int64) error {
	if err := w.exec(sUpdateInstance, seriesID, rec.SOPInstanceUID, rec.SOPClassUID,
		nullInt(rec.InstanceNumber), rec.TransferSyntaxUID, rec.NumberOfFrames, rec.Rows,
		rec.Columns, rec.BlobKey, rec.Size, rec.Digest, rec.InstanceAttrs, w.now, w.version,
		id); err != nil {
		return fmt.Errorf("index: update instance: %w", err)
	}
	if err := w.exec(sUpdateMetadata, rec.Metadata, id); err != nil {
		return fmt.Errorf("index: update metadata: %w", err)
	}
	return nil
}

// nullInt maps an absent IS value to NULL.
func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// DeleteInstance removes one instance and returns its blob key (a slice
// of one), for the caller to delete after this returns. Its series and
// study go too if left empty. It returns ErrNotFound when the series of
// the study has no such instance.
func (db *DB) DeleteInstance(ctx context.Context, studyUID, seriesUID, sopUID string) ([]string, error) {
	var key string
	err := db.write(ctx, func(w *writer) error {
		var id, seriesID, studyID int64
		err := w.tx.QueryRowContext(ctx, `SELECT i.id, i.blob_key, se.id, st.id
			FROM instances i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
			WHERE i.sop_uid = ? AND se.series_uid = ? AND st.study_uid = ?`,
			sopUID, seriesUID, studyUID).Scan(&id, &key, &seriesID, &studyID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("index: instance %s: %w", sopUID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("index: find instance: %w", err)
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, id); err != nil {
			return fmt.Errorf("index: delete instance: %w", err)
		}
		w.addSeriesCount(seriesID, -1)
		w.addStudyCounts(studyID, 0, -1)
		w.emptySeries[seriesID] = true
		w.emptyStudies[studyID] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []string{key}, nil
}
