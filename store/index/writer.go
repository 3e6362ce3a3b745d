package index

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Statements of the write path, prepared once on the writer connection.
const (
	sFindInstance = iota
	sFindSeries
	sUpsertStudy
	sUpsertSeries
	sInsertInstance
	sUpdateInstance
	sInsertMetadata
	sUpdateMetadata
	sAddStudyCounts
	sAddSeriesCount
	sPruneSeries
	sPruneStudy
	sRefreshModalities
	sSaveVersion
	nStmts
)

var writeSQL = [nStmts]string{
	sFindInstance: `SELECT i.id, i.digest, i.blob_key, se.id, se.series_uid, st.id, st.study_uid
		FROM instances i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
		WHERE i.sop_uid = ?`,
	sFindSeries: `SELECT se.id, se.modality, se.num_instances, st.id, st.study_uid
		FROM series se JOIN studies st ON st.id = se.study_id WHERE se.series_uid = ?`,
	sUpsertStudy: `INSERT INTO studies (study_uid, patient_id, patient_name, patient_name_ideo,
		patient_name_phon, patient_name_fold, patient_birth_date, patient_sex, study_date, study_time,
		accession_number, study_id, study_description, referring_physician_name,
		referring_physician_fold, attrs, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (study_uid) DO UPDATE SET patient_id = excluded.patient_id,
		patient_name = excluded.patient_name, patient_name_ideo = excluded.patient_name_ideo,
		patient_name_phon = excluded.patient_name_phon, patient_name_fold = excluded.patient_name_fold,
		patient_birth_date = excluded.patient_birth_date, patient_sex = excluded.patient_sex,
		study_date = excluded.study_date, study_time = excluded.study_time,
		accession_number = excluded.accession_number, study_id = excluded.study_id,
		study_description = excluded.study_description,
		referring_physician_name = excluded.referring_physician_name,
		referring_physician_fold = excluded.referring_physician_fold, attrs = excluded.attrs,
		updated_at = excluded.updated_at
		RETURNING id`,
	sUpsertSeries: `INSERT INTO series (series_uid, study_id, modality, series_number,
		series_description, series_date, series_time, body_part, pps_start_date, pps_start_time,
		attrs, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (series_uid) DO UPDATE SET study_id = excluded.study_id,
		modality = excluded.modality, series_number = excluded.series_number,
		series_description = excluded.series_description, series_date = excluded.series_date,
		series_time = excluded.series_time, body_part = excluded.body_part,
		pps_start_date = excluded.pps_start_date, pps_start_time = excluded.pps_start_time,
		attrs = excluded.attrs, updated_at = excluded.updated_at
		RETURNING id`,
	sInsertInstance: `INSERT INTO instances (series_id, sop_uid, sop_class_uid, instance_number,
		transfer_syntax, frames, rows, cols, blob_key, size, digest, attrs, created_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
	sUpdateInstance: `UPDATE instances SET series_id = ?, sop_uid = ?, sop_class_uid = ?,
		instance_number = ?, transfer_syntax = ?, frames = ?, rows = ?, cols = ?, blob_key = ?,
		size = ?, digest = ?, attrs = ?, created_at = ?, version = ? WHERE id = ?`,
	sInsertMetadata:    `INSERT INTO instance_metadata (instance_id, metadata) VALUES (?, ?)`,
	sUpdateMetadata:    `UPDATE instance_metadata SET metadata = ? WHERE instance_id = ?`,
	sAddStudyCounts:    `UPDATE studies SET num_series = num_series + ?, num_instances = num_instances + ? WHERE id = ?`,
	sAddSeriesCount:    `UPDATE series SET num_instances = num_instances + ? WHERE id = ?`,
	sPruneSeries:       `DELETE FROM series WHERE id = ? AND num_instances <= 0 RETURNING study_id`,
	sPruneStudy:        `DELETE FROM studies WHERE id = ? AND num_instances <= 0`,
	sRefreshModalities: `UPDATE studies SET modalities = coalesce((SELECT group_concat(modality, '\' ORDER BY modality) FROM (SELECT DISTINCT modality FROM series WHERE study_id = ?1 AND modality <> '')), '') WHERE id = ?1`,
	sSaveVersion:       `UPDATE counters SET value = ? WHERE name = 'instance_version'`,
}

// writer is one write transaction. Counter changes are summed in memory
// and applied once per row in finish, which also removes rows left empty
// and recomputes modalities: a batch of a thousand instances of one series
// updates the series and study rows once, not a thousand times.
type writer struct {
	ctx     context.Context
	db      *DB
	tx      *sql.Tx
	now     int64
	version int64
	stmts   [nStmts]*sql.Stmt

	seriesDelta  map[int64]int64    // series id -> instances
	studyDelta   map[int64][2]int64 // study id -> series, instances
	emptySeries  map[int64]bool     // may have no instances left
	emptyStudies map[int64]bool
	modalities   map[int64]bool // studies whose modalities to recompute

	// The last study and series upserted, with the values written, so
	// that a run of instances of one series skips identical upserts.
	lastStudy, lastSeries upserted
}

type upserted struct {
	uid  string
	id   int64
	args []any
}

// same reports whether u holds the row for uid written with args.
func (u *upserted) same(uid string, args []any) bool {
	if u.uid != uid || len(u.args) != len(args) {
		return false
	}
	for i, a := range args {
		switch a := a.(type) {
		case []byte:
			b, ok := u.args[i].([]byte)
			if !ok || !bytes.Equal(a, b) || (a == nil) != (b == nil) {
				return false
			}
		default:
			if u.args[i] != a {
				return false
			}
		}
	}
	return true
}

func newWriter(ctx context.Context, db *DB, tx *sql.Tx) *writer {
	return &writer{
		ctx: ctx, db: db, tx: tx,
		now:          time.Now().UnixMilli(),
		version:      db.version,
		seriesDelta:  map[int64]int64{},
		studyDelta:   map[int64][2]int64{},
		emptySeries:  map[int64]bool{},
		emptyStudies: map[int64]bool{},
		modalities:   map[int64]bool{},
	}
}

// stmt returns prepared statement i bound to the transaction.
func (w *writer) stmt(i int) *sql.Stmt {
	if w.stmts[i] == nil {
		w.stmts[i] = w.tx.StmtContext(w.ctx, w.db.stmts[i])
	}
	return w.stmts[i]
}

func (w *writer) exec(i int, args ...any) error {
	_, err := w.stmt(i).ExecContext(w.ctx, args...)
	return err
}

// addStudyCounts schedules changes to a study's counters.
func (w *writer) addStudyCounts(id, series, instances int64) {
	d := w.studyDelta[id]
	w.studyDelta[id] = [2]int64{d[0] + series, d[1] + instances}
}

// addSeriesCount schedules a change to a series' counter.
func (w *writer) addSeriesCount(id, instances int64) {
	w.seriesDelta[id] += instances
}

// finish applies the counter changes, removes series and studies left
// without instances, recomputes the modalities of the studies touched and
// saves the version counter.
func (w *writer) finish() error {
	for _, id := range sortedKeys(w.seriesDelta) {
		if d := w.seriesDelta[id]; d != 0 {
			if err := w.exec(sAddSeriesCount, d, id); err != nil {
				return fmt.Errorf("index: update series counter: %w", err)
			}
		}
	}
	for _, id := range sortedKeys(w.emptySeries) {
		var studyID int64
		err := w.stmt(sPruneSeries).QueryRowContext(w.ctx, id).Scan(&studyID)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("index: remove empty series: %w", err)
		}
		w.addStudyCounts(studyID, -1, 0)
		w.emptyStudies[studyID] = true
		w.modalities[studyID] = true
	}
	for _, id := range sortedKeys(w.studyDelta) {
		if d := w.studyDelta[id]; d != [2]int64{} {
			if err := w.exec(sAddStudyCounts, d[0], d[1], id); err != nil {
				return fmt.Errorf("index: update study counters: %w", err)
			}
		}
	}
	for _, id := range sortedKeys(w.emptyStudies) {
		if err := w.exec(sPruneStudy, id); err != nil {
			return fmt.Errorf("index: remove empty study: %w", err)
		}
	}
	for _, id := range sortedKeys(w.modalities) {
		if err := w.exec(sRefreshModalities, id); err != nil {
			return fmt.Errorf("index: refresh modalities: %w", err)
		}
	}
	if w.version != w.db.version {
		if err := w.exec(sSaveVersion, w.version); err != nil {
			return fmt.Errorf("index: save version counter: %w", err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
