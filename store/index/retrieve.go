package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The WADO-RS lookups share one scope (a study, optionally narrowed to a
// series and an instance) and one order, which the indexes on
// series(study_id, series_number, id) and instances(series_id,
// instance_number, id) serve without sorting.
const (
	scopeFrom = ` FROM instances i JOIN series se ON se.id = i.series_id
		JOIN studies st ON st.id = se.study_id`
	scopeOrder = ` ORDER BY se.series_number, se.id, i.instance_number, i.id`
	refColumns = `st.study_uid, se.series_uid, i.sop_uid, i.sop_class_uid, i.transfer_syntax,
		i.blob_key, i.size, i.digest, i.frames`
)

func scopeWhere(studyUID, seriesUID, sopUID string) (string, []any, error) {
	if studyUID == "" {
		return "", nil, fmt.Errorf("index: %w: empty study UID", ErrInvalid)
	}
	where, args := ` WHERE st.study_uid = ?`, []any{studyUID}
	if seriesUID != "" {
		where += ` AND se.series_uid = ?`
		args = append(args, seriesUID)
	}
	if sopUID != "" {
		where += ` AND i.sop_uid = ?`
		args = append(args, sopUID)
	}
	return where, args, nil
}

// Instances lists the instances of a study, or of one of its series, or
// one instance (seriesUID and sopUID may be empty), ordered by series
// number, series, instance number, instance. It returns ErrNotFound when
// the scope holds no instance.
func (db *DB) Instances(ctx context.Context, studyUID, seriesUID, sopUID string) ([]InstanceRef, error) {
	var refs []InstanceRef
	err := db.forEach(ctx, studyUID, seriesUID, sopUID, false, func(ref InstanceRef, _ []byte) error {
		refs = append(refs, ref)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return refs, nil
}

// ForEachMetadata calls fn with each instance of the scope and its
// metadata JSON, in the order of Instances, streaming from one read
// transaction. The metadata bytes are valid only during the call. It
// returns ErrNotFound when the scope holds no instance, and fn's error
// unchanged when fn fails.
func (db *DB) ForEachMetadata(ctx context.Context, studyUID, seriesUID, sopUID string,
	fn func(ref InstanceRef, metadata []byte) error) error {
	return db.forEach(ctx, studyUID, seriesUID, sopUID, true, fn)
}

func (db *DB) forEach(ctx context.Context, studyUID, seriesUID, sopUID string, withMetadata bool,
	fn func(ref InstanceRef, metadata []byte) error) error {
	where, args, err := scopeWhere(studyUID, seriesUID, sopUID)
	if err != nil {
		return err
	}
	q := `SELECT ` + refColumns + scopeFrom + where + scopeOrder
	if withMetadata {
		q = `SELECT ` + refColumns + `, m.metadata` + scopeFrom +
			` LEFT JOIN instance_metadata m ON m.instance_id = i.id` + where + scopeOrder
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("index: list instances: %w", err)
	}
	defer rows.Close()
	var ref InstanceRef
	var md sql.RawBytes // valid until the next call to Next
	dest := []any{&ref.StudyInstanceUID, &ref.SeriesInstanceUID, &ref.SOPInstanceUID,
		&ref.SOPClassUID, &ref.TransferSyntaxUID, &ref.BlobKey, &ref.Size, &ref.Digest,
		&ref.NumberOfFrames}
	if withMetadata {
		dest = append(dest, &md)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("index: list instances: %w", err)
		}
		n++
		if err := fn(ref, md); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index: list instances: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("index: instances of %s: %w", scopeName(studyUID, seriesUID, sopUID), ErrNotFound)
	}
	return nil
}

func scopeName(studyUID, seriesUID, sopUID string) string {
	s := "study " + studyUID
	if seriesUID != "" {
		s += " series " + seriesUID
	}
	if sopUID != "" {
		s += " instance " + sopUID
	}
	return s
}

// MetadataVersion returns a short string that changes whenever an
// instance in the scope is added, replaced, moved or removed: for ETags.
// It returns ErrNotFound when the scope holds no instance.
func (db *DB) MetadataVersion(ctx context.Context, studyUID, seriesUID, sopUID string) (string, error) {
	where, args, err := scopeWhere(studyUID, seriesUID, sopUID)
	if err != nil {
		return "", err
	}
	// Versions come from a counter that never goes back, so (count, max)
	// identifies the set of instance versions in the scope.
	var count, maxVersion, epoch int64
	err = db.r.QueryRowContext(ctx, `SELECT count(*), coalesce(max(i.version), 0),
		(SELECT value FROM counters WHERE name = 'epoch')`+scopeFrom+where, args...).
		Scan(&count, &maxVersion, &epoch)
	if err != nil {
		return "", fmt.Errorf("index: metadata version: %w", err)
	}
	if count == 0 {
		return "", fmt.Errorf("index: %s: %w", scopeName(studyUID, seriesUID, sopUID), ErrNotFound)
	}
	return fmt.Sprintf("%x-%x-%x", epoch, maxVersion, count), nil
}

// FirstInstanceMetadata returns the metadata of one instance of the study
// (or of the series when seriesUID is not empty), for attributes that are
// not stored at that level. It returns ErrNotFound when there is none.
func (db *DB) FirstInstanceMetadata(ctx context.Context, studyUID, seriesUID string) ([]byte, error) {
	where, args, err := scopeWhere(studyUID, seriesUID, "")
	if err != nil {
		return nil, err
	}
	var md []byte
	err = db.r.QueryRowContext(ctx, `SELECT m.metadata`+scopeFrom+
		` JOIN instance_metadata m ON m.instance_id = i.id`+where+scopeOrder+` LIMIT 1`, args...).Scan(&md)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("index: %s: %w", scopeName(studyUID, seriesUID, ""), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("index: first instance metadata: %w", err)
	}
	return md, nil
}

// AllBlobKeys calls fn with the blob key of every instance, in insertion
// order, streaming from one read transaction; it stops at fn's first
// error and returns it.
func (db *DB) AllBlobKeys(ctx context.Context, fn func(key string) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT blob_key FROM instances ORDER BY id`)
	if err != nil {
		return fmt.Errorf("index: list blob keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return fmt.Errorf("index: list blob keys: %w", err)
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index: list blob keys: %w", err)
	}
	return nil
}
