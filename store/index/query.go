package index

import (
	"context"
	"fmt"
	"strings"
)

// Result orders, chosen so that pages are stable (ids break ties) and so
// that the indexes serve them without sorting when nothing narrows the
// search: studies newest first, then series and instances by number.
const (
	studyOrder    = "st.study_date DESC, st.study_time DESC, st.id DESC"
	seriesOrder   = "se.series_number, se.id"
	instanceOrder = "i.instance_number, i.id"
)

// Search runs a QIDO-RS query: the filters (all must match) within the
// path scope, results in a stable order, Limit and Offset applied in SQL;
// a Limit of 0 means no limit. A filter on a tag that Supports rejects
// gives ErrUnsupportedKey, a malformed value ErrInvalid. No match, even in
// a scope that does not exist, is an empty slice, not ErrNotFound.
func (db *DB) Search(ctx context.Context, q Query) ([]Match, error) {
	query, args, err := buildSearch(q)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	defer rows.Close()
	matches := []Match{} // no match is an empty result, not an error
	for rows.Next() {
		var m Match
		var err error
		switch q.Level {
		case StudyLevel:
			var modalities string
			err = rows.Scan(&m.StudyInstanceUID, &m.StudyAttrs, &modalities,
				&m.NumberOfStudyRelatedSeries, &m.NumberOfStudyRelatedInstances)
			m.ModalitiesInStudy = splitModalities(modalities)
		case SeriesLevel:
			err = rows.Scan(&m.StudyInstanceUID, &m.SeriesInstanceUID, &m.StudyAttrs, &m.SeriesAttrs,
				&m.NumberOfSeriesRelatedInstances)
		default:
			err = rows.Scan(&m.StudyInstanceUID, &m.SeriesInstanceUID, &m.SOPInstanceUID,
				&m.StudyAttrs, &m.SeriesAttrs, &m.InstanceAttrs)
		}
		if err != nil {
			return nil, fmt.Errorf("index: search: %w", err)
		}
		matches = append(matches, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	return matches, nil
}

func splitModalities(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, `\`)
}

// buildSearch returns the SQL and arguments of a search. Every value is a
// bound parameter; only column names chosen by lookupKey reach the text.
func buildSearch(q Query) (string, []any, error) {
	if q.Level < StudyLevel || q.Level > InstanceLevel {
		return "", nil, invalid("query level %d", q.Level)
	}
	if q.Limit < 0 || q.Offset < 0 {
		return "", nil, invalid("negative limit or offset")
	}
	var where cond
	if q.StudyInstanceUID != "" {
		where = where.and(cond{"st.study_uid = ?", []any{q.StudyInstanceUID}})
	}
	if q.SeriesInstanceUID != "" {
		if q.Level == StudyLevel {
			return "", nil, invalid("series scope on a %s search", levelName(q.Level))
		}
		where = where.and(cond{"se.series_uid = ?", []any{q.SeriesInstanceUID}})
	}
	onlyStudyKeys := true
	for _, f := range q.Filters {
		if !Supports(q.Level, f.Tag) {
			return "", nil, fmt.Errorf("index: %w: (%04X,%04X) at %s level",
				ErrUnsupportedKey, f.Tag>>16, f.Tag&0xffff, levelName(q.Level))
		}
		k, _ := lookupKey(f.Tag)
		onlyStudyKeys = onlyStudyKeys && k.level == StudyLevel
		c, err := condition(k, f, q.FuzzyNames)
		if err != nil {
			return "", nil, err
		}
		where = where.and(c)
	}

	// Without series or instance keys, the study is the best outer loop:
	// the indexes then return rows already in order and LIMIT stops the
	// scan early. SQLite may think otherwise without statistics, and
	// CROSS JOIN is its documented way to fix the order of the loops.
	join := "JOIN"
	if onlyStudyKeys {
		join = "CROSS JOIN"
	}
	var sel, from, order string
	switch q.Level {
	case StudyLevel:
		sel = `st.study_uid, st.attrs, st.modalities, st.num_series, st.num_instances`
		from = ` FROM studies st`
		order = studyOrder
	case SeriesLevel:
		sel = `st.study_uid, se.series_uid, st.attrs, se.attrs, se.num_instances`
		from = ` FROM studies st ` + join + ` series se ON se.study_id = st.id`
		order = studyOrder + ", " + seriesOrder
		if q.StudyInstanceUID != "" {
			order = seriesOrder
		}
	case InstanceLevel:
		sel = `st.study_uid, se.series_uid, i.sop_uid, st.attrs, se.attrs, i.attrs`
		from = ` FROM studies st ` + join + ` series se ON se.study_id = st.id ` +
			join + ` instances i ON i.series_id = se.id`
		switch {
		case q.SeriesInstanceUID != "":
			order = instanceOrder
		case q.StudyInstanceUID != "":
			order = seriesOrder + ", " + instanceOrder
		default:
			order = studyOrder + ", " + seriesOrder + ", " + instanceOrder
		}
	default:
		return "", nil, invalid("query level %d", q.Level)
	}
	limit := int64(q.Limit)
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	args := append(where.args, limit, q.Offset)
	filter := ""
	if where.sql != "" {
		filter = " WHERE " + where.sql
	}
	return "SELECT " + sel + from + filter + " ORDER BY " + order + " LIMIT ? OFFSET ?", args, nil
}

func levelName(l Level) string {
	switch l {
	case StudyLevel:
		return "study"
	case SeriesLevel:
		return "series"
	case InstanceLevel:
		return "instance"
	}
	return fmt.Sprintf("level %d", int(l))
}
